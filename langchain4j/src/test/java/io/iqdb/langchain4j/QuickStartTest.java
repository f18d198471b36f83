package io.iqdb.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LangChain4j quick start of langchain4j/README.md and of the root README, compiled and run;
 * {@link #readmesShowThisCode()} fails when a README drifts from it.
 */
class QuickStartTest {

  @Test
  void quickStart(@TempDir Path tmp) {
    Path path = tmp.resolve("rag.iqdb");
    List<EmbeddingMatch<TextSegment>> matches;
    // --- README LangChain4j quick start begins
    EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder()
        .path(path)                                  // or .inMemory(), or .database(anOpenIqdb)
        .dimension(model.dimension())                // 384
        .build()) {
      for (String[] doc : new String[][] {
          {"The cat sleeps on the sofa all afternoon.", "pets"},
          {"Lucene is a search library written in Java.", "tech"},
          {"Dogs love long walks in the park.", "pets"}}) {
        TextSegment segment = TextSegment.from(doc[0], Metadata.from("topic", doc[1]));
        store.add(model.embed(segment).content(), segment);
      }
      matches = store.search(EmbeddingSearchRequest.builder()
          .queryEmbedding(model.embed("Which animal enjoys walking?").content())
          .filter(metadataKey("topic").isEqualTo("pets"))
          .maxResults(2)
          .minScore(0.6)
          .build()).matches();
      matches.forEach(m -> System.out.printf("%.3f %s%n", m.score(), m.embedded().text()));
    }
    // --- README LangChain4j quick start ends
    assertTrue(!matches.isEmpty() && matches.size() <= 2, "matches: " + matches);
    assertEquals("Dogs love long walks in the park.", matches.get(0).embedded().text());
    matches.forEach(m -> assertEquals("pets", m.embedded().metadata().getString("topic")));
    matches.forEach(m -> assertTrue(m.score() >= 0.6, "score " + m.score()));
  }

  @Test
  void readmesShowThisCode() throws IOException {
    // Surefire runs in the module directory. The test differs from the README only in where the
    // database goes and in declaring `matches` before the block, so it can be checked after.
    List<String> test = block(Files.readAllLines(Path.of("src/test/java/io/iqdb/langchain4j/QuickStartTest.java")),
        "// --- README LangChain4j quick start begins", "// --- README LangChain4j quick start ends").stream()
        .map(l -> l.replace(".path(path)", ".path(Path.of(\"rag.iqdb\"))")
            .replace("matches = store", "List<EmbeddingMatch<TextSegment>> matches = store"))
        .map(QuickStartTest::normalize)
        .toList();
    for (Path readme : List.of(Path.of("README.md"), Path.of("../README.md"))) {
      List<String> lines = Files.readAllLines(readme);
      int start = lines.indexOf("EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();");
      assertTrue(start >= 0, readme + " has no LangChain4j quick start");
      List<String> shown = lines.subList(start, start + test.size()).stream().map(QuickStartTest::normalize).toList();
      assertEquals(test, shown, readme + " differs from the tested quick start");
    }
  }

  /** Code with runs of blanks as one space, so that aligning comments differently does not count. */
  private static String normalize(String line) {
    return line.strip().replaceAll("\\s+", " ");
  }

  private static List<String> block(List<String> lines, String begin, String end) {
    int from = lines.stream().map(String::strip).toList().indexOf(begin) + 1;
    int to = lines.stream().map(String::strip).toList().indexOf(end);
    return lines.subList(from, to).stream().map(String::strip).toList();
  }
}
