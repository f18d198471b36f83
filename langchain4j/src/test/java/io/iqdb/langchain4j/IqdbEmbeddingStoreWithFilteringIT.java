package io.iqdb.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * LangChain4j's filtering suite (which includes the basic suite), unmodified, on an in-memory
 * database with the default HNSW index. {@code ContainsString} is supported, so the suite's
 * contains tests run and its "contains is not supported" test is skipped by the suite itself.
 */
class IqdbEmbeddingStoreWithFilteringIT extends EmbeddingStoreWithFilteringIT {

  private static IqdbEmbeddingStore store;

  @BeforeAll
  static void open() {
    store = IqdbEmbeddingStore.builder().inMemory().dimension(TestModel.MODEL.dimension()).build();
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

  @Override
  protected boolean supportsContains() {
    return true;
  }
}
