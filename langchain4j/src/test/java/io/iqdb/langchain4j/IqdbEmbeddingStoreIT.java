package io.iqdb.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreIT;
import io.iqdb.IndexSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * LangChain4j's basic store suite, unmodified, on an on-disk database (SYNC durability, flat
 * index). Every inherited test runs; none is overridden.
 */
class IqdbEmbeddingStoreIT extends EmbeddingStoreIT {

  @TempDir static Path dir;

  private static IqdbEmbeddingStore store;

  @BeforeAll
  static void open() {
    store = IqdbEmbeddingStore.builder()
        .path(dir.resolve("it.iqdb"))
        .dimension(TestModel.MODEL.dimension())
        .index(IndexSpec.flat())
        .build();
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return TestModel.MODEL;
  }

  @Override
  protected void clearStore() {
    store.removeAll();
  }
}
