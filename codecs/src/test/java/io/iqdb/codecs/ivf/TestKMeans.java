package io.iqdb.codecs.ivf;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.VectorUtil;

/** K-means on separable data, with warm starts, and thread independence of the assignment. */
public class TestKMeans extends LuceneTestCase {

  private static KMeans.Vectors of(float[][] vectors) {
    return new KMeans.Vectors() {
      @Override
      public int size() {
        return vectors.length;
      }

      @Override
      public float[] vector(int ord) {
        return vectors[ord];
      }

      @Override
      public KMeans.Vectors copy() {
        return this;
      }
    };
  }

  private static float[][] blobs(Random random, float[][] centers, int perBlob) {
    int dims = centers[0].length;
    float[][] v = new float[centers.length * perBlob][dims];
    for (int i = 0; i < v.length; i++) {
      float[] c = centers[i % centers.length];
      for (int d = 0; d < dims; d++) {
        v[i][d] = c[d] + (float) random.nextGaussian() * 0.1f;
      }
    }
    return v;
  }

  private static void assertEveryCenterFound(float[][] centers, float[][] centroids) {
    for (float[] center : centers) {
      float best = Float.POSITIVE_INFINITY;
      for (float[] centroid : centroids) {
        best = Math.min(best, VectorUtil.squareDistance(center, centroid));
      }
      assertTrue("no centroid near a blob center, distance^2=" + best, best < 0.05f);
    }
  }

  public void testFindsSeparatedBlobs() throws Exception {
    Random random = random();
    float[][] centers = {{0, 0, 0, 0}, {10, 0, 0, 0}, {0, 10, 0, 0}, {0, 0, 10, 10}};
    float[][] data = blobs(random, centers, 200);
    float[][] centroids = KMeans.train(Chunks.SEQUENTIAL, of(data), 4, null, 10, random.nextLong());
    assertEquals(4, centroids.length);
    // random initialization may put two seeds in one blob; empty-cluster splitting and the size
    // cap must still leave every blob with a centroid
    assertEveryCenterFound(centers, centroids);
  }

  public void testWarmStartKeepsGoodCentroids() throws Exception {
    Random random = random();
    float[][] centers = {{0, 0}, {5, 5}, {-5, 5}};
    float[][] data = blobs(random, centers, 100);
    float[][] centroids = KMeans.train(Chunks.SEQUENTIAL, of(data), 3, centers, 1, random.nextLong());
    assertEveryCenterFound(centers, centroids);
  }

