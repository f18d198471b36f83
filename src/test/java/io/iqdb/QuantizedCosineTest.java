package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A COSINE collection with a quantized index whose segment holds only {@code v} and {@code -v}: the
 * directions average to zero, which Lucene 10.6's quantized writer cannot flush (a tragic index
 * writer failure that set the collection aside). The collection stays healthy through flush,
 * search, compaction and reopen.
 */
class QuantizedCosineTest {
  @TempDir Path tmp;

  static List<IndexSpec> specs() {
    return List.of(
        IndexSpec.flat(Quantization.INT8),
        IndexSpec.flat(Quantization.INT4),
        IndexSpec.flat(Quantization.BIT1),
        IndexSpec.hnsw().withQuantization(Quantization.INT8),
        IndexSpec.hnsw().withQuantization(Quantization.INT7),
        IndexSpec.hnsw().withQuantization(Quantization.INT4));
  }

  private static float[] negate(float[] v) {
    float[] n = v.clone();
    for (int i = 0; i < n.length; i++) {
      n[i] = -n[i];
    }
    return n;
  }

  @ParameterizedTest
  @MethodSource("specs")
  void antipodalVectorsFlushSearchAndReopen(IndexSpec spec) {
    float[] v = {1, 2, 3, 4};
    float[] w = {4, -1, 0.5f, 2};
    Path path = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(path)) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(4, Metric.COSINE).index(spec).build());
      c.upsert("v", v, Payload.empty(), null);
      c.upsert("-v", negate(v), Payload.empty(), null);
      db.flush(); // the segment {v, -v}: Lucene's writer failed here
      assertSearch(c, v, "v", "-v");
      assertSearch(c, negate(v), "-v", "v");

      // Still writable; a second segment that cancels on its own, then a merge of both.
      c.upsertAll(List.of(VectorRecord.of("w", w, Payload.empty()), VectorRecord.of("-w", negate(w), Payload.empty())));
      db.flush();
      c.compact(1);
      assertSearch(c, w, "w", "-w");
      assertEquals(4, c.count());
      assertEquals(1, c.stats().segments());
      assertTrue(db.check().isEmpty(), db.check().toString());
    }
    try (Iqdb db = Iqdb.open(path)) {
      assertTrue(db.check().isEmpty(), db.check().toString());
      VectorCollection c = db.collection("c");
      assertEquals(4, c.count());
      assertArrayEquals(negate(v), c.get("-v").orElseThrow().vector());
      assertSearch(c, v, "v", "-v");
      assertSearch(c, w, "w", "-w");
      c.upsert("x", new float[] {0, 0, 0, 1}, Payload.empty(), null);
      assertEquals(5, c.count());
    }
  }

  /** Exact and approximate search both rank {@code first} first (score 1) and {@code last} last (score 0). */
  private static void assertSearch(VectorCollection c, float[] query, String first, String last) {
    for (boolean exact : new boolean[] {true, false}) {
      List<Hit> hits = c.search(SearchRequest.of(query, 10).exact(exact));
      String what = c.config().index() + " exact=" + exact + " " + hits;
      assertEquals(first, hits.get(0).id(), what);
      assertEquals(1f, hits.get(0).score(), 0.02f, what);
      assertEquals(last, hits.get(hits.size() - 1).id(), what);
      assertEquals(0f, hits.get(hits.size() - 1).score(), 0.02f, what);
    }
  }
}
