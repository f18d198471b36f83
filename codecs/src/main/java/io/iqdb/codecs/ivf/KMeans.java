package io.iqdb.codecs.ivf;

import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;
import org.apache.lucene.util.VectorUtil;

/**
 * Lloyd's k-means (squared L2) on a uniform sample, seeded by k-means++ (or by previous centroids),
 * kept balanced by splitting the largest cluster whenever a cluster empties and by capping cluster
 * sizes during assignment of the sample: a point whose nearest centroid is already full (more than
 * {@link #BALANCE} times the mean size) goes to its second-nearest centroid when that one has room.
 *
 * <p>More than {@link #HIERARCHY_MIN_K} centroids without a warm start are trained in two levels
 * (about {@code sqrt(k)} coarse clusters, then fine centroids within each in proportion to its
 * size), which costs about {@code 2 sqrt(k)} instead of {@code k} distance computations per sample
 * point and iteration. Once every point's cluster is known, a Lloyd iteration compares it only
 * with the centroids nearest to its own. Results depend on the seed only, not on the executor of
 * the {@link Chunks} the work runs on. Assigning every vector to its list is {@link ListAssigner}'s
 * job.
 */
final class KMeans {

  /** Cluster size cap during training, as a multiple of the mean size. */
  static final float BALANCE = 3f;

  /** Training sample size per centroid. */
  static final int SAMPLE_PER_CENTROID = 32;

  /** Centroid counts above this are trained in two levels (without a warm start). */
  static final int HIERARCHY_MIN_K = 32;

  /** Global Lloyd iterations after two-level training. */
  static final int REFINE_ITERATIONS = 2;

  /** Centroids a sample point is compared with once its cluster is known. */
  static final int NEIGHBORS = 16;

  private KMeans() {}

  /** Random access to the vectors being clustered. */
  interface Vectors {
    int size();

    /** The vector at an ordinal; the array may be reused by the next call. */
    float[] vector(int ord) throws IOException;

    /** An independent view for use on another thread. */
    Vectors copy() throws IOException;
  }

  /**
   * Trains centroids.
   *
   * @param chunks where the distance computations run
   * @param vectors the vectors
   * @param k the number of centroids, at most {@code vectors.size()}
   * @param warmStart initial centroids (any number, possibly none)
   * @param iterations Lloyd iterations
   * @param seed the sampling seed
   * @return k centroids
   */
  static float[][] train(
      Chunks chunks, Vectors vectors, int k, float[][] warmStart, int iterations, long seed)
      throws IOException {
    Random random = new Random(seed);
    int sampleSize = (int) Math.min(vectors.size(), (long) k * SAMPLE_PER_CENTROID);
    float[][] sample = sample(vectors, sampleSize, random);
    if ((warmStart == null || warmStart.length == 0) && k > HIERARCHY_MIN_K) {
      return hierarchical(chunks, sample, k, iterations, random);
    }
    return flat(chunks, sample, k, warmStart, iterations, random);
  }

  /**
   * Trains centroids in one level, as {@link #train} does for few centroids or a warm start; the
   * reference the two-level training is tested against.
   */
  static float[][] trainFlat(
      Chunks chunks, Vectors vectors, int k, float[][] warmStart, int iterations, long seed)
      throws IOException {
    Random random = new Random(seed);
    int sampleSize = (int) Math.min(vectors.size(), (long) k * SAMPLE_PER_CENTROID);
    return flat(chunks, sample(vectors, sampleSize, random), k, warmStart, iterations, random);
  }

  private static float[][] flat(
      Chunks chunks,
      float[][] sample,
      int k, float[][] warmStart, int iterations, Random random)
      throws IOException {
    float[][] centroids = new float[k][];
    int c = 0;
    if (warmStart != null && warmStart.length > 0) {
      // keep a spread-out subset of the previous centroids
      int step = Math.max(1, warmStart.length / k);
      for (int i = 0; i < warmStart.length && c < k; i += step) {
        centroids[c++] = warmStart[i].clone();
      }
    }
    if (c < k) {
      seed(sample, centroids, c, random);
    }
    lloyd(chunks, sample, centroids, null, iterations, random);
    return centroids;
  }

