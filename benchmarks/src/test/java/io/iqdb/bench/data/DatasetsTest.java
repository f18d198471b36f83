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
  void recallCountsTrueNeighboursFound() {
    assertEquals(1.0, GroundTruth.recall(new int[] {1, 2, 3}, new int[] {3, 2, 1}, 3));
    assertEquals(2.0 / 3, GroundTruth.recall(new int[] {1, 2, 3, 4}, new int[] {1, 9, 3}, 3), 1e-9);
  }
}
