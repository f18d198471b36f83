package io.iqdb.springai.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.Iqdb;
import io.iqdb.springai.IqdbVectorStore;
import io.iqdb.springai.MiniLmEmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

/**
 * The README's Spring AI quick start (spring-ai/README.md and the root README), compiled and run.
 * Keep the three in sync. It lives outside {@code io.iqdb.springai} so that it uses public API only.
 */
class SpringAiQuickStartTest {

  @Test
  void quickStart(@TempDir Path tmp) {
    EmbeddingModel embeddingModel = MiniLmEmbeddingModel.INSTANCE;
    Path path = tmp.resolve("rag.iqdb");
    // --- README Spring AI quick start begins
    try (Iqdb db = Iqdb.open(path)) {
      VectorStore store = IqdbVectorStore.builder(db, embeddingModel) // any Spring AI EmbeddingModel
          .collectionName("docs")
          .build();
      store.add(List.of(
          new Document("iQDB is an embedded vector database for the JVM", Map.of("country", "UK", "year", 2024)),
          new Document("Lucene is a search library written in Java", Map.of("country", "UK", "year", 2019)),
          new Document("Stroopwafels are a Dutch treat", Map.of("country", "NL", "year", 2023))));

      List<Document> hits = store.similaritySearch(SearchRequest.builder()
          .query("an embedded database for vectors")
          .topK(3)
          .similarityThreshold(0.2)
          .filterExpression("country == 'UK' && year >= 2020")
          .build());
      store.delete("year < 2020");
      // --- README Spring AI quick start ends
      assertEquals(1, hits.size());
      assertEquals("iQDB is an embedded vector database for the JVM", hits.get(0).getText());
      assertEquals(2024, hits.get(0).getMetadata().get("year"));
      assertTrue(hits.get(0).getScore() > 0.2, "score " + hits.get(0).getScore());
    }
    try (Iqdb db = Iqdb.open(path)) {
      assertEquals(2, db.collection("docs").count()); // the 2019 document was deleted
    }
  }

  /** The READMEs show the code between the markers of this file, modulo indentation. */
  @Test
  void readmesShowThisCode() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/iqdb/springai/quickstart/SpringAiQuickStartTest.java"));
    String quickStart = between(source, "Spring AI quick start");
    String config = between(source, "Spring AI configuration");
    String moduleReadme = normalize(Files.readString(Path.of("README.md")));
    String rootReadme = normalize(Files.readString(Path.of("../README.md")));
    assertTrue(moduleReadme.contains(quickStart), "spring-ai/README.md lacks the quick start:\n" + quickStart);
    assertTrue(moduleReadme.contains(config), "spring-ai/README.md lacks the configuration:\n" + config);
    assertTrue(rootReadme.contains(quickStart), "README.md lacks the Spring AI quick start:\n" + quickStart);
  }

  private static String between(String source, String what) {
    // Built here, so that this method's own text does not contain the markers.
    String marker = "// --- README " + what;
    int from = source.indexOf(marker + " begins");
    int to = source.indexOf(marker + " ends");
    assertTrue(from >= 0 && to > from, marker);
    return normalize(source.substring(source.indexOf('\n', from) + 1, to));
  }

  /** Lines stripped of leading and trailing blanks, empty lines dropped. */
  private static String normalize(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
  }

  // --- README Spring AI configuration begins
  @Configuration
  static class VectorStoreConfig {

    @Bean(destroyMethod = "close")
    Iqdb iqdb(@Value("${iqdb.path:rag.iqdb}") Path path) {
      return Iqdb.open(path);
    }

    @Bean
    IqdbVectorStore vectorStore(Iqdb iqdb, EmbeddingModel embeddingModel) {
      return IqdbVectorStore.builder(iqdb, embeddingModel).build();
    }
  }
  // --- README Spring AI configuration ends

  @Test
  void springConfiguration(@TempDir Path tmp) {
    Iqdb db;
    try (AnnotationConfigApplicationContext ctx = new AnnotationConfigApplicationContext()) {
      ctx.getEnvironment().getPropertySources()
          .addFirst(new MapPropertySource("test", Map.of("iqdb.path", tmp.resolve("ctx.iqdb").toString())));
      ctx.registerBean(EmbeddingModel.class, () -> MiniLmEmbeddingModel.INSTANCE);
      ctx.register(VectorStoreConfig.class);
      ctx.refresh();
      VectorStore store = ctx.getBean(VectorStore.class);
      store.add(List.of(new Document("wired by Spring", Map.of("k", "v"))));
      assertEquals("wired by Spring", store.similaritySearch("Spring").get(0).getText());
      db = ctx.getBean(Iqdb.class);
    }
    assertTrue(db.isClosed(), "the context closes the database");
  }
}
