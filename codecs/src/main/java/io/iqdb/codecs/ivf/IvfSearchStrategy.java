package io.iqdb.codecs.ivf;

import java.util.Objects;
import org.apache.lucene.search.knn.KnnSearchStrategy;

/**
 * Per-query knobs of the IVF format, passed as the strategy of a query: {@code new
 * KnnFloatVectorQuery(field, target, k, filter, new IvfSearchStrategy(probes))}.
 *
 * <p>{@code probes} is the number of lists scanned per segment (more lists, higher recall, lower
 * speed). The scan widens beyond it, lists nearest first, while fewer vectors were accepted than a
 * target: {@code sqrt(a)} times the vectors the first {@code probes} lists hold, where {@code a} is
 * the share of the segment's vectors the accept docs (filter, deletions) accept, estimated as their
 * cost over the vector count, and at least
 * the candidates wanted ({@code k}, or {@code k * oversample} for codes). Without a filter or
 * deletions the target is what the first lists hold, so the scan widens only when they hold fewer
 * vectors than the candidates wanted. A filter's nearest matches lie further out than the nearest
 * vectors; widening by {@code sqrt(a)} rather than {@code 1 / a} keeps a selective filter from
 * scanning the whole segment. The scan also stops at the collector's visit limit. {@code
 * oversample} applies to quantized variants: the best {@code k * oversample} candidates by code are
 * rescored against the full-precision vectors.
 */
public final class IvfSearchStrategy extends KnnSearchStrategy {

  private final int probes;
  private final float oversample;
  private final double targetRecall;

  /**
   * A strategy with a probe count and the format's default oversampling.
   *
   * @param probes at least 1, or 0 for the format's default
   * @throws IllegalArgumentException if {@code probes} is negative
   */
  public IvfSearchStrategy(int probes) {
    this(probes, 0f);
  }

  /**
   * A strategy with a probe count and an oversampling factor.
   *
   * @param probes at least 1, or 0 for the format's default
   * @param oversample at least 1, or 0 for the format's default
   * @throws IllegalArgumentException if a value is out of range
   */
  public IvfSearchStrategy(int probes, float oversample) {
    this(probes, oversample, 0);
  }

  /**
   * A strategy with a probe count or a target recall, and an oversampling factor. Without a probe
   * count, a segment that measured its recall curve when it was written ({@link
   * io.iqdb.codecs.RecallCurve}) probes the fewest lists that reached {@code targetRecall} at
   * k = {@value io.iqdb.codecs.RecallCalibrator#K} (for a larger k, that count times {@code
   * sqrt(k / 10)}, a heuristic); a segment without a curve uses the format's default.
   *
   * @param probes at least 1, or 0 to follow the target recall (or the format's default)
   * @param oversample at least 1, or 0 for the format's default
   * @param targetRecall in (0, 1], or 0 for the format's default probe count
   * @throws IllegalArgumentException if a value is out of range
   */
  public IvfSearchStrategy(int probes, float oversample, double targetRecall) {
    if (!(targetRecall >= 0 && targetRecall <= 1)) {
      throw new IllegalArgumentException(
          "targetRecall must be 0 (none) or in (0, 1]; targetRecall=" + targetRecall);
    }
    if (probes < 0) {
      throw new IllegalArgumentException("probes must be >= 0 (0: the default); probes=" + probes);
    }
    if (oversample != 0f && (!(oversample >= 1f) || Float.isInfinite(oversample))) {
      throw new IllegalArgumentException(
          "oversample must be 0 (default) or finite and >= 1; oversample=" + oversample);
    }
    this.probes = probes;
    this.oversample = oversample;
    this.targetRecall = targetRecall;
  }

  /**
   * The recall the probe count is chosen for when {@link #probes()} is 0.
   *
   * @return in (0, 1], or 0 for none
   */
  public double targetRecall() {
    return targetRecall;
  }

  /**
   * The number of lists scanned per segment.
   *
   * @return at least 1, or 0 for the format's default
   */
  public int probes() {
    return probes;
  }

  /**
   * The oversampling factor of quantized variants.
   *
   * @return at least 1, or 0 for the format's default
   */
  public float oversample() {
    return oversample;
  }

  /**
   * The IVF strategy of a query, looking through Lucene's wrapping of it.
   *
   * @param strategy a collector's strategy
   * @return the IVF strategy, or null if the query did not give one
   */
  static IvfSearchStrategy of(KnnSearchStrategy strategy) {
    if (strategy instanceof KnnSearchStrategy.Seeded seeded) {
      strategy = seeded.originalStrategy();
    }
    return strategy instanceof IvfSearchStrategy ivf ? ivf : null;
  }

  @Override
  public void nextVectorsBlock() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof IvfSearchStrategy other
        && other.probes == probes
        && other.oversample == oversample
        && other.targetRecall == targetRecall;
  }

  @Override
  public int hashCode() {
    return Objects.hash(probes, oversample, targetRecall);
  }

  @Override
  public String toString() {
    return "IvfSearchStrategy[probes="
        + probes
        + ", oversample="
        + oversample
        + ", targetRecall="
        + targetRecall
        + "]";
  }
}