  public void testParallelAssignmentMatchesSequential() throws Exception {
    Random random = random();
    int dims = 128;
    float[][] data = new float[8000][dims];
    for (float[] v : data) {
      for (int d = 0; d < dims; d++) {
        v[d] = random.nextFloat();
      }
    }
    // few enough centroids to be compared with every vector (more are searched by groups)
    float[][] centroids = new float[KMeans.HIERARCHY_MIN_K][];
    for (int j = 0; j < centroids.length; j++) {
      centroids[j] = data[j * 7].clone();
    }
    // 8000 * 32 * 128 is above the parallel threshold
    ExecutorService pool = Executors.newFixedThreadPool(3);
    int[] listOf;
    try {
      listOf = ListAssigner.assign(new Chunks(pool), of(data), centroids);
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
    for (int i = 0; i < data.length; i++) {
      assertEquals(ListAssigner.nearest(data[i], centroids), listOf[i]);
    }
  }

  /**
   * Blobs of very unequal sizes: blob {@code b} gets weight {@code 1 + 20 * (b % 4 == 0)}, so a few
   * dense blobs hold most vectors, as dense regions of real embeddings do.
   */
  private static float[][] unevenBlobs(Random random, int blobs, int n, int dims) {
    float[][] centers = new float[blobs][dims];
    double[] cumulative = new double[blobs];
    double total = 0;
    for (int b = 0; b < blobs; b++) {
      for (int d = 0; d < dims; d++) {
        centers[b][d] = random.nextFloat() * 20 - 10;
      }
      total += b % 4 == 0 ? 21 : 1;
      cumulative[b] = total;
    }
    float[][] v = new float[n][dims];
    for (int i = 0; i < n; i++) {
      double r = random.nextDouble() * total;
      int b = 0;
      while (cumulative[b] < r) {
        b++;
      }
      for (int d = 0; d < dims; d++) {
        v[i][d] = centers[b][d] + (float) random.nextGaussian();
      }
    }
    return v;
  }

  private static float[][] evenBlobs(Random random, int blobs, int n, int dims) {
    float[][] centers = new float[blobs][dims];
    for (float[] center : centers) {
      for (int d = 0; d < dims; d++) {
        center[d] = random.nextFloat() * 20 - 10;
      }
    }
    float[][] v = new float[n][dims];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dims; d++) {
        v[i][d] = centers[i % blobs][d] + (float) random.nextGaussian();
      }
    }
    return v;
  }

  private static int[] exactAssignment(float[][] data, float[][] centroids) {
    int[] listOf = new int[data.length];
    for (int i = 0; i < data.length; i++) {
      listOf[i] = ListAssigner.nearest(data[i], centroids);
    }
    return listOf;
  }

  private static double sse(float[][] data, float[][] centroids, int[] listOf) {
    double sum = 0;
    for (int i = 0; i < data.length; i++) {
      sum += VectorUtil.squareDistance(data[i], centroids[listOf[i]]);
    }
    return sum;
  }

  public void testTwoLevelTrainingGivesDistinctCentroids() throws Exception {
    Random random = random();
    int k = KMeans.HIERARCHY_MIN_K + 1 + random.nextInt(100);
    float[][] data = unevenBlobs(random, 12, k * 40, 16);
    float[][] centroids = KMeans.train(Chunks.SEQUENTIAL, of(data), k, null, IvfVectorsWriter.ITERATIONS, 42);
    assertEquals(k, centroids.length);
    for (int i = 0; i < k; i++) {
      assertNotNull("centroid " + i, centroids[i]);
      assertEquals(16, centroids[i].length);
      for (int j = 0; j < i; j++) {
        assertFalse(
            "centroids " + j + " and " + i + " are equal",
            Arrays.equals(centroids[i], centroids[j]));
      }
    }
  }

  public void testTwoLevelTrainingBalancesUnevenData() throws Exception {
    Random random = random();
    int k = 64;
    float[][] data = unevenBlobs(random, 12, 8000, 16);
    float[][] centroids = KMeans.train(Chunks.SEQUENTIAL, of(data), k, null, IvfVectorsWriter.ITERATIONS, 7);
    int[] sizes = new int[k];
    for (int list : ListAssigner.assign(Chunks.SEQUENTIAL, of(data), centroids)) {
      sizes[list]++;
    }
    double mean = data.length / (double) k;
    int max = Arrays.stream(sizes).max().getAsInt();
    // training caps clusters at BALANCE times the mean on the sample; the final assignment is
    // uncapped, so allow a little more. Three dense blobs hold 84% of the vectors: without
    // proportional allocation they would get a quarter of the lists and lists 3x the mean.
    assertTrue("max list " + max + ", mean " + mean, max <= 1.5 * KMeans.BALANCE * mean);
    double squares = 0;
    for (int size : sizes) {
      squares += (size - mean) * (size - mean);
    }
    double cv = Math.sqrt(squares / k) / mean;
    assertTrue("list size coefficient of variation " + cv, cv < 0.5);
  }

  /**
   * On blobs of equal sizes. On separated blobs of very unequal sizes the two levels can do much
   * worse (up to twice the SSE seen): coarse groups then hold several small blobs far apart, and
   * their share of the centroids, proportional to their size, can be fewer than their blobs.
   * Flat k-means spends more centroids there; the two levels keep the lists balanced instead.
   *
   * <p>Either variant sometimes ends in a poor local optimum: over 300 data sets at one seed, the
   * two-level SSE was 0.80-1.49 times the flat one, above 1.1 in 3 (1.13, 1.45, 1.49) and within
   * 1.01 in 99%. The claim is about the usual case, so it compares the median over three seeds.
   */
  public void testTwoLevelSseCloseToFlat() throws Exception {
    Random random = random();
    int k = 64;
    float[][] data = evenBlobs(random, 40, 6000, 16);
    double[] ratios = new double[3];
    for (int seed = 0; seed < ratios.length; seed++) {
      float[][] twoLevel = KMeans.train(Chunks.SEQUENTIAL, of(data), k, null, IvfVectorsWriter.ITERATIONS, 3 + seed);
      float[][] flat = KMeans.trainFlat(Chunks.SEQUENTIAL, of(data), k, null, IvfVectorsWriter.ITERATIONS, 3 + seed);
      ratios[seed] = sse(data, twoLevel, exactAssignment(data, twoLevel)) / sse(data, flat, exactAssignment(data, flat));
    }
    Arrays.sort(ratios);
    assertTrue("two-level SSE / flat SSE, by seed: " + Arrays.toString(ratios), ratios[1] <= 1.1);
  }

  public void testTwoLevelTrainingDoesNotDependOnThreads() throws Exception {
    Random random = random();
    // large enough for the parallel paths: 8192 * 256 * 128 / 16 parts reaches PARALLEL_WORK
    float[][] data = unevenBlobs(random, 20, 8192, 128);
    long seed = random.nextLong();
    float[][][] centroids = new float[2][][];
    int[][] lists = new int[2][];
    int[] threads = {1, 4};
    for (int t = 0; t < 2; t++) {
      ExecutorService pool = Executors.newFixedThreadPool(threads[t]);
      try {
        Chunks chunks = new Chunks(pool);
        centroids[t] = KMeans.train(chunks, of(data), 256, null, IvfVectorsWriter.ITERATIONS, seed);
        lists[t] = ListAssigner.assign(chunks, of(data), centroids[t]);
      } finally {
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      }
    }
    assertTrue(Arrays.deepEquals(centroids[0], centroids[1]));
    assertArrayEquals(lists[0], lists[1]);
  }

  public void testAssignmentOfManyCentroidsIsExact() throws Exception {
    Random random = random();
    // separated blobs of uneven sizes: a group of centroids from distant blobs has a center far
    // from all of them, which a search of the nearest groups alone would get wrong
    float[][] data = unevenBlobs(random, 30, 10_000, 32);
    float[][] centroids = KMeans.train(Chunks.SEQUENTIAL, of(data), 100, null, IvfVectorsWriter.ITERATIONS, 11);
    int[] listOf = ListAssigner.assign(Chunks.SEQUENTIAL, of(data), centroids);
    for (int i = 0; i < data.length; i++) {
      float found = VectorUtil.squareDistance(data[i], centroids[listOf[i]]);
      int exact = ListAssigner.nearest(data[i], centroids);
      float nearest = VectorUtil.squareDistance(data[i], centroids[exact]);
      assertEquals("vector " + i, nearest, found, 0f);
    }
  }

  public void testTwoLevelTrainingOnFewAndDuplicateVectors() throws Exception {
    Random random = random();
    for (int iter = 0; iter < 20; iter++) {
      int k = KMeans.HIERARCHY_MIN_K + 1 + random.nextInt(40);
      // as few vectors as centroids, or a few more, from a handful of distinct values
      int n = k + random.nextInt(2 * k);
      int dims = 1 + random.nextInt(4);
      int distinct = 1 + random.nextInt(5);
      float[][] data = new float[n][dims];
      for (float[] v : data) {
        for (int d = 0; d < dims; d++) {
          v[d] = random.nextInt(distinct);
        }
      }
      float[][] centroids = KMeans.train(Chunks.SEQUENTIAL, of(data), k, null, 1 + random.nextInt(8), iter);
      assertEquals(k, centroids.length);
      for (float[] centroid : centroids) {
        assertNotNull(centroid);
        for (float x : centroid) {
          assertTrue("centroid component " + x, Float.isFinite(x));
        }
      }
      int[] listOf = ListAssigner.assign(Chunks.SEQUENTIAL, of(data), centroids);
      for (int i = 0; i < n; i++) {
        int exact = ListAssigner.nearest(data[i], centroids);
        assertEquals(
            VectorUtil.squareDistance(data[i], centroids[exact]),
            VectorUtil.squareDistance(data[i], centroids[listOf[i]]),
            0f);
      }
    }
  }

  public void testAllocateIsProportionalWithinOne() {
    Random random = random();
    for (int iter = 0; iter < 200; iter++) {
      int[] sizes = new int[1 + random.nextInt(20)];
      long total = 0;
      int nonEmpty = 0;
      for (int g = 0; g < sizes.length; g++) {
        sizes[g] = random.nextInt(4) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 5 : 500);
        total += sizes[g];
        nonEmpty += sizes[g] > 0 ? 1 : 0;
      }
      if (total <= nonEmpty) {
        continue;
      }
      int k = nonEmpty + 1 + random.nextInt((int) (total - nonEmpty));
      int[] counts = KMeans.allocate(sizes, k);
      assertEquals(k, Arrays.stream(counts).sum());
      // centroids that groups with a quota below one get anyway are taken from the others
      double lifted = 0;
      for (int size : sizes) {
        double quota = (double) k * size / total;
        lifted += size > 0 && quota < 1 ? 1 - quota : 0;
      }
      for (int g = 0; g < sizes.length; g++) {
        String where = "sizes " + Arrays.toString(sizes) + ", k " + k + ", group " + g;
        assertTrue(where, counts[g] <= sizes[g]);
        assertTrue(where, sizes[g] == 0 || counts[g] >= 1);
        double quota = (double) k * sizes[g] / total;
        // the floor of 1 and the ceiling of the group size aside, within one of the quota
        if (counts[g] > 1 && counts[g] < sizes[g]) {
          assertTrue(
              where + ": " + counts[g] + " vs " + quota,
              Math.abs(counts[g] - quota) < 1 + lifted);
        }
      }
    }
  }
}
