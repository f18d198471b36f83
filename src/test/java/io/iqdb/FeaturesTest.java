package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Filters of every kind, Lucene query filters, batches, exact search, scan and stats. */
class FeaturesTest {
  private Iqdb db;
  private VectorCollection c;

  @BeforeEach
  void setUp() {
    db = Iqdb.openInMemory();
    c = db.createCollection("c", CollectionConfig.builder(2, Metric.L2).index(IndexSpec.hnsw()).build());
    List<VectorRecord> recs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Payload.Builder p = Payload.builder()
          .put("i", i)
          .put("half", i / 2.0)
          .put("even", i % 2 == 0)
          .put("colour", List.of("red", "green", "blue").get(i % 3))
          .put("tags", i % 5 == 0 ? List.of("five", "round") : List.of("plain"));
      if (i % 10 == 0) {
        p.put("tenth", "yes");
      }
      recs.add(VectorRecord.of("r" + i, new float[] {i, 0}, p.build()));
    }
    c.upsertAll(recs);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private Set<Integer> ids(Filter f) {
    return c.search(SearchRequest.of(new float[] {0, 0}, 100).filter(f)).stream()
        .map(h -> Integer.parseInt(h.id().substring(1)))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<Integer> where(java.util.function.IntPredicate p) {
    Set<Integer> s = new TreeSet<>();
    for (int i = 0; i < 100; i++) {
      if (p.test(i)) {
        s.add(i);
      }
    }
    return s;
  }

  @Test
  void everyFilterKind() {
    assertEquals(where(i -> i % 3 == 0), ids(Filter.eq("colour", "red")));
    assertEquals(where(i -> i % 3 != 2), ids(Filter.in("colour", "red", "green")));
    assertEquals(where(i -> i == 42), ids(Filter.eq("i", 42)));
    assertEquals(where(i -> i == 4 || i == 8), ids(Filter.in("i", 4L, 8)));
    assertEquals(where(i -> i >= 10 && i <= 20), ids(Filter.range("i", 10, 20)));
    assertEquals(where(i -> i >= 95), ids(Filter.range("i", 95, null)));
    assertEquals(where(i -> i <= 3), ids(Filter.range("i", null, 3.5)));
    assertEquals(where(i -> i / 2.0 >= 2.5 && i / 2.0 <= 4), ids(Filter.range("half", 2.5, 4)));
    assertEquals(where(i -> i == 7), ids(Filter.eq("half", 3.5)));
    assertEquals(where(i -> i % 2 == 0), ids(Filter.eq("even", true)));
    assertEquals(where(i -> i % 5 == 0), ids(Filter.eq("tags", "five")));
    assertEquals(where(i -> i % 10 == 0), ids(Filter.exists("tenth")));
    assertEquals(where(i -> i % 10 != 0), ids(Filter.exists("tenth").not()));
    assertEquals(where(i -> i % 2 == 0 && i % 3 == 0), ids(Filter.eq("even", true).and(Filter.eq("colour", "red"))));
    assertEquals(where(i -> i < 3 || i > 96), ids(Filter.range("i", null, 2).or(Filter.range("i", 97, null))));
    assertEquals(where(i -> i % 3 != 0), ids(Filter.eq("colour", "red").not()));
    assertEquals(where(i -> false), ids(Filter.in("colour", List.of())));
    assertEquals(where(i -> i % 3 == 0 && i < 10),
        ids(Filter.allOf(Filter.eq("colour", "red"), Filter.range("i", 0, 9))));
  }

  @Test
  void luceneQueryAsFilter() {
    List<Hit> hits = c.search(new float[] {0, 0}, 100, LongPoint.newRangeQuery("i", 50, 52));
    assertEquals(List.of("r50", "r51", "r52"), hits.stream().map(Hit::id).toList());
    // combined with a Filter by AND
    List<Hit> both = c.search(SearchRequest.of(new float[] {0, 0}, 100)
        .filter(new TermQuery(new Term("colour", "red")))
        .filter(Filter.range("i", 0, 10)));
    assertEquals(List.of("r0", "r3", "r6", "r9"), both.stream().map(Hit::id).toList());
  }

  @Test
  void hitsAreBestFirstWithPayloadAndOptionalVector() {
    List<Hit> hits = c.search(SearchRequest.of(new float[] {10.2f, 0}, 3).includeVectors(true));
    assertEquals(List.of("r10", "r11", "r9"), hits.stream().map(Hit::id).toList());
    assertTrue(hits.get(0).score() >= hits.get(1).score() && hits.get(1).score() >= hits.get(2).score());
    assertEquals(1 / (1 + 0.2f * 0.2f), hits.get(0).score(), 1e-5);
    assertEquals("yes", hits.get(0).payload().getString("tenth"));
    assertEquals(10f, hits.get(0).vector()[0]);
    Hit bare = c.search(SearchRequest.of(new float[] {10.2f, 0}, 1).includePayload(false)).get(0);
    assertTrue(bare.payload().isEmpty());
    assertNull(bare.vector());
  }

  @Test
  void exactAndBatch() {
    List<Hit> exact = c.search(SearchRequest.of(new float[] {33, 0}, 5).exact(true));
    assertEquals(Set.of("r31", "r32", "r33", "r34", "r35"), Set.copyOf(exact.stream().map(Hit::id).toList()));
    List<List<Hit>> batch = c.searchBatch(List.of(new float[] {1, 0}, new float[] {99, 0}), 1);
    assertEquals("r1", batch.get(0).get(0).id());
    assertEquals("r99", batch.get(1).get(0).id());
    assertEquals(100, c.search(new float[] {0, 0}, SearchRequest.MAX_K).size());
  }

  @Test
  void batchSearchesRunOnTheExecutorTheUserGives() {
    java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try (Iqdb db = Iqdb.builder().inMemory().searchExecutor(r -> {
          tasks.incrementAndGet();
          pool.execute(r);
        }).open()) {
      VectorCollection v = db.createCollection("v", CollectionConfig.builder(2, Metric.L2).build());
      for (int i = 0; i < 20; i++) {
        v.upsert("r" + i, new float[] {i, 0});
      }
      List<float[]> queries = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        queries.add(new float[] {i, 0});
      }
      List<List<Hit>> batch = v.searchBatch(queries, 1);
      for (int i = 0; i < 20; i++) {
        assertEquals("r" + i, batch.get(i).get(0).id());
      }
      assertTrue(tasks.get() > 0, "no search ran on the given executor");
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void scanCountStatsAndReplace() {
    try (Stream<VectorRecord> all = c.scan()) {
      assertEquals(100, all.count());
    }
    c.upsert("r5", new float[] {500, 0}, Payload.of("i", 500));
    assertEquals(100, c.count());
    assertEquals(500L, c.get("r5").orElseThrow().payload().getLong("i"));
    assertEquals("r5", c.search(new float[] {499, 0}, 1).get(0).id());
    assertEquals(2, c.deleteAll(List.of("r1", "r2", "nope")));
    CollectionStats s = c.stats();
    assertEquals(98, s.count());
    assertEquals("c", s.name());
    assertNotNull(s.config());
    c.compact(1);
    assertEquals(0, c.stats().deleted());
    assertEquals(1, c.stats().segments());
  }

  @Test
  void batchSearchIgnoresAnInterruptAndKeepsIt() {
    List<float[]> queries = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      queries.add(new float[] {i * 1.5f, 0});
    }
    List<List<String>> expected = ids(c.searchBatch(queries, 3));
    for (int round = 0; round < 20; round++) {
      Thread.currentThread().interrupt();
      try {
        assertEquals(expected, ids(c.searchBatch(queries, 3)));
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
      } finally {
        Thread.interrupted();
      }
    }
  }

  private static List<List<String>> ids(List<List<Hit>> batch) {
    return batch.stream().map(hits -> hits.stream().map(Hit::id).toList()).toList();
  }

  @Test
  void searchesAfterCompactSeeTheMergedSegments() {
    // no background refresh within the test: a refresh after compact() must be compact()'s own
    try (Iqdb quiet = Iqdb.builder().inMemory()
        .refreshPolicy(new RefreshPolicy(java.time.Duration.ofHours(1), RefreshPolicy.MAX_TAIL_RECORDS)).open()) {
      VectorCollection d = quiet.createCollection("d", CollectionConfig.builder(2, Metric.L2).build());
      for (int batch = 0; batch < 3; batch++) {
        List<VectorRecord> recs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          recs.add(VectorRecord.of("r" + batch + "-" + i, new float[] {batch, i}));
        }
        d.upsertAll(recs);
        assertEquals(batch + 1, d.stats().segments()); // stats() refreshes: one segment per batch
      }
      d.compact(1);
      SearchResult r = d.searchResult(SearchRequest.of(new float[] {0, 0}, 3).explain(true));
      assertEquals(1, r.explanation().segments().size(), r.explanation().format());
      assertEquals(0, r.explanation().tailRecords());
      assertEquals("r0-0", r.hits().get(0).id());
    }
  }

  @Test
  void batchWithRepeatedIdKeepsTheLast() {
    c.upsertAll(List.of(
        VectorRecord.of("dup", new float[] {1, 1}, Payload.of("i", 1)),
        VectorRecord.of("dup", new float[] {2, 2}, Payload.of("i", 2))));
    assertEquals(2L, c.get("dup").orElseThrow().payload().getLong("i"));
    assertEquals(101, c.count());
  }
}
