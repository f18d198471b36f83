package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick-start sample, compiled and run. Keep the two in sync. */
class QuickStartTest {

  @Test
  void quickStart(@TempDir Path tmp) {
    // --- README quick start begins
    try (Iqdb db = Iqdb.open(tmp.resolve("vectors.iqdb"))) {
      VectorCollection docs = db.createCollection("docs",
          CollectionConfig.builder(3, Metric.COSINE).index(IndexSpec.hnsw()).build());
      docs.upsert("a1", new float[] {1f, 0f, 0f}, Payload.of("lang", "en", "year", 2024));
      docs.upsert("a2", new float[] {0.9f, 0.1f, 0f}, Payload.of("lang", "de", "year", 2021));
      docs.upsert("a3", new float[] {0f, 1f, 0f}, Payload.of("lang", "en", "year", 2019));

      List<Hit> hits = docs.search(new float[] {1f, 0.05f, 0f}, 2);
      List<Hit> english = docs.search(SearchRequest.of(new float[] {1f, 0.05f, 0f}, 2)
          .filter(Filter.eq("lang", "en").and(Filter.range("year", 2020, 2025))));
      Optional<VectorRecord> a1 = docs.get("a1");
      boolean existed = docs.delete("a3");
      db.flush();
      // --- README quick start ends
      assertEquals(List.of("a1", "a2"), hits.stream().map(Hit::id).toList());
      assertEquals(List.of("a1"), english.stream().map(Hit::id).toList());
      assertEquals("en", english.get(0).payload().getString("lang"));
      assertTrue(a1.isPresent());
      assertEquals(2024L, a1.get().payload().getLong("year"));
      assertTrue(existed);
      assertFalse(docs.delete("a3"));
      assertEquals(2, docs.count());
    }
    try (Iqdb db = Iqdb.open(tmp.resolve("vectors.iqdb"))) {
      VectorCollection docs = db.collection("docs");
      assertEquals(2, docs.count());
      assertEquals(Payload.of("lang", "de", "year", 2021), docs.get("a2").orElseThrow().payload());
    }
  }
}
