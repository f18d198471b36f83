package io.iqdb.codecs.ivf;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.apache.lucene.util.VectorUtil;

/**
 * Many centroids clustered into about {@code sqrt(k)} groups, to find a vector's nearest centroid
 * exactly with fewer distance computations. Groups are searched nearest center first. By the
 * triangle inequality a centroid {@code c} of a group with center {@code g} is at least {@code
 * |d(v, g) - d(c, g)|} from the vector {@code v}, so it is skipped when that bound exceeds the
 * best distance found so far, and a whole group when {@code d(v, g)} minus its radius does. On
 * Fashion-MNIST (784 dimensions, 256 centroids) a vector is compared with 16 centers and about 75
 * centroids instead of 256.
 */
record CentroidGroups(float[][] centers, float[] radii, int[][] members, float[] toCenter) {

  /** Relative slack of the bounds, for float rounding: a skip must never lose the nearest. */
  private static final float SLACK = 1e-4f;

  /** Lloyd iterations grouping the centroids. */
  private static final int ITERATIONS = 8;

  /**
   * Groups centroids.
   *
   * @param chunks where the distance computations run
   * @param centroids the centroids, at least one
   * @return their groups
   */
  static CentroidGroups of(Chunks chunks, float[][] centroids) throws IOException {
    int k = centroids.length;
    float[][] centers = new float[(int) Math.round(Math.sqrt(k))][];
    Random random = new Random(k);
    KMeans.seed(centroids, centers, 0, random);
    KMeans.lloyd(chunks, centroids, centers, null, ITERATIONS, random);
    int[] groupOf = new int[k];
    int[] sizes = new int[centers.length];
    float[] toCenter = new float[k];
    float[] radii = new float[centers.length];
    for (int j = 0; j < k; j++) {
      int g = ListAssigner.nearest(centroids[j], centers);
      groupOf[j] = g;
      sizes[g]++;
      toCenter[j] = (float) Math.sqrt(VectorUtil.squareDistance(centroids[j], centers[g]));
      radii[g] = Math.max(radii[g], toCenter[j]);
    }
    int[][] members = new int[centers.length][];
    for (int g = 0; g < centers.length; g++) {
      members[g] = new int[sizes[g]];
    }
    int[] fill = new int[centers.length];
    for (int j = 0; j < k; j++) {
      members[groupOf[j]][fill[groupOf[j]]++] = j;
    }
    return new CentroidGroups(centers, radii, members, toCenter);
  }

  /** Distance computations per vector, a guess for the parallelism threshold. */
  int cost() {
    return centers.length + toCenter.length / 3;
  }

  /**
   * The nearest centroid by squared L2 distance.
   *
   * @param v a vector
   * @param centroids the centroids the groups were made of
   * @return the index of the nearest
   */
  int nearest(float[] v, float[][] centroids) {
    int groups = centers.length;
    float[] centerDist = new float[groups];
    long[] order = new long[groups];
    for (int g = 0; g < groups; g++) {
      centerDist[g] = (float) Math.sqrt(VectorUtil.squareDistance(v, centers[g]));
      // non-negative floats sort like their bits
      order[g] = ((long) Float.floatToIntBits(centerDist[g]) << 32) | g;
    }
    Arrays.sort(order);
    int best = 0;
    float bestDist = Float.POSITIVE_INFINITY;
    float bestNorm = Float.POSITIVE_INFINITY;
    for (long key : order) {
      int g = (int) key;
      float dg = centerDist[g];
      if (dg - radii[g] - SLACK * (dg + radii[g]) > bestNorm) {
        continue;
      }
      for (int j : members[g]) {
        if (Math.abs(dg - toCenter[j]) - SLACK * (dg + toCenter[j]) > bestNorm) {
          continue;
        }
        float d = VectorUtil.squareDistance(v, centroids[j]);
        if (d < bestDist) {
          best = j;
          bestDist = d;
          bestNorm = (float) Math.sqrt(d);
        }
      }
    }
    return best;
  }
}