  /** A uniform sample of {@code size} distinct vectors, copied, in ordinal order. */
  private static float[][] sample(Vectors vectors, int size, Random random) throws IOException {
    float[][] sample = new float[size][];
    int[] ords = choose(vectors.size(), size, random);
    for (int i = 0; i < size; i++) {
      sample[i] = vectors.vector(ords[i]).clone();
    }
    return sample;
  }

  /** {@code size} distinct ordinals below {@code n}, uniformly chosen, in increasing order. */
  private static int[] choose(int n, int size, Random random) {
    int[] ords = new int[size];
    if (size == n) {
      Arrays.setAll(ords, i -> i);
      return ords;
    }
    // Floyd's algorithm
    BitSet chosen = new BitSet(n);
    for (int j = n - size; j < n; j++) {
      int t = random.nextInt(j + 1);
      chosen.set(chosen.get(t) ? j : t);
    }
    int i = 0;
    for (int ord = chosen.nextSetBit(0); ord >= 0; ord = chosen.nextSetBit(ord + 1)) {
      ords[i++] = ord;
    }
    return ords;
  }

  /**
   * Two-level training: about {@code sqrt(k)} coarse centroids partition the sample, each part
   * gets fine centroids in proportion to its size (which keeps the lists balanced: a dense region
   * gets many small lists rather than a few huge ones), trained on that part alone, then {@link
   * #REFINE_ITERATIONS} global iterations let points cross part boundaries. Every Lloyd iteration
   * then compares a point with about {@code sqrt(k)} centroids instead of {@code k}.
   */
  private static float[][] hierarchical(
      Chunks chunks, float[][] sample, int k, int iterations, Random random) throws IOException {
    int groups = (int) Math.round(Math.sqrt(k));
    float[][] coarse = new float[groups][];
    // the coarse centroids are trained on their own share of the sample, then one iteration on the
    // whole sample partitions it
    int coarseSize = Math.min(sample.length, groups * SAMPLE_PER_CENTROID);
    int[] ords = choose(sample.length, coarseSize, random);
    float[][] coarseSample = new float[ords.length][];
    for (int i = 0; i < ords.length; i++) {
      coarseSample[i] = sample[ords[i]];
    }
    seed(coarseSample, coarse, 0, random);
    lloyd(chunks, coarseSample, coarse, null, iterations, random);
    int[] groupOf = lloyd(chunks, sample, coarse, null, 1, random);
    int[] groupSizes = new int[groups];
    for (int g : groupOf) {
      groupSizes[g]++;
    }
    int[] fineCounts = allocate(groupSizes, k);
    int[] firstFine = new int[groups + 1];
    for (int g = 0; g < groups; g++) {
      firstFine[g + 1] = firstFine[g] + fineCounts[g];
    }
    float[][][] parts = new float[groups][][];
    int[][] members = new int[groups][];
    for (int g = 0; g < groups; g++) {
      parts[g] = new float[groupSizes[g]][];
      members[g] = new int[groupSizes[g]];
    }
    int[] fill = new int[groups];
    for (int i = 0; i < sample.length; i++) {
      int g = groupOf[i];
      parts[g][fill[g]] = sample[i];
      members[g][fill[g]++] = i;
    }
    // seeds drawn up front: each part's result depends on its own seed, not on thread scheduling
    long[] seeds = new long[groups];
    for (int g = 0; g < groups; g++) {
      seeds[g] = random.nextLong();
    }
    float[][] centroids = new float[k][];
    int[] assignment = new int[sample.length];
    chunks.forEach(
        groups,
        1,
        (long) sample.length * k * sample[0].length / groups,
        (from, to) -> {
          for (int g = from; g < to; g++) {
            if (fineCounts[g] == 0) {
              continue;
            }
            Random partRandom = new Random(seeds[g]);
            float[][] fine = new float[fineCounts[g]][];
            seed(parts[g], fine, 0, partRandom);
            int[] fineOf = lloyd(chunks, parts[g], fine, null, iterations, partRandom);
            System.arraycopy(fine, 0, centroids, firstFine[g], fine.length);
            for (int i = 0; i < fineOf.length; i++) {
              assignment[members[g][i]] = firstFine[g] + fineOf[i];
            }
          }
        });
    lloyd(chunks, sample, centroids, assignment, REFINE_ITERATIONS, random);
    return centroids;
  }

