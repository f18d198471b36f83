package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import io.iqdb.SearchRequest;
import io.iqdb.codecs.IqdbCodec;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.knn.KnnSearchStrategy;

/** Maps a collection's {@link IndexSpec} to the codec's vector formats and search knobs. */
final class IndexFormats {
  private final CollectionConfig config;

  IndexFormats(CollectionConfig config) {
    this.config = config;
  }

  static VectorSimilarityFunction similarity(Metric metric) {
    return switch (metric) {
      case COSINE -> VectorSimilarityFunction.COSINE;
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
      case DOT -> VectorSimilarityFunction.DOT_PRODUCT;
      case MAX_INNER_PRODUCT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    };
  }

  /** The default oversampling factor of a quantization. */
  static float defaultOversample(Quantization q) {
    return switch (q) {
      case NONE -> 1f;
      case INT8, INT7 -> 2f;
      case INT4 -> 3f;
      case BIT1 -> 5f;
    };
  }

  Codec codec() {
    KnnVectorsFormat format = vectorFormat();
    return new IqdbCodec(field -> format);
  }

  private KnnVectorsFormat vectorFormat() {
    IndexSpec index = config.index();
    if (index.quantization() != Quantization.NONE) {
      throw new InvalidArgumentException(
          "quantization " + index.quantization() + " is not supported yet by index " + index);
    }
    return switch (index) {
      case IndexSpec.Hnsw h -> new Lucene99HnswVectorsFormat(h.m(), h.beamWidth());
      case IndexSpec.Flat f -> new Lucene99HnswVectorsFormat();
      case IndexSpec.Ivf ivf ->
          throw new InvalidArgumentException("IVF index is not supported yet; index=" + ivf);
    };
  }

  /** Whether flat search runs as the database's own exact scan. */
  boolean flatSearchIsExactHere() {
    return true;
  }

  /** Whether the index rescores quantized candidates itself. */
  boolean rescoresInternally(IndexSpec index) {
    return false;
  }

  /** The codec search strategy for a request, or {@code null} for Lucene's default. */
  KnnSearchStrategy searchStrategy(SearchRequest request) {
    return null;
  }
}
