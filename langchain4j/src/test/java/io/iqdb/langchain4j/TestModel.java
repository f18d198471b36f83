package io.iqdb.langchain4j;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

/** The embedding model LangChain4j's store suites use: quantized all-MiniLM-L6-v2, run in-process. */
final class TestModel {

  /** Loaded once per JVM: loading the ONNX model takes about a second. */
  static final EmbeddingModel MODEL = new AllMiniLmL6V2QuantizedEmbeddingModel();

  private TestModel() {}
}