  /**
   * Splits {@code k} centroids among groups in proportion to their sizes by the largest remainder
   * method, with at least one per non-empty group and at most one per member.
   *
   * @param sizes the group sizes; they add up to at least {@code k}, and fewer than {@code k}
   *     groups are non-empty
   * @param k the number of centroids
   * @return the number of centroids per group, adding up to {@code k}
   */
  static int[] allocate(int[] sizes, int k) {
    long total = 0;
    for (int size : sizes) {
      total += size;
    }
    int[] counts = new int[sizes.length];
    double[] remainders = new double[sizes.length];
    int given = 0;
    for (int g = 0; g < sizes.length; g++) {
      if (sizes[g] == 0) {
        continue;
      }
      double quota = (double) k * sizes[g] / total;
      counts[g] = Math.min(sizes[g], Math.max(1, (int) quota));
      remainders[g] = quota - counts[g];
      given += counts[g];
    }
    // ties go to the first group, so the split is a function of the sizes alone
    for (; given < k; given++) {
      int best = -1;
      for (int g = 0; g < sizes.length; g++) {
        if (counts[g] < sizes[g] && (best < 0 || remainders[g] > remainders[best])) {
          best = g;
        }
      }
      counts[best]++;
      remainders[best] -= 1;
    }
    for (; given > k; given--) {
      int best = -1;
      for (int g = 0; g < sizes.length; g++) {
        if (counts[g] > 1 && (best < 0 || remainders[g] < remainders[best])) {
          best = g;
        }
      }
      counts[best]--;
      remainders[best] += 1;
    }
    return counts;
  }

