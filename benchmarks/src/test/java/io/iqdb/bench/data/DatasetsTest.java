package io.iqdb.bench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

  @TempDir Path dir;

  @Test
  void syntheticIsReproducibleAndSeedDependent() {
    Dataset a = Datasets.synthetic(500, 16, 20, 1);
    Dataset b = Datasets.synthetic(500, 16, 20, 1);
    Dataset c = Datasets.synthetic(500, 16, 20, 2);
    assertEquals("synthetic-500x16-q20-s1", a.name());
    assertArrayEquals(a.train()[499], b.train()[499]);
    assertArrayEquals(a.queries()[19], b.queries()[19]);
    assertNotEquals(a.train()[0][0], c.train()[0][0]);
    // The query count must not change the data (separate random streams).
    assertArrayEquals(a.train()[123], Datasets.synthetic(500, 16, 5, 1).train()[123]);
  }

  @Test
  void cosineVariantIsNormalized() {
    Dataset d = Datasets.syntheticCosine(200, 8, 10, 3);
    assertEquals(Metric.COSINE, d.metric());
    for (float[] v : d.train()) {
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      assertEquals(1.0, norm, 1e-5);
    }
  }

  @Test
  void missingFashionMnistNamesTheDebianPackage() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Datasets.fashionMnist(dir));
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
  }

  @Test
  void groundTruthMatchesSortingAndIsCached() throws IOException {
    Dataset d = Datasets.synthetic(1000, 8, 30, 5);
    int[][] gt = GroundTruth.compute(d, 10, 2);
    for (int q = 0; q < d.queries().length; q++) {
      float[] query = d.queries()[q];
      int[] expected = IntStream.range(0, d.train().length).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> GroundTruth.distance(Metric.L2, query, d.train()[i]))
              .thenComparingInt(i -> i))
          .limit(10).mapToInt(Integer::intValue).toArray();
      assertArrayEquals(expected, gt[q], "query " + q);
    }
    int[][] cached = GroundTruth.loadOrCompute(d, 10, dir);
    assertTrue(Files.isRegularFile(dir.resolve(d.name() + "-gt10.ivecs")));
    assertArrayEquals(gt[7], cached[7]);
    // A dataset restricted to its first queries reuses the cached file's prefix.
    assertEquals(5, GroundTruth.loadOrCompute(d.withQueries(5), 10, dir).length);
  }

  @Test
  void recallCountsAVectorAsCloseAsTheKthNeighbourAsAHit() {
    // train: 0 and 1 are copies of one vector, 2 is farther, 3 farthest; the query sits at 0.
    float[][] train = {{1, 0}, {1, 0}, {2, 0}, {5, 0}};
    Dataset d = new Dataset("ties", train, new float[][] {{0, 0}}, Metric.L2);
    int[][] truth = GroundTruth.compute(d, 4, 1);
    assertArrayEquals(new int[] {0, 1, 2, 3}, truth[0]);
    TieAwareRecall k1 = new TieAwareRecall(d, truth, 1);
    assertEquals(1.0, k1.recall(0, new int[] {1})); // the duplicate of the first neighbour
    assertEquals(0.0, k1.recall(0, new int[] {2}));
    TieAwareRecall k2 = new TieAwareRecall(d, truth, 2);
    assertEquals(0.5, k2.recall(0, new int[] {1, 1})); // an id returned twice counts once
    assertEquals(0.5, k2.recall(0, new int[] {3, 0, 1})); // only the first k count
    assertEquals(0.5, k2.recall(0, new int[] {-1, 0}));
    assertEquals(1.0, new TieAwareRecall(d, truth, 3).recall(0, new int[] {2, 1, 0}));
  }
}
