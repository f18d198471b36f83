package io.iqdb.springai;

import io.iqdb.Iqdb;
import java.util.function.Consumer;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.ai.vectorstore.VectorStore;

/**
 * Spring AI's published conformance suite for vector stores ({@code spring-ai-test}), run on an
 * {@link IqdbVectorStore} over a fresh in-memory database for each test. Every inherited test runs.
 */
class IqdbVectorStoreBaseTest extends BaseVectorStoreTests {

  @Override
  protected void executeTest(Consumer<VectorStore> testFunction) {
    try (Iqdb db = Iqdb.openInMemory()) {
      testFunction.accept(IqdbVectorStore.builder(db, MiniLmEmbeddingModel.INSTANCE).build());
    }
  }
}
