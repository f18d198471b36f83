package io.iqdb.codecs.flat;

import io.iqdb.codecs.Oversampling;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.util.hnsw.NeighborQueue;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.quantization.BaseQuantizedByteVectorValues;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues;
import org.apache.lucene.util.quantization.QuantizedVectorsReader;

/**
 * Exact search over a flat reader. With a quantized delegate, every vector is scored on its
 * quantized code, and the best {@code k * oversample} are rescored against the raw vectors.
 */
final class FlatSearchReader extends KnnVectorsReader {

  private final FlatVectorsReader delegate;
  private final FieldInfos fieldInfos;
  private final Map<String, Float> defaultOversample = new ConcurrentHashMap<>();

  FlatSearchReader(FlatVectorsReader delegate, FieldInfos fieldInfos) {
    this.delegate = delegate;
    this.fieldInfos = fieldInfos;
  }

  @Override
  public void checkIntegrity() throws IOException {
    delegate.checkIntegrity();
  }

  @Override
  public FloatVectorValues getFloatVectorValues(String field) throws IOException {
    FloatVectorValues values = delegate.getFloatVectorValues(field);
    if (values == null || delegate instanceof QuantizedVectorsReader == false) {
      return values;
    }
    return new ExactScoringVectorValues(values);
  }

  @Override
  public ByteVectorValues getByteVectorValues(String field) throws IOException {
    return delegate.getByteVectorValues(field);
  }

  @Override
  public void search(String field, float[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    if (collector.k() == 0) {
      return;
    }
    RandomVectorScorer scorer = delegate.getRandomVectorScorer(field, target);
    if (scorer == null || scorer.maxOrd() == 0) {
      return;
    }
    float oversample = defaultOversample.computeIfAbsent(field, this::defaultOversample);
    if (oversample == 0f) {
      ExactSearch.search(scorer, collector, acceptDocs.bits());
      return;
    }
    oversample = FlatSearchStrategy.oversample(collector.getSearchStrategy(), oversample);
    int candidates = (int) Math.min(scorer.maxOrd(), Math.ceil(collector.k() * oversample));
    NeighborQueue best = ExactSearch.candidates(scorer, collector, acceptDocs.bits(), candidates);
    FieldInfo info = fieldInfos.fieldInfo(field);
    ExactSearch.rescore(
        best,
        delegate.getFloatVectorValues(field),
        info.getVectorSimilarityFunction(),
        target,
        collector);
  }

  /** 0 for raw vectors; otherwise the default of the code width. */
  private float defaultOversample(String field) {
    if (delegate instanceof QuantizedVectorsReader quantized) {
      try {
        BaseQuantizedByteVectorValues values = quantized.getQuantizedVectorValues(field);
        if (values instanceof QuantizedByteVectorValues q) {
          return Oversampling.flat(q.getScalarEncoding().getBits());
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return 0f;
  }

  @Override
  public void search(String field, byte[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    if (collector.k() == 0) {
      return;
    }
    RandomVectorScorer scorer = delegate.getRandomVectorScorer(field, target);
    if (scorer != null) {
      ExactSearch.search(scorer, collector, acceptDocs.bits());
    }
  }

  @Override
  public Map<String, Long> getOffHeapByteSize(FieldInfo fieldInfo) {
    return delegate.getOffHeapByteSize(fieldInfo);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
