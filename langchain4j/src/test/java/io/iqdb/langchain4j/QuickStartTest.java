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
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LangChain4j quick start of langchain4j/README.md (and the root README), compiled and run. Keep them in sync. */
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
}
