package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.IndexSpec;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import io.iqdb.SearchRequest;
import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import io.iqdb.codecs.Oversampling;
import io.iqdb.codecs.flat.FlatSearchStrategy;
import io.iqdb.codecs.ivf.IvfSearchStrategy;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
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

  /** Bits per dimension of the searched codes, as the codec counts them. */
  static int bits(Quantization q) {
    return switch (q) {
      case NONE -> 32;
      case INT8 -> 8;
      case INT7 -> 7;
      case INT4 -> 4;
      case BIT1 -> 1;
    };
  }

  /** The default oversampling of quantized HNSW, whose candidates the database rescores. */
  static float defaultHnswOversample(Quantization q) {
    return Oversampling.hnsw(bits(q));
  }

  /**
   * The codec of the collection's index.
   *
   * @throws io.iqdb.InvalidArgumentException if the codec refuses the index settings
   */
  Codec codec() {
    KnnVectorsFormat format;
    try {
      format = vectorFormat();
    } catch (IllegalArgumentException e) {
      throw new io.iqdb.InvalidArgumentException(
          "index " + config.index() + " is not supported: " + e.getMessage(), e);
    }
    return new IqdbCodec(field -> format);
  }

  KnnVectorsFormat vectorFormat() {
    int bits = bits(config.index().quantization());
    return switch (config.index()) {
      case IndexSpec.Hnsw h -> IqdbVectorFormats.hnsw(h.m(), h.beamWidth(), bits);
      case IndexSpec.Flat f -> IqdbVectorFormats.flat(bits);
      case IndexSpec.Ivf ivf -> IqdbVectorFormats.ivf(ivf.lists(), bits);
    };
  }

  /**
   * Whether the database oversamples the index's candidates and keeps the best {@code k} at full
   * precision: quantized HNSW. Flat and IVF formats oversample and rescore inside the codec; the
   * quantized HNSW reader of the dedup format rescores the candidates it is asked for, and the
   * database rescores only segments written in Lucene's own format ({@link FullPrecisionRescorer}).
   */
  boolean databaseRescores() {
    return config.index() instanceof IndexSpec.Hnsw && config.index().quantization() != Quantization.NONE;
  }

  /** The codec search strategy for a request, or {@code null} for the format's defaults. */
  KnnSearchStrategy searchStrategy(SearchRequest request) {
    return switch (config.index()) {
      case IndexSpec.Ivf ivf ->
          new IvfSearchStrategy(
              request.probes(), request.oversample(), request.probes() > 0 ? 0 : request.targetRecall());
      case IndexSpec.Flat f -> request.oversample() > 0 ? new FlatSearchStrategy(request.oversample()) : null;
      // an explicit ef is the query's k, as before; see SearchExecutor for the target's path
      case IndexSpec.Hnsw h -> null;
    };
  }
}
