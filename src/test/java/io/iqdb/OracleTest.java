package io.iqdb;

import com.carrotsearch.randomizedtesting.RandomizedRunner;
import com.carrotsearch.randomizedtesting.RandomizedTest;
import com.carrotsearch.randomizedtesting.annotations.Repeat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.index.VectorSimilarityFunction;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.junit.runner.RunWith;

/**
 * Compares search with a brute-force computation written here, after random interleaved upserts and
 * deletes. RandomizedRunner prints the seed of a failure; rerun with -Dtests.seed=... to reproduce.
 */
@RunWith(RandomizedRunner.class)
public class OracleTest extends RandomizedTest {

  /** The expected score of each metric, written independently of the code under test. */
  static float score(Metric metric, float[] q, float[] v) {
    double dot = 0;
    double qq = 0;
    double vv = 0;
    double l2 = 0;
    for (int i = 0; i < q.length; i++) {
      dot += (double) q[i] * v[i];
      qq += (double) q[i] * q[i];
      vv += (double) v[i] * v[i];
      double d = (double) q[i] - v[i];
      l2 += d * d;
    }
    return (float) switch (metric) {
      case COSINE -> (1 + dot / Math.sqrt(qq * vv)) / 2;
      case L2 -> 1 / (1 + l2);
      case DOT -> Math.max((1 + dot) / 2, 0);
      case MAX_INNER_PRODUCT -> dot < 0 ? 1 / (1 - dot) : dot + 1;
    };
  }

