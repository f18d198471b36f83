package io.iqdb.codecs.ivf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.lucene.util.VectorUtil;

/**
 * Lloyd's k-means (squared L2) on a uniform sample, seeded by k-means++ (or by previous centroids),
 * kept balanced by splitting the largest cluster whenever a cluster empties and by capping cluster
 * sizes during assignment of the sample: a point whose nearest centroid is already full (more than
 * {@link #BALANCE} times the mean size) goes to its second-nearest centroid when that one has room.
 */
final class KMeans {

  /** Cluster size cap during training, as a multiple of the mean size. */
  static final float BALANCE = 3f;

  /** Training sample size per centroid. */
  static final int SAMPLE_PER_CENTROID = 32;

  private KMeans() {}

  /** Work (vector count x centroids x dimensions) below which threads cost more than they save. */
  private static final long PARALLEL_WORK = 1L << 24;

  /** Vectors per parallel task. */
  private static final int CHUNK = 1024;

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
   * @param vectors the vectors
   * @param k the number of centroids, at most {@code vectors.size()}
   * @param warmStart initial centroids (any number, possibly none)
   * @param iterations Lloyd iterations
   * @param seed the sampling seed
   * @return k centroids
   */
  static float[][] train(Vectors vectors, int k, float[][] warmStart, int iterations, long seed)
      throws IOException {
    int n = vectors.size();
    Random random = new Random(seed);
    int sampleSize = (int) Math.min(n, (long) k * SAMPLE_PER_CENTROID);
    float[][] sample = new float[sampleSize][];
    if (sampleSize == n) {
      for (int i = 0; i < n; i++) {
        sample[i] = vectors.vector(i).clone();
      }
    } else {
      // Floyd's algorithm: sampleSize distinct ordinals, read in increasing order
      java.util.BitSet chosen = new java.util.BitSet(n);
      for (int j = n - sampleSize; j < n; j++) {
        int t = random.nextInt(j + 1);
        chosen.set(chosen.get(t) ? j : t);
      }
      int i = 0;
      for (int ord = chosen.nextSetBit(0); ord >= 0; ord = chosen.nextSetBit(ord + 1)) {
        sample[i++] = vectors.vector(ord).clone();
      }
    }
    int dims = sample[0].length;
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
    int[] assignment = new int[sampleSize];
    int[] counts = new int[k];
    int cap = Math.max(1, (int) Math.ceil(BALANCE * sampleSize / (double) k));
    int[] nearest = new int[sampleSize];
    int[] second = new int[sampleSize];
    for (int iter = 0; iter < iterations; iter++) {
      float[][] current = centroids;
      forEachChunk(
          sampleSize,
          (long) sampleSize * k * dims,
          (from, to) -> {
            for (int i = from; i < to; i++) {
              nearestTwo(sample[i], current, nearest, second, i);
            }
          });
      // the size cap is applied in sample order, so the result does not depend on threads
      Arrays.fill(counts, 0);
      for (int i = 0; i < sampleSize; i++) {
        int best = nearest[i];
        if (counts[best] >= cap && second[i] >= 0 && counts[second[i]] < cap) {
          best = second[i];
        }
        assignment[i] = best;
        counts[best]++;
      }
      float[][] sums = new float[k][dims];
      for (int i = 0; i < sampleSize; i++) {
        VectorUtil.add(sums[assignment[i]], sample[i]);
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
    return centroids;
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

  private static void nearestTwo(
      float[] v, float[][] centroids, int[] nearest, int[] second, int i) {
    int best = -1;
    float bestDist = Float.POSITIVE_INFINITY;
    int next = -1;
    float nextDist = Float.POSITIVE_INFINITY;
    for (int j = 0; j < centroids.length; j++) {
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
   * The nearest centroid of every vector.
   *
   * @param vectors the vectors
   * @param centroids the centroids
   * @return the index of each vector's nearest centroid
   */
  static int[] assign(Vectors vectors, float[][] centroids) throws IOException {
    return assign(vectors, centroids, null, null);
  }

  /** Candidate centroids per hint: the new centroids nearest to each previous centroid. */
  static final int HINT_CANDIDATES = 16;

  /**
   * The nearest centroid of every vector, searched among a few candidates when a hint says which
   * previous centroid the vector belonged to: its nearest new centroid is almost always among the
   * new centroids nearest to its previous one. This spares merges most distance computations.
   *
   * @param vectors the vectors
   * @param centroids the centroids
   * @param hints per vector, the index of its previous centroid, or -1 (searched exhaustively);
   *     null for none
   * @param previous the previous centroids the hints refer to; null if {@code hints} is null
   * @return the index of each vector's nearest (or nearest candidate) centroid
   */
  static int[] assign(Vectors vectors, float[][] centroids, int[] hints, float[][] previous)
      throws IOException {
    int n = vectors.size();
    int[] listOf = new int[n];
    int[][] candidates =
        hints == null || centroids.length <= HINT_CANDIDATES
            ? null
            : nearestCentroids(previous, centroids, HINT_CANDIDATES);
    int perVector = candidates == null ? centroids.length : HINT_CANDIDATES;
    long work = (long) n * perVector * (centroids.length == 0 ? 0 : centroids[0].length);
    boolean parallel = work >= PARALLEL_WORK;
    forEachChunk(
        n,
        work,
        (from, to) -> {
          Vectors view = parallel ? vectors.copy() : vectors;
          for (int ord = from; ord < to; ord++) {
            float[] v = view.vector(ord);
            int hint = candidates == null ? -1 : hints[ord];
            listOf[ord] =
                hint < 0 ? nearest(v, centroids) : nearest(v, centroids, candidates[hint]);
          }
        });
    return listOf;
  }

  /** For each of {@code from}, the indexes of its {@code m} nearest {@code to} vectors. */
  private static int[][] nearestCentroids(float[][] from, float[][] to, int m) {
    int[][] nearest = new int[from.length][m];
    long[] keys = new long[to.length];
    for (int i = 0; i < from.length; i++) {
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

  /** A task over a range of vectors. */
  private interface RangeTask {
    void run(int from, int to) throws IOException;
  }

  /**
   * Runs a task over [0, n) in chunks, on the common fork-join pool when the work is large enough
   * to pay for it. Clustering is the costliest step of writing a segment; the results do not depend
   * on the number of threads.
   */
  private static void forEachChunk(int n, long work, RangeTask task) throws IOException {
    if (work < PARALLEL_WORK || n <= CHUNK) {
      task.run(0, n);
      return;
    }
    int chunks = (n + CHUNK - 1) / CHUNK;
    try {
      IntStream.range(0, chunks)
          .parallel()
          .forEach(
              c -> {
                try {
                  task.run(c * CHUNK, Math.min(n, (c + 1) * CHUNK));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
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

  /**
   * k-means++ seeding: fills centroids[c..k) with sample points drawn with probability proportional
   * to their squared distance to the nearest centroid so far, so that well separated clusters each
   * get a seed (random seeds often put two in one cluster and none in another).
   */
  private static void seed(float[][] sample, float[][] centroids, int c, Random random) {
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
