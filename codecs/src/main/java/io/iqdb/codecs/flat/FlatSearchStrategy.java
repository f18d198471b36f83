package io.iqdb.codecs.flat;

import java.util.Objects;
import org.apache.lucene.search.knn.KnnSearchStrategy;

/**
 * Per-query knobs of iQDB's flat formats, passed as the strategy of a {@code KnnFloatVectorQuery}:
 * the oversampling factor of quantized variants, i.e. how many approximate candidates ({@code k *
 * oversample}) are rescored against the full-precision vectors.
 */
public final class FlatSearchStrategy extends KnnSearchStrategy {

  private final float oversample;

  /**
   * A strategy with an oversampling factor.
   *
   * @param oversample at least 1; candidates rescored per hit wanted
   * @throws IllegalArgumentException if {@code oversample} is below 1 or not finite
   */
  public FlatSearchStrategy(float oversample) {
    if (!(oversample >= 1f) || Float.isInfinite(oversample)) {
      throw new IllegalArgumentException(
          "oversample must be finite and >= 1; oversample=" + oversample);
    }
    this.oversample = oversample;
  }

  /**
   * The oversampling factor.
   *
   * @return at least 1
   */
  public float oversample() {
    return oversample;
  }

  /**
   * The oversampling factor a query asks for.
   *
   * @param strategy the collector's strategy, possibly wrapped by Lucene
   * @param defaultValue the value when the query does not say
   * @return the factor
   */
  static float oversample(KnnSearchStrategy strategy, float defaultValue) {
    if (strategy instanceof KnnSearchStrategy.Seeded seeded) {
      strategy = seeded.originalStrategy();
    }
    return strategy instanceof FlatSearchStrategy flat ? flat.oversample : defaultValue;
  }

  @Override
  public void nextVectorsBlock() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof FlatSearchStrategy other && other.oversample == oversample;
  }

  @Override
  public int hashCode() {
    return Objects.hash(FlatSearchStrategy.class, oversample);
  }

  @Override
  public String toString() {
    return "FlatSearchStrategy[oversample=" + oversample + "]";
  }
}