  static float[] randomVector(Random r, int dim, Metric metric) {
    float[] v = new float[dim];
    double n = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
      n += v[i] * v[i];
    }
    if (metric == Metric.DOT) {
      for (int i = 0; i < dim; i++) {
        v[i] /= (float) Math.sqrt(n);
      }
    }
    return v;
  }

  private record Rec(float[] vector, Payload payload) {}

  @Test
  @Repeat(iterations = 3)
  public void flatMatchesBruteForceForEveryMetric() {
    for (Metric metric : Metric.values()) {
      check(metric, IndexSpec.flat(), false);
    }
  }

  @Test
  public void exactSearchOnHnswMatchesBruteForce() {
    check(randomFrom(Metric.values()), IndexSpec.hnsw(), true);
  }

  private void check(Metric metric, IndexSpec index, boolean forceExact) {
    Random r = new Random(randomLong());
    int dim = randomIntBetween(2, 48);
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(dim, metric).index(index).build());
      Map<String, Rec> model = new HashMap<>();
      int ops = randomIntBetween(200, 1500);
      c.upsert("first", randomVector(r, dim, metric), Payload.of("g", 0L, "tag", "t0"));
      assertTrue(c.delete("first")); // every field is known from here on; filters on them are valid
      for (int i = 0; i < ops; i++) {
        String id = "id" + r.nextInt(ops / 2 + 1);
        int action = r.nextInt(10);
        if (action < 6) {
          Payload p = Payload.of("g", (long) r.nextInt(5), "tag", "t" + r.nextInt(3));
          float[] v = randomVector(r, dim, metric);
          c.upsert(id, v, p);
          model.put(id, new Rec(v, p));
        } else if (action < 8) {
          assertEquals(model.remove(id) != null, c.delete(id));
        } else {
          List<VectorRecord> batch = new ArrayList<>();
          for (int b = 0; b < 1 + r.nextInt(20); b++) {
            String bid = "id" + r.nextInt(ops / 2 + 1);
            Payload p = Payload.of("g", (long) r.nextInt(5), "tag", "t" + r.nextInt(3));
            float[] v = randomVector(r, dim, metric);
            batch.add(VectorRecord.of(bid, v, p));
          }
          c.upsertAll(batch);
          for (VectorRecord rec : batch) {
            model.put(rec.id(), new Rec(rec.vector(), rec.payload()));
          }
        }
        if (r.nextInt(200) == 0) {
          db.flush();
        }
        if (i % 97 == 0 || i == ops - 1) {
          assertEquals(model.size(), c.count());
          int k = 1 + r.nextInt(15);
          float[] q = randomVector(r, dim, metric);
          compare(metric, c, model, q, k, null, x -> true, forceExact);
          long g = r.nextInt(5);
          compare(metric, c, model, q, k, Filter.eq("g", g), x -> x.getLong("g") == g, forceExact);
          compare(metric, c, model, q, k,
              Filter.range("g", 1, 3).and(Filter.eq("tag", "t1").not()),
              x -> x.getLong("g") >= 1 && x.getLong("g") <= 3 && !x.getString("tag").equals("t1"),
              forceExact);
        }
      }
    }
  }

  private void compare(Metric metric, VectorCollection c, Map<String, Rec> model, float[] q, int k,
      Filter filter, Predicate<Payload> accept, boolean forceExact) {
    record Expected(String id, float score) {}
    List<Expected> expected = new ArrayList<>();
    for (Map.Entry<String, Rec> e : model.entrySet()) {
      if (accept.test(e.getValue().payload())) {
        expected.add(new Expected(e.getKey(), score(metric, q, e.getValue().vector())));
      }
    }
    expected.sort(Comparator.comparingDouble((Expected e) -> -e.score()));
    SearchRequest request = SearchRequest.of(q, k).exact(forceExact);
    List<Hit> hits = c.search(filter == null ? request : request.filter(filter));
    assertEquals(Math.min(k, expected.size()), hits.size());
    for (int i = 0; i < hits.size(); i++) {
      Hit h = hits.get(i);
      Expected e = expected.get(i);
      // float precision is relative: a maximum inner product of 1024 dimensions scores about 100
      double tolerance = 1e-5 * Math.max(1, Math.abs(e.score()));
      assertEquals("score at rank " + i, e.score(), h.score(), tolerance);
      if (!h.id().equals(e.id())) {
        // a tie within float precision may order differently; the score must then match
        assertEquals("tie at rank " + i, score(metric, q, model.get(h.id()).vector()), e.score(), tolerance);
      }
      assertEquals(model.get(h.id()).payload(), h.payload());
    }
    assertEquals(hits.size(), new HashSet<>(hits.stream().map(Hit::id).toList()).size());
  }

  /**
   * A segment large enough for its exact scan to be split over the search pool (at least 2 x 2^21
   * vector components) returns what brute force does: flat search, exact search, with and without
   * a filter, and with the caller's interrupt status set (kept, and the search still completes).
   */
  @Test
  public void splitExactScanMatchesBruteForce() {
    Random r = new Random(randomLong());
    Metric metric = randomFrom(Metric.values());
    int dim = 1024;
    int n = 4_200; // 4.3 million components
    IndexSpec index = randomBoolean() ? IndexSpec.flat() : IndexSpec.hnsw();
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(dim, metric).index(index).build());
      Map<String, Rec> model = new HashMap<>();
      List<VectorRecord> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Payload p = Payload.of("g", (long) r.nextInt(5), "tag", "t" + r.nextInt(3));
        float[] v = randomVector(r, dim, metric);
        batch.add(VectorRecord.of("id" + i, v, p));
        model.put("id" + i, new Rec(v, p));
        if (batch.size() == 500 || i == n - 1) {
          c.upsertAll(batch);
          batch.clear();
        }
      }
      c.flush();
      // several segments of unequal sizes (batches of 500, then what merges made of them): the
      // threads' shares cut at most one segment per extra thread, wherever a share ends. The
      // records must all be in segments: wait for the background refresh to empty the tail.
      long deadline = System.nanoTime() + 30_000_000_000L;
      float[] probe = randomVector(r, dim, metric);
      while (c.searchResult(SearchRequest.of(probe, 1).explain(true)).explanation().tailRecords() > 0) {
        assertTrue("the tail was not refreshed within 30 s", System.nanoTime() < deadline);
        LockSupport.parkNanos(20_000_000L);
      }
      checkSplitScans(c, model, metric, r, index, n, dim, false);
      c.compact(1);
      checkSplitScans(c, model, metric, r, index, n, dim, true);
    }
  }

  private void checkSplitScans(VectorCollection c, Map<String, Rec> model, Metric metric, Random r, IndexSpec index,
      int n, int dim, boolean oneSegment) {
    for (int round = 0; round < 5; round++) {
      float[] q = randomVector(r, dim, metric);
      int k = 1 + r.nextInt(20);
      boolean exact = index instanceof IndexSpec.Hnsw;
      compare(metric, c, model, q, k, null, x -> true, exact);
      compare(metric, c, model, q, k, Filter.eq("tag", "t1").not(), x -> !x.getString("tag").equals("t1"), exact);
      Thread.currentThread().interrupt();
      try {
        compare(metric, c, model, q, k, null, x -> true, exact);
        assertTrue("the interrupt status is kept", Thread.currentThread().isInterrupted());
      } finally {
        Thread.interrupted();
      }
      long scored = 0;
      int split = 0;
      List<SearchExplanation.Segment> segments =
          c.searchResult(SearchRequest.of(q, k).exact(exact).explain(true)).explanation().segments();
      for (SearchExplanation.Segment segment : segments) {
        scored += segment.vectorsScored();
        if (segment.reason().contains("parallel")) {
          split++;
          assertTrue(segment.reason(), segment.reason().endsWith("; scanned in 2 parts in parallel"));
        }
      }
      assertEquals(segments.toString(), n, scored);
      boolean large = (long) n * dim >= 2 * (1 << 21);
      int processors = Runtime.getRuntime().availableProcessors();
      if (oneSegment) {
        assertEquals(segments.toString(), large && processors > 1 ? 1 : 0, split);
      } else {
        assertTrue(segments.toString(), split <= Math.min(2, processors) - 1);
      }
    }
  }

  @Test
  public void hnswRecallAtTenIsAtLeast095On10kRandomVectors() {
    Random r = new Random(randomLong());
    int dim = 32;
    int n = 10_000;
    float[][] data = new float[n][];
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = db.createCollection("c",
          CollectionConfig.builder(dim, Metric.L2).index(IndexSpec.hnsw()).build());
      List<VectorRecord> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        data[i] = randomVector(r, dim, Metric.L2);
        batch.add(VectorRecord.of(Integer.toString(i), data[i]));
        if (batch.size() == 1000) {
          c.upsertAll(batch);
          batch.clear();
        }
      }
      int queries = 200;
      int found = 0;
      for (int qi = 0; qi < queries; qi++) {
        float[] q = randomVector(r, dim, Metric.L2);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
          scores[i] = VectorSimilarityFunction.EUCLIDEAN.compare(q, data[i]);
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> -scores[i]));
        Set<String> truth = new HashSet<>();
        for (int i = 0; i < 10; i++) {
          truth.add(Integer.toString(order[i]));
        }
        for (Hit h : c.search(q, 10)) {
          if (truth.contains(h.id())) {
            found++;
          }
        }
      }
      double recall = found / (queries * 10.0);
      assertTrue("HNSW recall@10 = " + recall, recall >= 0.95);
    }
  }
}
