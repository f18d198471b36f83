package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.internal.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records with text, BM25 search and hybrid (reciprocal rank fusion) search, checked against
 * scores and ranks computed by hand.
 */
class TextSearchTest {
  @TempDir Path tmp;

  /**
   * Five records on a line, so that the vector order from the origin is a, b, c, d, e (L2), and
   * texts whose BM25 order for "apple" is e, b, a (see {@link #bm25}); d has no text.
   */
  private static VectorCollection fill(Iqdb db) {
    VectorCollection c = db.createCollection("t", CollectionConfig.builder(2, Metric.L2).index(IndexSpec.flat()).build());
    c.upsert("a", new float[] {1, 0}, Payload.of("group", "x"), "apple banana");
    c.upsert("b", new float[] {2, 0}, Payload.of("group", "y"), "Apple");
    c.upsert("c", new float[] {3, 0}, Payload.of("group", "y"), "cherry");
    c.upsert("d", new float[] {4, 0}, Payload.of("group", "y"));
    c.upsert("e", new float[] {5, 0}, Payload.of("group", "y"), "apple, APPLE apple!");
    return c;
  }

  /**
   * Lucene's BM25 (k1 = 1.2, b = 0.75, no (k1 + 1) factor) for one query term: four documents
   * have a text (N = 4) with lengths 2, 1, 1, 3 (avgdl = 7/4), three contain "apple" (n = 3).
   */
  private static double bm25(int tf, int length) {
    double idf = Math.log(1 + (4 - 3 + 0.5) / (3 + 0.5));
    return idf * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * length / (7 / 4.0)));
  }

  /** Reciprocal rank fusion of hand-given ranks (1-based; absent = not in that list). */
  private static Map<String, Double> rrf(Map<String, Integer> vectorRanks, double wv, Map<String, Integer> textRanks, double wt) {
    Map<String, Double> scores = new LinkedHashMap<>();
    vectorRanks.forEach((id, r) -> scores.merge(id, wv / (60 + r), Double::sum));
    textRanks.forEach((id, r) -> scores.merge(id, wt / (60 + r), Double::sum));
    return scores;
  }

  private static void assertFused(List<String> expectedOrder, Map<String, Double> expected, List<Hit> hits) {
    assertEquals(expectedOrder, hits.stream().map(Hit::id).toList());
    for (Hit h : hits) {
      assertEquals((float) (double) expected.get(h.id()), h.score(), 0f, h.id());
    }
    // The hand-written order must agree with the hand-computed scores: non-increasing, and no
    // record left out scores more than the last one returned.
    for (int i = 1; i < expectedOrder.size(); i++) {
      assertTrue(expected.get(expectedOrder.get(i - 1)) >= expected.get(expectedOrder.get(i)), expectedOrder.toString());
    }
    double last = expected.get(expectedOrder.get(expectedOrder.size() - 1));
    expected.forEach((id, score) -> assertTrue(expectedOrder.contains(id) || score <= last, id));
  }

  @Test
  void bm25OnlyMatchesHandComputedScores() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db);
      List<Hit> hits = c.search(SearchRequest.ofText("apple", 10));
      assertEquals(List.of("e", "b", "a"), hits.stream().map(Hit::id).toList());
      assertEquals(bm25(3, 3), hits.get(0).score(), 1e-5);
      assertEquals(bm25(1, 1), hits.get(1).score(), 1e-5);
      assertEquals(bm25(1, 2), hits.get(2).score(), 1e-5);
      // The query is analyzed like the texts: case and punctuation do not matter.
      assertEquals(List.of("a"), c.search(SearchRequest.ofText("BANANA!!", 10)).stream().map(Hit::id).toList());
      // Any term may match; a query without terms, or with unknown ones, matches nothing.
      assertEquals(4, c.search(SearchRequest.ofText("cherry apple", 10)).size());
      assertEquals(List.of(), c.search(SearchRequest.ofText("", 10)));
      assertEquals(List.of(), c.search(SearchRequest.ofText(" ,;. ", 10)));
      assertEquals(List.of(), c.search(SearchRequest.ofText("durian", 10)));
      // k limits, filters apply.
      assertEquals(List.of("e"), c.search(SearchRequest.ofText("apple", 1)).stream().map(Hit::id).toList());
      assertEquals(List.of("e", "b"),
          c.search(SearchRequest.ofText("apple", 10).filter(Filter.eq("group", "y"))).stream().map(Hit::id).toList());
      assertEquals(List.of("a"), c.search(SearchRequest.ofText("apple", 10)
          .filter(new TermQuery(new Term("group", "x")))).stream().map(Hit::id).toList());
    }
  }

  @Test
  void hybridIsReciprocalRankFusionOfBothLists() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db);
      float[] origin = {0, 0};
      Map<String, Integer> vector = Map.of("a", 1, "b", 2, "c", 3, "d", 4, "e", 5);
      Map<String, Integer> text = Map.of("e", 1, "b", 2, "a", 3);

      // a = 1/61 + 1/63 > b = 2/62 > e = 1/65 + 1/61 > c = 1/63 > d = 1/64
      assertFused(List.of("a", "b", "e", "c", "d"), rrf(vector, 1, text, 1),
          c.search(SearchRequest.of(origin, 5).text("apple")));
      assertFused(List.of("a", "b"), rrf(vector, 1, text, 1), c.search(SearchRequest.of(origin, 2).text("apple")));

      // Weights: doubling the text list puts b (2nd in both) ahead of a, and e ahead of a.
      assertFused(List.of("b", "e", "a", "c", "d"), rrf(vector, 1, text, 2),
          c.search(SearchRequest.of(origin, 5).text("apple").textWeight(2)));
      // A zero text weight is the vector order.
      assertEquals(List.of("a", "b", "c", "d", "e"),
          c.search(SearchRequest.of(origin, 5).text("apple").textWeight(0)).stream().map(Hit::id).toList());

      // Depth 2: vector list a, b; text list e, b. a and e tie at 1/61: index order (a first).
      assertFused(List.of("b", "a"), rrf(Map.of("a", 1, "b", 2), 1, Map.of("e", 1, "b", 2), 1),
          c.search(SearchRequest.of(origin, 2).text("apple").fusionDepth(2)));
      // The depth is at least k: depth 2 with k = 5 fuses lists of 5 (text has only 3).
      assertFused(List.of("a", "b", "e", "c", "d"), rrf(vector, 1, text, 1),
          c.search(SearchRequest.of(origin, 5).text("apple").fusionDepth(2)));

      // A text without terms leaves the vector list alone, scored 1/(60 + rank).
      assertFused(List.of("a", "b", "c"), rrf(vector, 1, Map.of(), 1), c.search(SearchRequest.of(origin, 3).text("?")));
    }
  }

  @Test
  void filtersApplyToBothLists() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db);
      float[] origin = {0, 0};
      // group = y removes a: vector list b, c, d, e; text list e, b (BM25 statistics are the index's).
      Map<String, Double> expected = rrf(Map.of("b", 1, "c", 2, "d", 3, "e", 4), 1, Map.of("e", 1, "b", 2), 1);
      List<String> order = List.of("b", "e", "c", "d");
      assertFused(order, expected, c.search(SearchRequest.of(origin, 5).text("apple").filter(Filter.eq("group", "y"))));
      assertFused(order, expected, c.search(SearchRequest.of(origin, 5).text("apple")
          .filter(new TermQuery(new Term("group", "y")))));
      // Both filters at once: AND.
      assertEquals(List.of(), c.search(SearchRequest.of(origin, 5).text("apple")
          .filter(Filter.eq("group", "y")).filter(new TermQuery(new Term("group", "x")))));
      // The vector list of an exact search is the same here (flat index), so is the fusion.
      assertFused(order, expected, c.search(SearchRequest.of(origin, 5).text("apple").exact(true)
          .filter(Filter.eq("group", "y"))));
    }
  }

  @Test
  void hybridWorksOnApproximateIndices() {
    for (IndexSpec index : List.of(IndexSpec.hnsw(), IndexSpec.ivf())) {
      try (Iqdb db = Iqdb.openInMemory()) {
        VectorCollection c = db.createCollection("t", CollectionConfig.builder(2, Metric.L2).index(index).build());
        for (int i = 0; i < 200; i++) {
          c.upsert("r" + i, new float[] {i, 1}, Payload.empty(),
              i == 50 ? "target" : i == 7 ? "target and more words" : "other " + i);
        }
        List<Hit> hits = c.search(SearchRequest.of(new float[] {50, 1}, 3).text("target"));
        // r50 is first in both lists.
        assertEquals("r50", hits.get(0).id(), index.toString());
        assertEquals((float) (2.0 / 61), hits.get(0).score(), 0f);
        assertEquals(3, hits.size());
      }
    }
  }

  @Test
  void textRoundTripsThroughGetScanAndHits() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db);
      assertEquals("apple banana", c.get("a").orElseThrow().text());
      assertNull(c.get("d").orElseThrow().text());
      assertEquals(VectorRecord.of("a", new float[] {1, 0}, Payload.of("group", "x"), "apple banana"), c.get("a").orElseThrow());
      Map<String, String> scanned = new LinkedHashMap<>();
      try (Stream<VectorRecord> all = c.scan()) {
        all.forEach(r -> scanned.put(r.id(), r.text()));
      }
      assertEquals("Apple", scanned.get("b"));
      assertNull(scanned.get("d"));
      assertEquals(5, scanned.size());
      Hit hit = c.search(SearchRequest.of(new float[] {5, 0}, 1)).get(0);
      assertEquals("apple, APPLE apple!", hit.text());
      assertEquals(Payload.of("group", "y"), hit.payload());
      Hit bare = c.search(SearchRequest.of(new float[] {5, 0}, 1).includePayload(false)).get(0);
      assertNull(bare.text());
      assertEquals(Payload.empty(), bare.payload());

      // Replacing a record replaces its text in the index; an empty text is kept as empty.
      c.upsert("e", new float[] {5, 0}, Payload.empty(), "");
      assertEquals(List.of("b", "a"), c.search(SearchRequest.ofText("apple", 10)).stream().map(Hit::id).toList());
      assertEquals("", c.get("e").orElseThrow().text());
      c.upsert("e", new float[] {5, 0});
      assertNull(c.get("e").orElseThrow().text());

      // Batches carry texts; the last occurrence of an id wins.
      c.upsertAll(List.of(
          VectorRecord.of("f", new float[] {6, 0}, null, "fig"),
          VectorRecord.of("g", new float[] {7, 0}, null, "grape"),
          VectorRecord.of("f", new float[] {6, 0}, null, "fig tree")));
      assertEquals("fig tree", c.get("f").orElseThrow().text());
      assertEquals(List.of("g"), c.search(SearchRequest.ofText("grape", 3)).stream().map(Hit::id).toList());
      // Records: text is part of equality.
      assertTrue(!VectorRecord.of("x", new float[] {1}, null, "t").equals(VectorRecord.of("x", new float[] {1})));
    }
  }

  @Test
  void textSurvivesACrashThroughTheWriteAheadLog() throws IOException {
    Path dir = tmp.resolve("db");
    Path crashed = tmp.resolve("crashed");
    String big = "lorem ipsum ".repeat(20_000) + "unique"; // 240 KB: a real-sized text
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = fill(db); // created and committed empty; records only in the log (SYNC)
      c.upsert("big", new float[] {9, 9}, Payload.of("k", 1L), big);
      c.upsertAll(List.of(VectorRecord.of("batch", new float[] {8, 8}, null, "pear")));
      c.delete("c");
      copyTree(dir, crashed); // what a crash leaves: synced log, no commit since creation
    }
    // The copied index holds no record: everything below comes back from the write-ahead log.
    try (FSDirectory index = FSDirectory.open(crashed.resolve("collections/t/index"));
        DirectoryReader reader = DirectoryReader.open(index)) {
      assertEquals(0, reader.numDocs());
    }
    try (Iqdb db = Iqdb.open(crashed)) {
      VectorCollection c = db.collection("t");
      assertEquals(0, c.stats().quarantined());
      assertEquals(big, c.get("big").orElseThrow().text());
      assertEquals("apple banana", c.get("a").orElseThrow().text());
      assertEquals(Optional.empty(), c.get("c"));
      assertEquals(List.of("big"), c.search(SearchRequest.ofText("unique", 5)).stream().map(Hit::id).toList());
      assertEquals(List.of("batch"), c.search(SearchRequest.ofText("pear", 5)).stream().map(Hit::id).toList());
      assertFused(List.of("a", "b", "e"), rrf(Map.of("a", 1, "b", 2, "d", 3, "e", 4, "batch", 5, "big", 6), 1,
          Map.of("e", 1, "b", 2, "a", 3), 1), c.search(SearchRequest.of(new float[] {0, 0}, 3).text("apple")));
      c.flush();
    }
    try (Iqdb db = Iqdb.open(crashed)) {
      assertEquals(big, db.collection("t").get("big").orElseThrow().text());
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      List<Path> all = new ArrayList<>(files.sorted(Comparator.naturalOrder()).toList());
      for (Path p : all) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("iqdb.lock") && !p.getFileName().toString().equals("write.lock")) {
          try {
            Files.copy(p, target);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
  }

  @Test
  void badTextIsRefusedBeforeTheLog() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.createCollection("t", CollectionConfig.builder(2, Metric.L2).index(IndexSpec.flat()).build());
      c.upsert("ok", new float[] {1, 0}, null, "fine");
      long wal = c.stats().walBytes();
      String tooLong = "é".repeat(VectorCollection.MAX_TEXT_BYTES / 2 + 1); // 2 bytes each: 1 MiB + 2
      InvalidArgumentException e =
          assertThrows(InvalidArgumentException.class, () -> c.upsert("long", new float[] {1, 0}, null, tooLong));
      assertTrue(e.getMessage().contains("'long'") && e.getMessage().contains(String.valueOf(VectorCollection.MAX_TEXT_BYTES + 2))
          && e.getMessage().contains(String.valueOf(VectorCollection.MAX_TEXT_BYTES)), e.getMessage());
      e = assertThrows(InvalidArgumentException.class,
          () -> c.upsert("surrogate", new float[] {1, 0}, null, "bad \uD800 half"));
      assertTrue(e.getMessage().contains("'surrogate'") && e.getMessage().contains("surrogate"), e.getMessage());
      // One bad record refuses the whole batch.
      assertThrows(InvalidArgumentException.class, () -> c.upsertAll(List.of(
          VectorRecord.of("b1", new float[] {1, 0}, null, "fine"),
          VectorRecord.of("b2", new float[] {1, 0}, null, tooLong))));
      // Exactly at the limit is accepted.
      String longest = "é".repeat(VectorCollection.MAX_TEXT_BYTES / 2);
      assertEquals(wal, c.stats().walBytes(), "a refused write reached the log");
      c.upsert("longest", new float[] {1, 0}, null, longest);
      assertEquals(Optional.empty(), c.get("b1"));
      // Query texts are checked the same way.
      e = assertThrows(InvalidArgumentException.class, () -> c.search(SearchRequest.ofText(tooLong, 1)));
      assertTrue(e.getMessage().contains("query"), e.getMessage());
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.ofText(null, 1));
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {1, 0}, 1).textWeight(-1));
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {1, 0}, 1).textWeight(Double.NaN));
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {1, 0}, 1).fusionDepth(-1));
      assertThrows(InvalidArgumentException.class, () -> SearchRequest.ofText("x", 0));
    }
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("t");
      assertEquals(2, c.count());
      assertEquals(VectorCollection.MAX_TEXT_BYTES / 2, c.get("longest").orElseThrow().text().length());
      assertEquals(0, c.stats().quarantined());
    }
  }

  @Test
  void queryTextWithTooManyTermsIsABadArgument() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db);
      StringBuilder q = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        q.append("w").append(i).append(' ');
      }
      InvalidArgumentException e =
          assertThrows(InvalidArgumentException.class, () -> c.search(SearchRequest.ofText(q.toString(), 3)));
      assertTrue(e.getMessage().contains("terms"), e.getMessage());
    }
  }

  @Test
  void theQueryAnalyzerIsTheIndexAnalyzer() {
    // The index analyzes _text with the index writer's analyzer, queries with Schema.ANALYZER:
    // a token the two would split differently must still match.
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = db.createCollection("t", CollectionConfig.builder(2, Metric.L2).index(IndexSpec.flat()).build());
      c.upsert("u", new float[] {1, 0}, null, "Ünïcödé wi-fi e-mail 3.14 naïve_case");
      for (String q : List.of("ünïcödé", "WI", "fi", "mail", "3.14", "naïve_case")) {
        assertEquals(1, c.search(SearchRequest.ofText(q, 1)).size(), q);
      }
      assertEquals("_text", Schema.TEXT);
    }
  }
}
