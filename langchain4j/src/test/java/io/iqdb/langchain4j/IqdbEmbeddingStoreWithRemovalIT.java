package io.iqdb.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import io.iqdb.Iqdb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * LangChain4j's removal suite, unmodified, on a store over a database the test opened (the store
 * must leave it open). The suite has no clean-up hook of its own, so each test starts from an
 * emptied store.
 */
class IqdbEmbeddingStoreWithRemovalIT extends EmbeddingStoreWithRemovalIT {

  private static Iqdb db;
  private static IqdbEmbeddingStore store;

  @BeforeAll
  static void open() {
    db = Iqdb.openInMemory();
    store = IqdbEmbeddingStore.builder()
        .database(db)
        .collectionName("removal")
        .dimension(TestModel.MODEL.dimension())
        .build();
  }

  @AfterAll
  static void close() {
    store.close();
    db.close();
  }

  @BeforeEach
  void empty() {
    store.removeAll();
  }

  @Override
  protected EmbeddingStore<TextSegment> embeddingStore() {
    return store;
  }

  @Override
  protected EmbeddingModel embeddingModel() {
    return TestModel.MODEL;
  }
}
