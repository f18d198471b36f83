package io.iqdb.codecs.dedup;

import io.iqdb.codecs.RecallCalibrator;
import io.iqdb.codecs.RecallCurve;
import java.util.Objects;
import org.apache.lucene.search.knn.KnnSearchStrategy;

/**
 * An HNSW search that asks for a recall instead of an {@code ef}: {@code new
 * KnnFloatVectorQuery(field, target, k, filter, new TargetRecallStrategy(0.95, k, 100))}. Each
 * segment written by {@link DedupVectorsFormat} searches its graph with the smallest {@code ef}
 * that reached the target recall@{@value RecallCalibrator#K} when the segment was written (its
 * {@link io.iqdb.codecs.RecallCurve}), whatever the query's own k, and passes what it found to
 * the query's collector. For {@code k} above {@value RecallCalibrator#K} that {@code ef} is scaled
 * by {@code k / 10} (a heuristic: recall at larger k was not calibrated). A segment without a
 * curve (written before calibration) searches with {@code fallbackEf}, at least the collector's
 * k. Filtered searches behave as with {@link KnnSearchStrategy.Hnsw#DEFAULT}.
 */
public final class TargetRecallStrategy extends KnnSearchStrategy.Hnsw {

  private final double targetRecall;
  private final int k;
  private final int fallbackEf;

  /**
   * A strategy for a target recall.
   *
   * @param targetRecall the recall wanted, in (0, 1]
   * @param k the number of results the caller wants (scales the calibrated {@code ef} above
   *     {@value RecallCalibrator#K})
   * @param fallbackEf the {@code ef} of segments without a calibration, at least 1
   * @throws IllegalArgumentException if a value is out of range
   */
  public TargetRecallStrategy(double targetRecall, int k, int fallbackEf) {
    super(KnnSearchStrategy.DEFAULT_FILTERED_SEARCH_THRESHOLD);
    if (!(targetRecall > 0 && targetRecall <= 1)) {
      throw new IllegalArgumentException(
          "targetRecall must be in (0, 1]; targetRecall=" + targetRecall);
    }
    if (k < 1 || fallbackEf < 1) {
      throw new IllegalArgumentException(
          "k and fallbackEf must be >= 1; k=" + k + ", fallbackEf=" + fallbackEf);
    }
    this.targetRecall = targetRecall;
    this.k = k;
    this.fallbackEf = fallbackEf;
  }

  /**
   * The recall wanted.
   *
   * @return in (0, 1]
   */
  public double targetRecall() {
    return targetRecall;
  }

  /**
   * The {@code ef} a segment searches with, given its calibrated {@code ef} for the target.
   *
   * @param calibratedEf the segment's calibrated {@code ef}, or -1 if it has none
   * @return the {@code ef} to search with
   */
  public int ef(int calibratedEf) {
    if (calibratedEf < 0) {
      return fallbackEf;
    }
    if (k <= RecallCalibrator.K) {
      return calibratedEf;
    }
    return (int) Math.min(Integer.MAX_VALUE, (long) calibratedEf * k / RecallCalibrator.K);
  }

  /**
   * The {@code ef} a segment searches with for a collector of {@code candidates}: its calibrated
   * {@code ef} for the target ({@link #ef(int)}), never fewer than the candidates.
   *
   * @param curve the segment's recall curve, or null if it has none
   * @param candidates the collector's size (the query's k, or k times the oversampling)
   * @return the {@code ef} to search with
   */
  public int ef(RecallCurve curve, int candidates) {
    return Math.max(candidates, ef(curve == null ? -1 : curve.parameterFor(targetRecall)));
  }

  /**
   * The target-recall strategy of a query, looking through Lucene's wrapping of it.
   *
   * @param strategy a collector's strategy
   * @return the strategy, or null if the query did not give one
   */
  static TargetRecallStrategy of(KnnSearchStrategy strategy) {
    if (strategy instanceof KnnSearchStrategy.Seeded seeded) {
      strategy = seeded.originalStrategy();
    }
    return strategy instanceof TargetRecallStrategy t ? t : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TargetRecallStrategy other
        && other.targetRecall == targetRecall
        && other.k == k
        && other.fallbackEf == fallbackEf;
  }

  @Override
  public int hashCode() {
    return Objects.hash(targetRecall, k, fallbackEf);
  }

  @Override
  public String toString() {
    return "TargetRecallStrategy[targetRecall=" + targetRecall + ", k=" + k + ", fallbackEf="
        + fallbackEf + "]";
  }
}
