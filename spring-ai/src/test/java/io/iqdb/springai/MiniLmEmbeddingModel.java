package io.iqdb.springai;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

/**
 * all-MiniLM-L6-v2 (quantized, 384 dimensions) as a Spring AI {@link EmbeddingModel}, for tests.
 *
 * <p>Spring AI's own {@code TransformersEmbeddingModel} downloads its ONNX weights at run time, which
 * fails on machines without internet access; LangChain4j publishes the same model inside a jar on
 * Maven Central, so it runs offline. One instance is shared: loading the model takes a second.
 */
public final class MiniLmEmbeddingModel implements EmbeddingModel {

  /** The shared instance. */
  public static final MiniLmEmbeddingModel INSTANCE = new MiniLmEmbeddingModel();

  private final AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();

  private MiniLmEmbeddingModel() {}

  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    List<TextSegment> segments = request.getInstructions().stream().map(TextSegment::from).toList();
    var vectors = model.embedAll(segments).content();
    List<Embedding> embeddings = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      embeddings.add(new Embedding(vectors.get(i).vector(), i));
    }
    return new EmbeddingResponse(embeddings);
  }

  @Override
  public float[] embed(Document document) {
    return embed(document.getText());
  }

  @Override
  public int dimensions() {
    return model.dimension();
  }
}
