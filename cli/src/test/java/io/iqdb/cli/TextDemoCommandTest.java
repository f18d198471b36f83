package io.iqdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.iqdb.Hit;
import io.iqdb.Iqdb;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code iqdb demo text} end to end on a 50-text corpus of this machine's copyright files and manual
 * page summaries (whichever exist), with the real model.
 */
class TextDemoCommandTest {

  @TempDir Path tmp;

  private CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void buildsTheCollectionAndRunsBuiltInAndUserQueries() {
    Path db = tmp.resolve("demo.iqdb");
    Path cache = tmp.resolve("cache");
    CliRun first = run("demo", "text", "--size", "50", "--db", db.toString(), "--cache", cache.toString(), "--progress");
    assertEquals(ExitCode.OK, first.exitCode(), first::toString);
    assertTrue(first.out().contains("corpus: 50 texts"), first::toString);
    assertTrue(first.out().contains("semantic: \"how do I compress files\""), first::toString);
    assertTrue(first.out().contains("filtered: \"the software comes without any warranty\" where kind = copyright"), first::toString);
    assertTrue(first.out().contains("exact duplicates: text:"), first::toString);
    assertTrue(first.out().contains("hybrid (vector + BM25): \"GNU General Public License without warranty\""),
        first::toString);
    assertTrue(first.out().contains(" 0 from the cache"), first::toString);
    assertFalse(first.err().contains("SLF4J"), first::toString);
    // --progress draws the bar on stderr even though the test's stderr is not a terminal.
    assertTrue(first.err().contains("embedding [") && first.err().contains("100%"), first::toString);

    try (Iqdb iqdb = Iqdb.open(db)) {
      VectorCollection c = iqdb.collection(TextDemoCommand.COLLECTION);
      assertEquals(50, c.count());
      // Every record carries its text, and its kind as payload.
      float[] any;
      try (Stream<VectorRecord> all = c.scan()) {
        any = all.findFirst().orElseThrow().vector();
      }
      for (Hit h : c.search(any, 50)) {
        assertTrue(h.text() != null && h.payload().getString("kind") != null, h.toString());
      }
    }

    // The second run embeds nothing: every vector comes from the cache. The user's query and filter run.
    CliRun second = run("demo", "text", "--size", "50", "--db", db.toString(), "--cache", cache.toString(), "-k", "3",
        "--filter", "kind = manpage", "how", "do", "I", "compress", "files");
    assertEquals(ExitCode.OK, second.exitCode(), second::toString);
    assertTrue(second.out().contains("embedded 0 distinct texts"), second::toString);
    assertTrue(second.out().contains("semantic: \"how do I compress files\""), second::toString);
    assertTrue(second.out().contains("filtered: \"how do I compress files\" where kind = manpage"), second::toString);
    assertFalse(second.out().contains("configure the network"), "the built-in queries run only without QUERY");
    String filtered = second.out().substring(second.out().indexOf("filtered:"));
    List<String> rows = filtered.lines().skip(3).takeWhile(l -> !l.isBlank()).toList();
    assertFalse(rows.isEmpty(), second::toString);
    for (String row : rows) {
      assertTrue(row.contains(" manpage "), "a filtered hit that is not a manual page: " + row);
    }
  }

  @Test
  void runsOnManualPagesAloneWhenThereAreNoCopyrightFiles() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/apropos")), "man-db is not installed: no manual page summaries");
    CliRun r = run("demo", "text", "--size", "20", "--temp", "--cache", tmp.resolve("cache").toString(),
        "--doc-dir", tmp.resolve("no-such-dir").toString());
    assertEquals(ExitCode.OK, r.exitCode(), r::toString);
    assertTrue(r.out().contains("copyright files:       none: "), r::toString);
    // Without copyright lines there is no year field to filter on: that query is left out, not an error.
    assertFalse(r.out().contains("where year between"), r::toString);
    assertTrue(r.out().contains("where kind = copyright"), r::toString);
    assertTrue(r.out().contains("no hits: no text matches the filter"), r::toString);
  }

  @Test
  void badArgumentsAreUsageErrors() {
    CliRun noQuery = run("demo", "text", "--filter", "kind = manpage", "--size", "5", "--temp", "--cache", tmp.toString());
    assertEquals(ExitCode.USAGE, noQuery.exitCode(), noQuery::toString);
    assertTrue(noQuery.err().contains("--filter needs a QUERY"), noQuery::toString);
    CliRun badSize = run("demo", "text", "--size", "0");
    assertEquals(ExitCode.USAGE, badSize.exitCode(), badSize::toString);
    assertTrue(badSize.err().contains("size=0"), badSize::toString);
  }
}
