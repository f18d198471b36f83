package io.iqdb.recovery;

import io.iqdb.Iqdb;
import io.iqdb.Payload;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A database written under one default locale opens under another. Fails today: {@code
 * WalFormat.generationFileName} uses {@code String.format("%019d", ...)} with the default locale,
 * so under e.g. Bengali the generation files are named with Bengali digits, which {@code
 * WalFormat.parseGeneration} does not accept; the next open then finds the checkpoint naming a
 * missing generation and throws CorruptedException. The fix (core): {@code
 * String.format(Locale.ROOT, ...)}.
 */
public class TestLocaleIndependentFiles extends RecoveryTestCase {

  @AwaitsFix(bugUrl = "core: WalFormat.generationFileName formats with the default locale")
  public void testReopenUnderAnotherLocale() {
    Path dir = createTempDir("locale");
    Locale.setDefault(Locale.forLanguageTag("bn-BD"));
    try (Iqdb db = Iqdb.builder().path(dir).open()) {
      Workload.createCollections(db);
      db.collection("flat").upsert("a", new float[Workload.DIM], Payload.of("op", 1L));
    }
    Locale.setDefault(Locale.ROOT);
    try (Iqdb db = Iqdb.builder().path(dir).open()) {
      assertTrue(db.collection("flat").get("a").isPresent());
    }
  }
}
