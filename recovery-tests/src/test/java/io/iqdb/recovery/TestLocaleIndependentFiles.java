package io.iqdb.recovery;

import io.iqdb.Iqdb;
import io.iqdb.Payload;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A database written under one default locale opens under another. Regression test: {@code
 * WalFormat.generationFileName} used the default locale, so under e.g. Bengali the generation
 * files were named with Bengali digits, which {@code WalFormat.parseGeneration} does not accept;
 * the next open found the checkpoint naming a missing generation and threw CorruptedException
 * (found by the first cycle of {@link TestKilledProcess}; fixed in core with {@code Locale.ROOT}).
 */
public class TestLocaleIndependentFiles extends RecoveryTestCase {

  public void testReopenUnderAnotherLocale() {
    Path dir = createTempDir("locale").resolve("db");
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("bn-BD"));
      try (Iqdb db = Iqdb.builder().path(dir).open()) {
        Workload.createCollections(db);
        db.collection("flat").upsert("a", new float[Workload.DIM], Payload.of("op", 1L));
      }
      Locale.setDefault(Locale.ROOT);
      try (Iqdb db = Iqdb.builder().path(dir).open()) {
        assertTrue(db.collection("flat").get("a").isPresent());
      }
    } finally {
      Locale.setDefault(saved);
    }
  }
}
