package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.SearchExplanation.KnobSource;
import io.iqdb.SearchExplanation.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.document.LongPoint;
import org.junit.jupiter.api.Test;

/**
 * The per-segment query planner and {@link SearchRequest#explain(boolean)}: which plan each segment
 * gets, what the explanation reports, and that filtered searches return {@code k} hits whenever
 * {@code k} records match, whatever the plan.
 */
class QueryPlannerTest {
  private static final int DIM = 16;

  /** {@code n} records with payload {@code b = i} (so {@code b < m} matches {@code m} records), one segment. */
  private static VectorCollection fill(Iqdb db, IndexSpec index, int n) {
    VectorCollection c = db.createCollection("c", CollectionConfig.builder(DIM, Metric.L2).index(index).build());
    Random random = new Random(7);
    List<VectorRecord> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) random.nextGaussian();
      }
      batch.add(VectorRecord.of("r" + i, v, Payload.of("b", (long) i)));
    }
    c.upsertAll(batch);
    c.flush();
    c.compact(1);
    c.count(); // refreshes: the records are searched in the segment, not in memory
    return c;
  }

  private static float[] query(long seed) {
    Random random = new Random(seed);
    float[] q = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      q[d] = (float) random.nextGaussian();
    }
    return q;
  }

  private static SearchExplanation.Segment onlySegment(SearchResult result) {
    assertNotNull(result.explanation());
    assertEquals(1, result.explanation().segments().size(), result.explanation()::format);
    return result.explanation().segments().get(0);
  }

  @Test
  void narrowFiltersAreScoredExactlyBroadSearchesUseTheGraph() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db, IndexSpec.hnsw(), 20_000);
      float[] q = query(1);

      // 300 of 20,000 (1.5%): the graph would visit far more than 300 vectors
      SearchResult narrow = c.searchResult(SearchRequest.of(q, 10).filter(Filter.range("b", 0, 299)).explain(true));
      SearchExplanation.Segment s = onlySegment(narrow);
      assertEquals(Plan.EXACT, s.plan(), narrow.explanation()::format);
      assertEquals(300, s.filterMatches());
      assertEquals(300, s.vectorsScored());
      assertEquals(KnobSource.NONE, s.knobSource());
      assertTrue(s.reason().startsWith("exact is cheaper"), s.reason());
      assertFalse(s.reason().contains("filter count estimated"), s.reason()); // a point range's matches are counted
      assertEquals(c.search(SearchRequest.of(q, 10).filter(Filter.range("b", 0, 299)).exact(true)), narrow.hits());

      // a conjunction's count is its cost estimate: said so, and the hits are still the exact ones
      Filter both = Filter.range("b", 0, 999).and(Filter.range("b", 700, 1_999));
      SearchResult conjunction = c.searchResult(SearchRequest.of(q, 10).filter(both).explain(true));
      s = onlySegment(conjunction);
      assertEquals(Plan.EXACT, s.plan(), conjunction.explanation()::format);
      assertEquals(300, s.vectorsScored());
      assertTrue(s.reason().endsWith("(filter count estimated)"), s.reason());
      assertEquals(c.search(SearchRequest.of(q, 10).filter(Filter.range("b", 700, 999)).exact(true)), conjunction.hits());

      // no filter: the graph visits a small share of 20,000 vectors
      SearchResult broad = c.searchResult(SearchRequest.of(q, 10).explain(true));
      s = onlySegment(broad);
      assertEquals(Plan.HNSW, s.plan(), broad.explanation()::format);
      assertEquals(-1, s.filterMatches());
      assertEquals(20_000, s.vectors());
      // the segment calibrated its ef for the default target recall when it was written
      assertEquals(KnobSource.CALIBRATED, s.knobSource());
      assertTrue(s.ef() >= 10 && s.ef() <= 1_000, "calibrated ef " + s.ef());
      assertTrue(s.vectorsScored() > 0 && s.vectorsScored() < 20_000, broad.explanation()::format);
      assertTrue(s.reason().startsWith("HNSW is cheaper"), s.reason());
      assertTrue(s.nanos() > 0 && broad.explanation().nanos() >= s.nanos());
      assertEquals(10, broad.hits().size());
      assertEquals(broad.hits(), c.search(SearchRequest.of(q, 10)), "explain does not change the hits");

      // a requested ef is reported as such
      s = onlySegment(c.searchResult(SearchRequest.of(q, 10).ef(40).explain(true)));
      assertEquals(40, s.ef());
      assertEquals(KnobSource.REQUESTED, s.knobSource());

      // forced to the graph, a narrow filter takes Lucene's own fallback (visited more than it matches)
      SearchResult forced = c.searchResult(
          SearchRequest.of(q, 10).filter(Filter.range("b", 0, 299)).forceIndex(true).explain(true));
      s = onlySegment(forced);
      assertTrue(s.reason().startsWith("planner bypassed"), s.reason());
      assertEquals(narrow.hits(), forced.hits());

      // a second, small segment: planned on its own (exact), while the large one keeps its graph
      List<VectorRecord> small = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        small.add(VectorRecord.of("s" + i, query(100 + i), Payload.of("b", -1L)));
      }
      c.upsertAll(small);
      c.flush();
      c.count();
      SearchResult two = c.searchResult(SearchRequest.of(q, 10).explain(true));
      List<SearchExplanation.Segment> segments = two.explanation().segments();
      assertEquals(2, segments.size(), two.explanation()::format);
      assertEquals(Plan.HNSW, segments.get(0).plan(), two.explanation()::format);
      assertEquals(Plan.EXACT, segments.get(1).plan(), two.explanation()::format);
      assertEquals(50, segments.get(1).vectorsScored());
      assertTrue(segments.get(1).reason().startsWith("exact is cheaper"), segments.get(1).reason());

      // fewer matches than hits wanted, in one of the two segments: scored exactly, planned or not
      SearchRequest few = SearchRequest.of(q, 10).filter(Filter.range("b", 3, 7));
      List<Hit> fewHits = c.search(few);
      assertEquals(5, fewHits.size());
      assertEquals(c.search(SearchRequest.of(q, 10).filter(Filter.range("b", 3, 7)).exact(true)), fewHits);
      SearchResult fewExplained = c.searchResult(SearchRequest.of(q, 10).filter(Filter.range("b", 3, 7)).explain(true));
      assertEquals(fewHits, fewExplained.hits());
      assertEquals(Plan.EXACT, fewExplained.explanation().segments().get(0).plan(), fewExplained.explanation()::format);
      assertEquals(5, fewExplained.explanation().segments().get(0).vectorsScored(), fewExplained.explanation()::format);
    }
  }

  @Test
  void aFilteredGraphSearchAimsAtTheFilteredTargetRecallUnlessOneIsSet() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db, IndexSpec.hnsw(), 20_000);
      float[] q = query(5);
      SearchRequest broad = SearchRequest.of(q, 10).filter(Filter.range("b", 0, 9_999)).forceIndex(true).explain(true);
      SearchExplanation.Segment filtered = onlySegment(c.searchResult(broad));
      double target = SearchRequest.DEFAULT_FILTERED_HNSW_TARGET_RECALL;
      SearchExplanation.Segment atFiltered = onlySegment(c.searchResult(broad.targetRecall(target)));
      SearchExplanation.Segment at095 = onlySegment(c.searchResult(broad.targetRecall(0.95)));
      assertEquals(Plan.HNSW, filtered.plan(), filtered.reason());
      assertEquals(KnobSource.CALIBRATED, filtered.knobSource());
      assertTrue(at095.ef() < atFiltered.ef(),
          "calibrated ef for 0.95 " + at095.ef() + ", for " + target + " " + atFiltered.ef());
      assertEquals(atFiltered.ef(), filtered.ef(), "a filtered search defaults to the filtered target");
      assertFalse(broad.targetRecallSet());
      assertEquals(SearchRequest.DEFAULT_TARGET_RECALL, broad.targetRecall());

      // without a filter the default stays the unfiltered one
      SearchRequest unfiltered = SearchRequest.of(q, 10).explain(true);
      assertEquals(at095.ef(), onlySegment(c.searchResult(unfiltered)).ef());
      // and so it does where the filter matches every record: the walk is the calibrated one
      SearchExplanation.Segment all = onlySegment(c.searchResult(
          SearchRequest.of(q, 10).filter(Filter.range("b", 0, 19_999)).explain(true)));
      assertEquals(20_000, all.filterMatches());
      assertEquals(at095.ef(), all.ef(), all.reason());
    }
  }

  @Test
  void aGraphSearchWhoseFilterAvoidsTheQuerysNeighbourhoodGivesUpForExactScoring() {
    try (Iqdb db = Iqdb.openInMemory()) {
      // two clusters far apart, 10,000 records each; side 1 is the one the query is not in, and
      // every record has a random label in [0, 2)
      int dim = 64;
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(dim, Metric.L2).index(IndexSpec.hnsw()).build());
      Random random = new Random(11);
      List<VectorRecord> batch = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
          v[d] = (float) random.nextGaussian();
        }
        long side = i % 2;
        v[0] += side == 0 ? 20 : -20;
        batch.add(VectorRecord.of("r" + i, v, Payload.of("side", side, "label", (long) random.nextInt(2))));
      }
      c.upsertAll(batch);
      c.flush();
      c.compact(1);
      c.count();
      float[] q = new float[dim];
      q[0] = 20;

      // a small ef, so that the model prefers the graph for half of the records
      Filter avoiding = Filter.eq("side", 1L);
      SearchResult result = c.searchResult(SearchRequest.of(q, 10).ef(16).filter(avoiding).explain(true));
      SearchExplanation.Segment s = onlySegment(result);
      assertEquals(Plan.EXACT, s.plan(), result.explanation()::format);
      assertTrue(s.reason().startsWith("HNSW is cheaper"), s.reason());
      assertTrue(s.reason().contains("filter checks") && s.reason().contains("the filter avoids the query's neighbourhood"),
          s.reason());
      assertEquals(c.search(SearchRequest.of(q, 10).filter(avoiding).exact(true)), result.hits());

      // as many records, spread over both clusters: the graph finds them
      Filter spread = Filter.eq("label", 1L);
      result = c.searchResult(SearchRequest.of(q, 10).ef(16).filter(spread).explain(true));
      s = onlySegment(result);
      assertEquals(Plan.HNSW, s.plan(), result.explanation()::format);
      assertTrue(s.reason().contains("filter checks passed"), s.reason());
      assertEquals(10, result.hits().size());
    }
  }

  @Test
  void aLuceneQueryFilterGoesThroughThePlanner() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db, IndexSpec.hnsw(), 5_000);
      float[] q = query(2);
      SearchResult r = c.searchResult(SearchRequest.of(q, 10).filter(LongPoint.newRangeQuery("b", 0, 29)).explain(true));
      SearchExplanation.Segment s = onlySegment(r);
      assertEquals(Plan.EXACT, s.plan(), r.explanation()::format);
      assertEquals(30, s.filterMatches());
      assertEquals(c.search(SearchRequest.of(q, 10).filter(Filter.range("b", 0, 29)).exact(true)), r.hits());
    }
  }

  @Test
  void filteredSearchesReturnKHitsWheneverKRecordsMatch() {
    try (Iqdb db = Iqdb.openInMemory()) {
      for (IndexSpec index : List.of(IndexSpec.hnsw(), IndexSpec.ivf(), IndexSpec.hnsw().withQuantization(Quantization.INT8))) {
        db.dropCollection("c");
        VectorCollection c = fill(db, index, 5_000);
        for (int matches : new int[] {0, 1, 9, 10, 11, 25, 60, 250, 1_000, 2_500, 5_000}) {
          for (boolean force : new boolean[] {false, true}) {
            SearchRequest request = SearchRequest.of(query(matches), 10).forceIndex(force);
            if (matches < 5_000) {
              request = request.filter(matches == 0 ? Filter.range("b", -10, -1) : Filter.range("b", 0, matches - 1));
            }
            List<Hit> hits = c.search(request);
            assertEquals(Math.min(10, matches), hits.size(), index + ", " + matches + " matches, forceIndex=" + force);
            for (Hit h : hits) {
              assertTrue(Integer.parseInt(h.id().substring(1)) < matches, h.id());
            }
          }
        }
        // deleted records never come back, whichever path scores the segment
        for (int i = 0; i < 5; i++) {
          c.delete("r" + i);
        }
        c.count(); // refreshes: the deletes are in the segment's live docs, not only in memory
        for (boolean force : new boolean[] {false, true}) {
          List<Hit> hits = c.search(SearchRequest.of(query(1), 10).filter(Filter.range("b", 0, 14)).forceIndex(force));
          assertEquals(10, hits.size(), index + ", forceIndex=" + force);
          for (Hit h : hits) {
            assertTrue(Integer.parseInt(h.id().substring(1)) >= 5, h.id());
          }
        }
      }
    }
  }

  @Test
  void explainsIvfQuantizedHnswAndTheTail() {
    try (Iqdb db = Iqdb.builder().inMemory()
        .refreshPolicy(new RefreshPolicy(RefreshPolicy.MAX_AGE, RefreshPolicy.MAX_TAIL_RECORDS)).open()) {
      VectorCollection ivf = fill(db, IndexSpec.ivf(), 5_000);
      float[] q = query(3);
      SearchExplanation.Segment s = onlySegment(ivf.searchResult(SearchRequest.of(q, 10).forceIndex(true).explain(true)));
      assertEquals(Plan.IVF, s.plan());
      assertEquals(KnobSource.CALIBRATED, s.knobSource());
      assertTrue(s.probes() >= 1, "calibrated probes " + s.probes());
      s = onlySegment(ivf.searchResult(SearchRequest.of(q, 10).probes(3).forceIndex(true).explain(true)));
      assertEquals(3, s.probes());
      assertEquals(KnobSource.REQUESTED, s.knobSource());
      s = onlySegment(ivf.searchResult(
          SearchRequest.of(q, 10).filter(Filter.range("b", 0, 2_499)).forceIndex(true).explain(true)));
      assertEquals(KnobSource.WIDENED_FOR_FILTER, s.knobSource());
      assertEquals(2_500, s.filterMatches());

      // records written since the last refresh are searched in memory and counted
      ivf.upsert("new", q, Payload.of("b", 1L));
      SearchResult withTail = ivf.searchResult(SearchRequest.of(q, 10).explain(true));
      assertEquals(1, withTail.explanation().tailRecords());
      assertEquals("new", withTail.hits().get(0).id());

      VectorCollection int8 = db.createCollection("q",
          CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.hnsw().withQuantization(Quantization.INT8)).build());
      int8.upsert("a", q, Payload.empty());
      int8.upsert("b", query(4), Payload.empty());
      int8.flush();
      int8.count(); // refreshes
      SearchResult r = int8.searchResult(SearchRequest.of(q, 1).forceIndex(true).explain(true));
      s = onlySegment(r);
      assertEquals(Plan.HNSW, s.plan());
      assertEquals(2, s.candidatesRescored(), r.explanation()::format);
      assertFalse(r.explanation().format().isEmpty());
    }
  }

  @Test
  void noExplanationUnlessAsked() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = fill(db, IndexSpec.flat(), 100);
      SearchResult r = c.searchResult(SearchRequest.of(query(5), 3));
      assertNull(r.explanation());
      assertTrue(r.explained().isEmpty());
      assertEquals(3, r.hits().size());
      SearchExplanation.Segment s = onlySegment(c.searchResult(SearchRequest.of(query(5), 3).explain(true)));
      assertEquals(Plan.FLAT, s.plan());
      s = onlySegment(c.searchResult(SearchRequest.of(query(5), 3).exact(true).explain(true)));
      assertEquals(Plan.EXACT, s.plan());
      assertEquals(100, s.vectorsScored());
    }
  }
}
