package io.iqdb;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.carrotsearch.randomizedtesting.RandomizedRunner;
import com.carrotsearch.randomizedtesting.RandomizedTest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.Test;
import org.junit.runner.RunWith;

/**
 * Every index kind and quantization against the brute-force oracle on clustered data, with a
 * payload filter and deletions: recall@10 of approximate search, and exact search on every kind.
 */
@RunWith(RandomizedRunner.class)
public class IndexKindsTest extends RandomizedTest {
  private static final int N = 3000;
  private static final int DIM = 24;

  private static List<IndexSpec> specs() {
    List<IndexSpec> specs = new ArrayList<>();
    for (Quantization q : Quantization.values()) {
      specs.add(IndexSpec.flat(q));
      specs.add(IndexSpec.hnsw().withQuantization(q));
      specs.add(IndexSpec.ivf().withQuantization(q));
    }
    return specs;
  }

  @Test
  public void everyKindAgainstTheOracle() {
    Random r = new Random(randomLong());
    Metric metric = randomFrom(new Metric[] {Metric.L2, Metric.COSINE});
    float[][] centres = new float[20][DIM];
    for (float[] c : centres) {
      for (int i = 0; i < DIM; i++) {
        c[i] = (float) (r.nextGaussian() * 3);
      }
    }
    float[][] data = new float[N][];
    for (int i = 0; i < N; i++) {
      float[] c = centres[r.nextInt(centres.length)];
      data[i] = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        data[i][d] = c[d] + (float) r.nextGaussian();
      }
    }
    Set<Integer> deleted = new HashSet<>();
    for (int i = 0; i < N / 10; i++) {
      deleted.add(r.nextInt(N));
    }
    List<float[]> queries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      float[] c = centres[r.nextInt(centres.length)];
      float[] q = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        q[d] = c[d] + (float) r.nextGaussian();
      }
      queries.add(q);
    }
    StringBuilder report = new StringBuilder("metric=" + metric + "\n");
    try (Iqdb db = Iqdb.openInMemory()) {
      int n = 0;
      for (IndexSpec spec : specs()) {
        VectorCollection c = db.createCollection("c" + n++, CollectionConfig.builder(DIM, metric).index(spec).build());
        List<VectorRecord> batch = new ArrayList<>();
        for (int i = 0; i < N; i++) {
          batch.add(VectorRecord.of(Integer.toString(i), data[i], Payload.of("odd", i % 2 == 1)));
        }
        c.upsertAll(batch);
        db.flush(); // a committed segment, so IVF trains its lists and HNSW builds its graph
        c.deleteAll(deleted.stream().map(String::valueOf).toList());
        double recall = 0;
        double filteredRecall = 0;
        for (float[] q : queries) {
          recall += recall(c.search(q, 10), truth(metric, data, deleted, q, false));
          filteredRecall += recall(c.search(q, 10, Filter.eq("odd", true)), truth(metric, data, deleted, q, true));
          List<Hit> exact = c.search(SearchRequest.of(q, 10).exact(true));
          assertEquals(spec + ": exact search is exact", 1.0, recall(exact, truth(metric, data, deleted, q, false)), 0.0);
        }
        recall /= queries.size();
        filteredRecall /= queries.size();
        report.append(String.format("%-60s recall@10=%.3f filtered=%.3f%n", spec, recall, filteredRecall));
        double min = spec.quantization() == Quantization.BIT1 ? 0.80 : 0.90;
        assertTrue(report.toString(), recall >= min && filteredRecall >= min);
        db.dropCollection(c.name());
      }
    }
    System.out.println(report);
  }

  private static List<String> truth(Metric metric, float[][] data, Set<Integer> deleted, float[] q, boolean oddOnly) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < data.length; i++) {
      if (!deleted.contains(i) && (!oddOnly || i % 2 == 1)) {
        ids.add(i);
      }
    }
    ids.sort(Comparator.comparingDouble(i -> -OracleTest.score(metric, q, data[i])));
    return ids.subList(0, 10).stream().map(String::valueOf).toList();
  }

  private static double recall(List<Hit> hits, List<String> truth) {
    Set<String> t = new HashSet<>(truth);
    return hits.stream().filter(h -> t.contains(h.id())).count() / (double) truth.size();
  }
}
