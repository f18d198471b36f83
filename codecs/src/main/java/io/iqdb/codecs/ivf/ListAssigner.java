package io.iqdb.codecs.ivf;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.util.VectorUtil;

/**
 * Puts every vector of a segment into the list of its nearest centroid, once {@link KMeans} has
 * trained the centroids. Exact, but it skips centroids that cannot be nearest: with many centroids
 * it searches them by {@link CentroidGroups} (the triangle inequality rules most groups out), and
 * at a merge it looks among the new centroids nearest to the vector's previous list's centroid.
 */
final class ListAssigner {

  /** Candidate centroids per hint: the new centroids nearest to each previous centroid. */
  static final int HINT_CANDIDATES = 16;

  private ListAssigner() {}

  /**
   * The nearest centroid of every vector.
   *
   * @param chunks where the distance computations run
   * @param vectors the vectors
   * @param centroids the centroids
   * @return the index of each vector's nearest centroid
   */
  static int[] assign(Chunks chunks, KMeans.Vectors vectors, float[][] centroids)
      throws IOException {
    return assign(chunks, vectors, centroids, null, null);
  }

  /**
   * The nearest centroid of every vector, searched among a few candidates when a hint says which
   * previous centroid the vector belonged to: its nearest new centroid is almost always among the
   * new centroids nearest to its previous one. This spares merges most distance computations.
   *
   * @param chunks where the distance computations run
   * @param vectors the vectors
   * @param centroids the centroids
   * @param hints per vector, the index of its previous centroid, or -1 (searched exhaustively);
   *     null for none
   * @param previous the previous centroids the hints refer to; null if {@code hints} is null
   * @return the index of each vector's nearest (or nearest candidate) centroid
   */
  static int[] assign(
      Chunks chunks, KMeans.Vectors vectors, float[][] centroids, int[] hints, float[][] previous)
      throws IOException {
    int n = vectors.size();
    int[] listOf = new int[n];
    int[][] candidates =
        hints == null || centroids.length <= HINT_CANDIDATES
            ? null
            : nearestCentroids(chunks, previous, centroids, HINT_CANDIDATES);
    boolean unhinted = candidates == null || Arrays.stream(hints).anyMatch(h -> h < 0);
    CentroidGroups groups =
        unhinted && centroids.length > KMeans.HIERARCHY_MIN_K
            ? CentroidGroups.of(chunks, centroids)
            : null;
    int perVector =
        candidates != null ? HINT_CANDIDATES : groups != null ? groups.cost() : centroids.length;
    long work = (long) n * perVector * (centroids.length == 0 ? 0 : centroids[0].length);
    // vector views are not thread-safe: each chunk run elsewhere reads through its own copy
    boolean parallel = chunks.parallel(n, Chunks.VECTORS, work);
    chunks.forEach(
        n,
        Chunks.VECTORS,
        work,
        (from, to) -> {
          KMeans.Vectors view = parallel ? vectors.copy() : vectors;
          for (int ord = from; ord < to; ord++) {
            float[] v = view.vector(ord);
            int hint = candidates == null ? -1 : hints[ord];
            listOf[ord] =
                hint >= 0
                    ? nearest(v, centroids, candidates[hint])
                    : groups != null ? groups.nearest(v, centroids) : nearest(v, centroids);
          }
        });
    return listOf;
  }

  /** For each of {@code from}, the indexes of its {@code m} nearest {@code to} vectors. */
  static int[][] nearestCentroids(Chunks chunks, float[][] from, float[][] to, int m)
      throws IOException {
    int[][] nearest = new int[from.length][m];
    chunks.forEach(
        from.length,
        Chunks.VECTORS / 16,
        (long) from.length * to.length * to[0].length,
        (start, end) -> {
          long[] keys = new long[to.length];
          for (int i = start; i < end; i++) {
            for (int j = 0; j < to.length; j++) {
              float d = VectorUtil.squareDistance(from[i], to[j]);
              // non-negative floats sort like their bits
              keys[j] = ((long) Float.floatToIntBits(d) << 32) | j;
            }
            Arrays.sort(keys);
            for (int c = 0; c < m; c++) {
              nearest[i][c] = (int) keys[c];
            }
          }
        });
    return nearest;
  }

  private static int nearest(float[] v, float[][] centroids, int[] candidates) {
    int best = candidates[0];
    float bestDist = Float.POSITIVE_INFINITY;
    for (int j : candidates) {
      float d = VectorUtil.squareDistance(v, centroids[j]);
      if (d < bestDist) {
        best = j;
        bestDist = d;
      }
    }
    return best;
  }

  /**
   * The nearest centroid by squared L2 distance.
   *
   * @param v a vector
   * @param centroids the centroids
   * @return the index of the nearest
   */
  static int nearest(float[] v, float[][] centroids) {
    int best = 0;
    float bestDist = Float.POSITIVE_INFINITY;
    for (int j = 0; j < centroids.length; j++) {
      float d = VectorUtil.squareDistance(v, centroids[j]);
      if (d < bestDist) {
        best = j;
        bestDist = d;
      }
    }
    return best;
  }
}
