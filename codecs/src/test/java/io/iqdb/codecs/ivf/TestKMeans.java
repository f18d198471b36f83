package io.iqdb.codecs.ivf;

import java.util.Random;
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
    float[][] centroids = KMeans.train(of(data), 4, null, 10, random.nextLong());
    assertEquals(4, centroids.length);
    // random initialization may put two seeds in one blob; empty-cluster splitting and the size
    // cap must still leave every blob with a centroid
    assertEveryCenterFound(centers, centroids);
  }

  public void testWarmStartKeepsGoodCentroids() throws Exception {
    Random random = random();
    float[][] centers = {{0, 0}, {5, 5}, {-5, 5}};
    float[][] data = blobs(random, centers, 100);
    float[][] centroids = KMeans.train(of(data), 3, centers, 1, random.nextLong());
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
    int[] listOf = KMeans.assign(of(data), centroids);
    for (int i = 0; i < data.length; i++) {
      assertEquals(KMeans.nearest(data[i], centroids), listOf[i]);
    }
  }
}