  /**
   * Lloyd iterations on the sample, updating {@code centroids} in place, with the size cap and
   * empty cluster splitting. When every point's current centroid is known and there are many
   * centroids, a point is compared only with the {@link #NEIGHBORS} centroids nearest to its
   * current one: a point moves to a neighbouring cluster, hardly ever to a distant one.
   *
   * @param chunks where the distance computations run
   * @param assignment each point's current centroid, or null to search all centroids in the first
   *     iteration
   * @return each point's centroid in the last iteration (before the last update)
   */
  static int[] lloyd(
      Chunks chunks,
      float[][] sample,
      float[][] centroids,
      int[] assignment,
      int iterations,
      Random random)
      throws IOException {
    int n = sample.length;
    int k = centroids.length;
    int dims = sample[0].length;
    int[] current = assignment == null ? new int[n] : assignment;
    boolean known = assignment != null;
    int[] counts = new int[k];
    int cap = Math.max(1, (int) Math.ceil(BALANCE * n / (double) k));
    int[] nearest = new int[n];
    int[] second = new int[n];
    for (int iter = 0; iter < iterations; iter++) {
      int[][] neighbors =
          known && k > 2 * NEIGHBORS
              ? ListAssigner.nearestCentroids(chunks, centroids, centroids, NEIGHBORS)
              : null;
      int perPoint = neighbors == null ? k : NEIGHBORS;
      chunks.forEach(
          n,
          Chunks.VECTORS,
          (long) n * perPoint * dims,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              int[] candidates = neighbors == null ? null : neighbors[current[i]];
              nearestTwo(sample[i], centroids, candidates, nearest, second, i);
            }
          });
      // the size cap is applied in sample order, so the result does not depend on threads
      Arrays.fill(counts, 0);
      for (int i = 0; i < n; i++) {
        int best = nearest[i];
        if (counts[best] >= cap && second[i] >= 0 && counts[second[i]] < cap) {
          best = second[i];
        }
        current[i] = best;
        counts[best]++;
      }
      known = true;
      float[][] sums = new float[k][dims];
      for (int i = 0; i < n; i++) {
        VectorUtil.add(sums[current[i]], sample[i]);
      }
      for (int j = 0; j < k; j++) {
        if (counts[j] > 0) {
          float inv = 1f / counts[j];
          for (int d = 0; d < dims; d++) {
            sums[j][d] *= inv;
          }
          centroids[j] = sums[j];
        }
      }
      splitEmpty(centroids, counts, random);
    }
    return current;
  }

  /** Moves each empty centroid next to the centroid of the largest cluster, splitting it. */
  private static void splitEmpty(float[][] centroids, int[] counts, Random random) {
    for (int j = 0; j < centroids.length; j++) {
      if (counts[j] > 0) {
        continue;
      }
      int largest = 0;
      for (int i = 1; i < counts.length; i++) {
        if (counts[i] > counts[largest]) {
          largest = i;
        }
      }
      if (counts[largest] < 2) {
        return;
      }
      float[] from = centroids[largest];
      float[] a = new float[from.length];
      float[] b = new float[from.length];
      for (int d = 0; d < from.length; d++) {
        float eps = (random.nextFloat() - 0.5f) * 1e-3f * (Math.abs(from[d]) + 1e-6f);
        a[d] = from[d] + eps;
        b[d] = from[d] - eps;
      }
      centroids[largest] = a;
      centroids[j] = b;
      counts[j] = counts[largest] / 2;
      counts[largest] -= counts[j];
    }
  }

  /** The nearest and second-nearest centroid (-1 if none) among the candidates, or all if null. */
  private static void nearestTwo(
      float[] v, float[][] centroids, int[] candidates, int[] nearest, int[] second, int i) {
    int best = -1;
    float bestDist = Float.POSITIVE_INFINITY;
    int next = -1;
    float nextDist = Float.POSITIVE_INFINITY;
    int m = candidates == null ? centroids.length : candidates.length;
    for (int c = 0; c < m; c++) {
      int j = candidates == null ? c : candidates[c];
      float d = VectorUtil.squareDistance(v, centroids[j]);
      if (d < bestDist) {
        next = best;
        nextDist = bestDist;
        best = j;
        bestDist = d;
      } else if (d < nextDist) {
        next = j;
        nextDist = d;
      }
    }
    nearest[i] = best;
    second[i] = next;
  }

  /**
   * k-means++ seeding: fills centroids[c..k) with sample points drawn with probability proportional
   * to their squared distance to the nearest centroid so far, so that well separated clusters each
   * get a seed (random seeds often put two in one cluster and none in another).
   */
  static void seed(float[][] sample, float[][] centroids, int c, Random random) {
    int n = sample.length;
    float[] minDist = new float[n];
    Arrays.fill(minDist, Float.POSITIVE_INFINITY);
    if (c == 0) {
      centroids[c++] = sample[random.nextInt(n)].clone();
    }
    for (int j = 0; j < c; j++) {
      updateMinDist(sample, centroids[j], minDist);
    }
    while (c < centroids.length) {
      double total = 0;
      for (float d : minDist) {
        total += d;
      }
      int pick = random.nextInt(n);
      if (total > 0) {
        double r = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
          r -= minDist[i];
          if (r <= 0) {
            pick = i;
            break;
          }
        }
      }
      centroids[c] = sample[pick].clone();
      updateMinDist(sample, centroids[c], minDist);
      c++;
    }
  }

  private static void updateMinDist(float[][] sample, float[] centroid, float[] minDist) {
    for (int i = 0; i < sample.length; i++) {
      minDist[i] = Math.min(minDist[i], VectorUtil.squareDistance(sample[i], centroid));
    }
  }
}
