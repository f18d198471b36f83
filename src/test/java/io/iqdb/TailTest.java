package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;

/**
 * The in-memory tail: writes since the last refresh are searched and read from memory, merged with
 * the index, with the same results as the index gives once refreshed.
 */
class TailTest {
  private static final int DIM = 8;

  /** A refresh policy that never refreshes by itself during a test. */
  private static final RefreshPolicy NEVER = new RefreshPolicy(RefreshPolicy.MAX_AGE, RefreshPolicy.MAX_TAIL_RECORDS);

  /**
   * Every filter form gives the same hits from the tail (evaluated in memory) as from the index
   * (compiled to a Lucene query): first with every record in the tail, then with updates and deletes
   * in the tail shadowing older versions in the index.
   */
  @Test
  void filtersAgreeBetweenTailAndIndex() {
    long seed = new Random().nextLong();
    System.out.println("TailTest.filtersAgreeBetweenTailAndIndex seed=" + seed);
    Random r = new Random(seed);
    try (Iqdb db = Iqdb.builder().inMemory().refreshPolicy(NEVER).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(DIM, Metric.L2).build());
      for (int i = 0; i < 150; i++) {
        c.upsert("r" + i, vector(r), payload(r, i));
      }
      List<Filter> filters = filters();
      Map<Filter, Set<String>> fromTail = searchAll(c, filters, r);
      c.count(); // refreshes: the index now holds every record
      assertEquals(fromTail, searchAll(c, filters, r), "seed=" + seed);

      // Now the index holds the old versions; the tail updates, deletes and adds.
      for (int i = 0; i < 60; i++) {
        c.upsert("r" + r.nextInt(150), vector(r), payload(r, i));
      }
      for (int i = 0; i < 25; i++) {
        c.delete("r" + r.nextInt(150));
      }
      for (int i = 150; i < 200; i++) {
        c.upsert("r" + i, vector(r), payload(r, i));
      }
      fromTail = searchAll(c, filters, r);
      float[] q = vector(r);
      List<Hit> unfilteredTail = c.search(SearchRequest.of(q, 300).exact(true));
      c.count();
      assertEquals(fromTail, searchAll(c, filters, r), "seed=" + seed);
      assertSameHits(unfilteredTail, c.search(SearchRequest.of(q, 300).exact(true)), "seed=" + seed);
    }
  }

  /**
   * The same hits in the same order, with the same payloads and scores equal to within float
   * rounding: the tail and a segment score with Lucene's vector functions, whose Panama kernels
   * may sum in another order (one vector at a time, or four in a batch; compiled or not), which
   * moves a score by an ulp or so.
   */
  private static void assertSameHits(List<Hit> expected, List<Hit> actual, String message) {
    assertEquals(expected.stream().map(Hit::id).toList(), actual.stream().map(Hit::id).toList(), message);
    for (int i = 0; i < expected.size(); i++) {
      Hit e = expected.get(i);
      Hit a = actual.get(i);
      assertEquals(e.payload(), a.payload(), message + ", " + e.id());
      assertEquals(e.score(), a.score(), 1e-6f * Math.max(1f, Math.abs(e.score())), message + ", " + e.id());
    }
  }

  /** The same query for the same filter on both sides: a fresh Random seeded per filter. */
  private static Map<Filter, Set<String>> searchAll(VectorCollection c, List<Filter> filters, Random unused) {
    Map<Filter, Set<String>> out = new HashMap<>();
    for (int f = 0; f < filters.size(); f++) {
      List<Hit> hits = c.search(SearchRequest.of(query(new Random(f), f), 300).filter(filters.get(f)).exact(true));
      Set<String> ids = new HashSet<>();
      for (Hit h : hits) {
        assertTrue(ids.add(h.id()), "duplicate hit " + h.id());
      }
      // also a small k: the tail and the index merge by score
      List<Hit> top = c.search(SearchRequest.of(query(new Random(f), f), 3).filter(filters.get(f)).exact(true));
      assertEquals(hits.subList(0, Math.min(3, hits.size())).stream().map(Hit::id).toList(),
          top.stream().map(Hit::id).toList(), "top 3 of " + filters.get(f));
      out.put(filters.get(f), ids);
    }
    return out;
  }

  private static float[] query(Random r, int unused) {
    return vector(r);
  }

  private static final String[] WORDS = {"a", "b", "c"};

  private static Payload payload(Random r, int i) {
    Payload.Builder b = Payload.builder();
    if (r.nextInt(5) > 0) {
      b.put("kw", WORDS[r.nextInt(WORDS.length)]);
    }
    if (r.nextInt(5) > 0) {
      int n = r.nextInt(3);
      List<String> tags = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        tags.add(WORDS[r.nextInt(WORDS.length)]);
      }
      b.put("tags", tags);
    }
    if (r.nextInt(5) > 0) {
      b.put("n", (long) (r.nextInt(21) - 10));
    }
    if (r.nextInt(5) > 0) {
      double[] xs = {-0.0, 0.0, 1.5, -2.25, 3.0};
      b.put("x", xs[r.nextInt(xs.length)]);
    }
    if (r.nextInt(5) > 0) {
      b.put("flag", r.nextBoolean());
    }
    b.put("i", (long) i);
    return b.build();
  }

  private static List<Filter> filters() {
    return List.of(
        Filter.eq("kw", "a"), Filter.in("kw", "a", "c"), Filter.in("kw", List.of()),
        Filter.eq("tags", "b"), Filter.in("tags", "a", "c"), Filter.exists("tags"), Filter.exists("kw"),
        Filter.eq("n", 3L), Filter.in("n", 1L, -4L, 7L), Filter.range("n", -3, 4), Filter.range("n", -2.5, 3.5),
        Filter.range("n", null, 0), Filter.range("n", 1e30, null), Filter.range("n", -1e30, null),
        Filter.eq("x", 0.0), Filter.eq("x", -0.0), Filter.eq("x", 3L), Filter.range("x", 0.0, 2.0),
        Filter.range("x", -0.0, 0.0), Filter.range("x", null, -1), Filter.exists("x"),
        Filter.eq("flag", true), Filter.eq("flag", false).not(),
        Filter.eq("kw", "a").and(Filter.range("n", 0, 10)), Filter.eq("kw", "b").or(Filter.eq("tags", "c")),
        Filter.allOf(), Filter.anyOf(), Filter.exists("flag").not().and(Filter.in("tags", "a")));
  }

  /** get, delete and count see the tail; a delete of a record only in the tail reports it existed. */
  @Test
  void tiesGoToTheOlderRecordInTheTailAsInTheIndex() {
    try (Iqdb db = Iqdb.builder().inMemory().refreshPolicy(NEVER).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(2, Metric.COSINE).index(IndexSpec.flat()).build());
      // four records equally close to the query, written in this order
      List<String> order = List.of("d", "b", "a", "c");
      float[][] vectors = {{1, 0}, {0, 1}, {1, 0}, {0, 1}};
      for (int i = 0; i < 4; i++) {
        c.upsert(order.get(i), vectors[i]);
      }
      float[] query = {1, 1};
      assertEquals(order, c.search(query, 4).stream().map(Hit::id).toList(), "from the tail");
      assertEquals(order.subList(0, 2), c.search(query, 2).stream().map(Hit::id).toList(), "from the tail, k=2");
      c.flush(); // into the index
      assertEquals(order, c.search(query, 4).stream().map(Hit::id).toList(), "from the index");
    }
  }

  @Test
  void getDeleteAndCountSeeTheTail() {
    try (Iqdb db = Iqdb.builder().inMemory().refreshPolicy(NEVER).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(2, Metric.L2).build());
      c.upsert("a", new float[] {1, 0}, Payload.of("k", "v1"), "first");
      assertEquals(new VectorRecord("a", new float[] {1, 0}, Payload.of("k", "v1"), "first"), c.get("a").orElseThrow());
      c.count(); // refresh
      c.upsert("a", new float[] {0, 1}, Payload.of("k", "v2"));
      assertEquals(new VectorRecord("a", new float[] {0, 1}, Payload.of("k", "v2")), c.get("a").orElseThrow());
      List<Hit> hits = c.search(SearchRequest.of(new float[] {0, 1}, 5));
      assertEquals(1, hits.size(), "the index's old version is shadowed: " + hits);
      assertEquals(Payload.of("k", "v2"), hits.get(0).payload());
      assertTrue(c.delete("a"));
      assertFalse(c.delete("a"));
      assertEquals(Optional.empty(), c.get("a"));
      assertEquals(List.of(), c.search(SearchRequest.of(new float[] {0, 1}, 5)));
      c.upsert("b", new float[] {0, 1}, null);
      assertTrue(c.delete("b"), "a record only in the tail exists");
      assertEquals(0, c.count());
    }
  }

  /** A search for k hits returns k when the tail shadows some of the index's best hits. */
  @Test
  void shadowedHitsAreReplacedFromTheIndex() {
    try (Iqdb db = Iqdb.builder().inMemory().refreshPolicy(NEVER).open()) {
      VectorCollection c = db.createCollection("c",
          CollectionConfig.builder(2, Metric.L2).index(IndexSpec.hnsw()).build());
      for (int i = 0; i < 100; i++) {
        c.upsert("r" + i, new float[] {i, 0}, null);
      }
      c.count();
      for (int i = 0; i < 10; i++) {
        c.delete("r" + i); // the ten nearest to the origin
      }
      List<Hit> hits = c.search(SearchRequest.of(new float[] {0, 0}, 5));
      assertEquals(List.of("r10", "r11", "r12", "r13", "r14"), hits.stream().map(Hit::id).toList());
    }
  }

  /**
   * Concurrent writers and readers against a model, with refreshes every few milliseconds and every
   * few records, so that reads meet the tail while it is frozen and dropped. Each writer owns its
   * ids: after each of its writes it reads them back exactly (read-your-writes, filtered search
   * against a brute-force model). Readers check that a read never shows a version older than the
   * last write that returned before the read began. At the end, everything against the model.
   */
  @Test
  void tailAndIndexAgreeWithAModelUnderConcurrency() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("TailTest.tailAndIndexAgreeWithAModelUnderConcurrency seed=" + seed);
    Random seedRandom = new Random(seed);
    IndexSpec[] kinds = {IndexSpec.flat(), IndexSpec.hnsw(), IndexSpec.ivf()};
    IndexSpec kind = kinds[seedRandom.nextInt(kinds.length)];
    int writers = 3;
    int opsPerWriter = 400;
    int idsPerWriter = 25;
    Map<String, List<Boolean>> history = new ConcurrentHashMap<>(); // per id: is the write a delete
    Map<String, Integer> returned = new ConcurrentHashMap<>(); // per id: version of the last returned write
    List<Map<String, VectorRecord>> models = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong readerChecks = new AtomicLong();
    try (Iqdb db = Iqdb.builder().inMemory().refreshPolicy(new RefreshPolicy(Duration.ofMillis(3), 8)).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(DIM, Metric.COSINE).index(kind).build());
      c.upsert("seed", vector(seedRandom), Payload.of("owner", "none", "key", "seed", "v", 0L));
      ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
      List<Future<?>> writerFutures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Map<String, VectorRecord> model = new TreeMap<>();
        models.add(model);
        long writerSeed = seedRandom.nextLong();
        writerFutures.add(pool.submit(() -> {
          Random r = new Random(writerSeed);
          String owner = "w" + writer;
          for (int op = 0; op < opsPerWriter; op++) {
            String id = owner + "-" + r.nextInt(idsPerWriter);
            List<Boolean> h = history.computeIfAbsent(id, x -> Collections.synchronizedList(new ArrayList<>()));
            boolean delete = r.nextInt(4) == 0;
            int version = h.size();
            h.add(delete);
            if (delete) {
              assertEquals(model.remove(id) != null, c.delete(id), "delete of " + id + " seed=" + seed);
            } else {
              VectorRecord rec = new VectorRecord(id, vector(r), Payload.of("owner", owner, "key", id, "v", (long) version));
              if (r.nextBoolean()) {
                c.upsert(rec.id(), rec.vector(), rec.payload());
              } else {
                VectorRecord other = new VectorRecord(owner + "-" + r.nextInt(idsPerWriter), vector(r),
                    Payload.of("owner", owner));
                if (other.id().equals(id)) {
                  c.upsert(rec.id(), rec.vector(), rec.payload());
                } else {
                  List<Boolean> oh = history.computeIfAbsent(other.id(),
                      x -> Collections.synchronizedList(new ArrayList<>()));
                  int ov = oh.size();
                  oh.add(false);
                  other = new VectorRecord(other.id(), other.vector(),
                      Payload.of("owner", owner, "key", other.id(), "v", (long) ov));
                  c.upsertAll(List.of(other, rec)); // a batch of two
                  model.put(other.id(), other);
                  returned.put(other.id(), ov);
                }
              }
              model.put(id, rec);
            }
            returned.put(id, version);
            // read-your-writes, exactly: this writer alone writes its ids
            assertEquals(Optional.ofNullable(model.get(id)), c.get(id), "get " + id + " seed=" + seed);
            float[] q = vector(r);
            List<String> expected = bruteForce(model.values(), q, 5);
            List<String> got = c.search(SearchRequest.of(q, 5).filter(Filter.eq("owner", owner)).exact(true))
                .stream().map(Hit::id).toList();
            assertEquals(expected, got, "search of " + owner + " after op " + op + " seed=" + seed);
          }
          return null;
        }));
      }
      List<Future<?>> readerFutures = new ArrayList<>();
      for (int rd = 0; rd < 2; rd++) {
        long readerSeed = seedRandom.nextLong();
        readerFutures.add(pool.submit(() -> {
          Random r = new Random(readerSeed);
          while (!stop.get()) {
            String id = "w" + r.nextInt(writers) + "-" + r.nextInt(idsPerWriter);
            Integer before = returned.get(id);
            Optional<Long> seen;
            if (r.nextBoolean()) {
              seen = c.get(id).map(v -> v.payload().getLong("v"));
            } else {
              List<Hit> hits = c.search(SearchRequest.of(vector(r), 1).filter(Filter.eq("key", id)));
              seen = hits.isEmpty() ? Optional.empty() : Optional.of(hits.get(0).payload().getLong("v"));
            }
            List<Boolean> h = history.getOrDefault(id, List.of());
            List<Boolean> after;
            synchronized (h) {
              after = new ArrayList<>(h);
            }
            int from = before == null ? 0 : before;
            if (seen.isPresent()) {
              int v = seen.get().intValue();
              assertTrue(v >= from && !after.get(v), "read of " + id + " saw version " + v + " after version "
                  + before + " returned; history " + after + " seed=" + seed);
            } else {
              boolean deletedSince = before == null;
              for (int j = from; j < after.size() && !deletedSince; j++) {
                deletedSince = after.get(j);
              }
              assertTrue(deletedSince, "read of " + id + " saw nothing after version " + before
                  + " returned; history " + after + " seed=" + seed);
            }
            List<Hit> any = c.search(SearchRequest.of(vector(r), 10));
            assertEquals(any.size(), any.stream().map(Hit::id).distinct().count(), "duplicate hits " + any);
            readerChecks.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : writerFutures) {
        f.get();
      }
      stop.set(true);
      for (Future<?> f : readerFutures) {
        f.get();
      }
      pool.shutdown();
      assertTrue(readerChecks.get() > 0);

      Map<String, VectorRecord> all = new TreeMap<>();
      models.forEach(all::putAll);
      all.put("seed", c.get("seed").orElseThrow());
      for (int w = 0; w < writers; w++) {
        for (int i = 0; i < idsPerWriter; i++) {
          String id = "w" + w + "-" + i;
          assertEquals(Optional.ofNullable(all.get(id)), c.get(id), id + " seed=" + seed);
        }
      }
      Random r = new Random(seed);
      for (int i = 0; i < 20; i++) {
        float[] q = vector(r);
        assertEquals(bruteForce(all.values(), q, 10),
            c.search(SearchRequest.of(q, 10).exact(true)).stream().map(Hit::id).toList(), "seed=" + seed);
      }
      assertEquals(all.size(), c.count(), "seed=" + seed);
      try (Stream<VectorRecord> s = c.scan()) {
        assertEquals(all.keySet(), s.map(VectorRecord::id).collect(Collectors.toSet()), "seed=" + seed);
      }
    }
  }

  private static List<String> bruteForce(java.util.Collection<VectorRecord> records, float[] q, int k) {
    return records.stream()
        .sorted(Comparator.comparingDouble(
            (VectorRecord rec) -> -VectorSimilarityFunction.COSINE.compare(q, rec.vector())).thenComparing(VectorRecord::id))
        .limit(k).map(VectorRecord::id).toList();
  }

  private static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }
}
