package io.iqdb.bench.data;

import java.util.Arrays;

/**
 * Recall@k counted as ann-benchmarks counts it, so that exact duplicates do not make a correct
 * answer look wrong: a returned vector is a hit when it is at least as close to the query as the
 * k-th true neighbour. Real data has exact duplicates (a licence paragraph in a hundred packages);
 * when the k-th neighbour has copies, any of them is as right as the one the ground truth happened
 * to list, and an id-based recall would count it as a miss.
 *
 * <p>Distances are {@link GroundTruth#distance}, the function the ground truth was computed with,
 * so a duplicate's distance equals the k-th neighbour's exactly; a relative tolerance of
 * {@value #TOLERANCE} absorbs the last-bit differences of the SIMD sums.
 */
public final class TieAwareRecall {
  /** The relative tolerance on the k-th neighbour's distance. */
  public static final double TOLERANCE = 1e-6;

  private final Dataset dataset;
  private final int k;
  private final float[] thresholds;

  /**
   * Prepares the recall of a dataset's queries.
   *
   * @param dataset the dataset
   * @param truth the exact neighbours of each query, nearest first (at least {@code k} each)
   * @param k the cut-off
   */
  public TieAwareRecall(Dataset dataset, int[][] truth, int k) {
    if (truth.length < dataset.queries().length) {
      throw new IllegalArgumentException(
          "ground truth for " + truth.length + " queries; the dataset has " + dataset.queries().length);
    }
    this.dataset = dataset;
    this.k = k;
    this.thresholds = new float[dataset.queries().length];
    for (int q = 0; q < thresholds.length; q++) {
      if (truth[q].length < k) {
        throw new IllegalArgumentException("query " + q + " has " + truth[q].length + " true neighbours; k=" + k);
      }
      float kth = GroundTruth.distance(dataset.metric(), dataset.queries()[q], dataset.train()[truth[q][k - 1]]);
      thresholds[q] = (float) (kth + TOLERANCE * Math.max(1.0, Math.abs(kth)));
    }
  }

  /**
   * Returns the cut-off.
   *
   * @return k
   */
  public int k() {
    return k;
  }

  /**
   * The recall of one query's answer.
   *
   * @param query the query's index in the dataset
   * @param found the ids returned (only the first {@code k} distinct ones count; negative ids, a
   *     system's padding, never do)
   * @return the fraction of {@code k} that are hits, in [0, 1]
   */
  public double recall(int query, int[] found) {
    int[] ids = Arrays.stream(found).limit(k).filter(id -> id >= 0).distinct().toArray();
    int hits = 0;
    for (int id : ids) {
      if (GroundTruth.distance(dataset.metric(), dataset.queries()[query], dataset.train()[id]) <= thresholds[query]) {
        hits++;
      }
    }
    return (double) hits / k;
  }
}
