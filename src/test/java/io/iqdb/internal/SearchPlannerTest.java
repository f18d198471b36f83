package io.iqdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.IndexSpec;
import io.iqdb.Quantization;
import org.junit.jupiter.api.Test;

/** The cost model's choices at the extremes, where any sane set of constants must agree. */
class SearchPlannerTest {

  @Test
  void hnswExactForNarrowFiltersGraphForBroadOnes() {
    SearchPlanner p = new SearchPlanner(IndexSpec.hnsw(), 768);
    assertTrue(p.choose(1_000_000, 1_000, 100).exact(), "0.1% of a million");
    assertFalse(p.choose(1_000_000, 1_000_000, 100).exact(), "no filter on a million");
    assertFalse(p.choose(1_000_000, 500_000, 100).exact(), "half of a million");
    assertTrue(p.choose(200, 200, 100).exact(), "a segment of 200 vectors");
    // the crossover moves with ef: a wider search makes exact worth it for broader filters
    double crossoverEf100 = crossover(p, 100);
    double crossoverEf800 = crossover(p, 800);
    assertTrue(crossoverEf800 > crossoverEf100, crossoverEf100 + " vs " + crossoverEf800);
  }

  @Test
  void visitsGrowSublinearlyWithEf() {
    // Fashion-MNIST, 60,000 vectors, 10% selectivity: measured 1,086 visits at ef 20, 3,071 at 100
    double at20 = SearchPlanner.hnswVisits(60_000, 6_000, 20);
    double at100 = SearchPlanner.hnswVisits(60_000, 6_000, 100);
    assertTrue(at20 > 900 && at20 < 1_300, "ef 20: " + at20);
    assertTrue(at100 > 2_600 && at100 < 3_600, "ef 100: " + at100);
    // there the graph at the calibrated ef (about 20) was 3.5x faster than exact, at ef 100 not
    SearchPlanner p = new SearchPlanner(IndexSpec.hnsw(), 784);
    assertFalse(p.choose(60_000, 6_000, 20).exact());
    assertTrue(p.choose(60_000, 6_000, 100).exact());
  }

  @Test
  void aGraphSearchGivesUpWhenItsFilterChecksShowTheFilterAvoidingTheQuery() {
    // 20% of Fashion-MNIST at ef 64: the graph by the model
    SearchPlanner p = new SearchPlanner(IndexSpec.hnsw(), 784);
    SearchPlanner.Choice graph = p.choose(60_000, 12_000, 64);
    assertFalse(graph.exact(), graph.reason("HNSW"));
    // none of the first 64 checks passed: the walk is where the filter is not
    assertTrue(p.abandonGraph(graph, 60_000, 12_000, 64, 64, 0));
    // a random filter's pass rate, even an unlucky one, goes on
    assertFalse(p.abandonGraph(graph, 60_000, 12_000, 64, 64, 13));
    assertFalse(p.abandonGraph(graph, 60_000, 12_000, 64, 64, 7));
    // half of the records: exact scoring costs 2.5 times more, a few checks without a pass do not
    // yet outweigh it, many do
    SearchPlanner.Choice half = p.choose(60_000, 30_000, 64);
    assertFalse(half.exact(), half.reason("HNSW"));
    assertFalse(p.abandonGraph(half, 60_000, 30_000, 64, 64, 0));
    assertTrue(p.abandonGraph(half, 60_000, 30_000, 64, 1_024, 0));
  }

  @Test
  void theModelFollowsTheFilteredGraphSearchesMeasuredVisits() {
    // 10% of Fashion-MNIST at ef 20: the graph by the constants
    SearchPlanner p = new SearchPlanner(IndexSpec.hnsw(), 784);
    assertFalse(p.choose(60_000, 6_000, 20).exact());
    assertEquals(1, p.choose(60_000, 6_000, 20).visitScale(), 1e-9);
    // filtered graph searches of another data set visit 3x the nodes the model expects
    for (int i = 0; i < 200; i++) {
      p.observeVisits(60_000, 12_000, 40, (long) (3 * SearchPlanner.hnswVisits(60_000, 12_000, 40)));
    }
    SearchPlanner.Choice more = p.choose(60_000, 6_000, 20);
    assertEquals(3, more.visitScale(), 0.01);
    assertTrue(more.exact(), more.reason("HNSW"));
    assertTrue(more.reason("HNSW").contains("filtered visits scaled to measured: 3.00x"), more.reason("HNSW"));
    // the visit budget grows with them
    assertTrue(more.visitBudget() >= 0.99 * 3 * 3 * SearchPlanner.hnswVisits(60_000, 6_000, 20), "budget " + more.visitBudget());
    // unfiltered searches keep the model's visits, and tiny searches are not counted
    assertEquals(1, p.choose(60_000, 60_000, 20).visitScale(), 1e-9);
    SearchPlanner q = new SearchPlanner(IndexSpec.hnsw(), 784);
    for (int i = 0; i < 200; i++) {
      q.observeVisits(100, 90, 1, 5_000); // the model expects about 20 visits
    }
    assertEquals(1, q.choose(60_000, 6_000, 20).visitScale(), 1e-9);
  }

  @Test
  void theModelFollowsThePlansMeasuredSpeeds() {
    // 10% of Fashion-MNIST at the calibrated ef: the graph, by the constants (see above)
    SearchPlanner p = new SearchPlanner(IndexSpec.hnsw(), 784);
    SearchPlanner.Choice before = p.choose(60_000, 6_000, 20);
    assertFalse(before.exact());
    assertFalse(before.reason("HNSW").contains("scaled"), before.reason("HNSW"));
    // graph searches measured at 3x the model's cost per visit: exact scoring becomes cheaper
    for (int i = 0; i < 200; i++) {
      long visits = (long) SearchPlanner.hnswVisits(60_000, 6_000, 20); // as many as the model expects
      p.observeIndex(60_000, 6_000, 20, visits, (long) (3 * visits * p.graphNanosPerVisit(32)));
    }
    SearchPlanner.Choice slowGraph = p.choose(60_000, 6_000, 20);
    assertTrue(slowGraph.exact(), slowGraph.reason("HNSW"));
    assertEquals(3, slowGraph.indexScale(), 0.01);
    assertTrue(slowGraph.reason("HNSW").contains("HNSW 3.00x"), slowGraph.reason("HNSW"));
    // and exact scans measured at 3x too: the graph again
    for (int i = 0; i < 200; i++) {
      p.observeExact(6_000, (long) (3 * p.exactNanos(6_000)));
    }
    SearchPlanner.Choice bothSlow = p.choose(60_000, 6_000, 20);
    assertFalse(bothSlow.exact(), bothSlow.reason("HNSW"));
    assertEquals(before.indexNanos() / before.exactNanos(), bothSlow.indexNanos() / bothSlow.exactNanos(), 0.01);
    // a scale stays within bounds however slow the searches, and tiny searches are not observed
    for (int i = 0; i < 1_000; i++) {
      p.observeExact(6_000, Long.MAX_VALUE / 2);
      p.observeExact(10, 1_000_000_000L);
    }
    assertEquals(SearchPlanner.MAX_SCALE, p.choose(60_000, 6_000, 20).exactScale(), 1e-9);
  }

  @Test
  void quantizedGraphsAreCheaperPerVisit() {
    SearchPlanner f = new SearchPlanner(IndexSpec.hnsw(), 768);
    SearchPlanner q = new SearchPlanner(IndexSpec.hnsw().withQuantization(Quantization.INT4), 768);
    assertTrue(q.choose(100_000, 20_000, 100).indexNanos() < f.choose(100_000, 20_000, 100).indexNanos());
  }

  @Test
  void ivfExactForNarrowFiltersListsForBroadOnes() {
    SearchPlanner p = new SearchPlanner(IndexSpec.ivf(), 384);
    assertTrue(p.choose(1_000_000, 500, 10).exact());
    assertFalse(p.choose(1_000_000, 1_000_000, 10).exact());
    assertFalse(p.choose(1_000_000, 200_000, 10).exact());
  }

  @Test
  void exactScoringCostsMorePerVectorOnceTheMatchesLeaveTheCaches() {
    SearchPlanner p = new SearchPlanner(IndexSpec.hnsw(), 384);
    // measured: 47 ns per 384-d vector over 1,200-3,000 matches, 110 ns over 12,000-30,000
    double few = p.exactNanos(2_000) / 2_000;
    double many = p.exactNanos(200_000) / 200_000;
    assertTrue(few > 35 && few < 60, "cached: " + few);
    assertTrue(many > 90 && many < 140, "from memory: " + many);
  }

  /**
   * The crossovers measured on 59,900 sentence embeddings (384-d, one segment, 2026-12-07,
   * {@code FilteredHarness}): exact against HNSW at its calibrated ef (about 20) and against IVF.
   */
  @Test
  void realTextCrossovers() {
    SearchPlanner hnsw = new SearchPlanner(IndexSpec.hnsw(), 384);
    assertTrue(hnsw.choose(59_900, 3_013, 20).exact(), "5%: exact 143 us, HNSW 257-286 us");
    assertFalse(hnsw.choose(59_900, 12_049, 20).exact(), "20%: exact 1,210 us, HNSW 200 us");
    SearchPlanner ivf = new SearchPlanner(IndexSpec.ivf(), 384);
    assertTrue(ivf.choose(59_900, 1_219, 10).exact(), "2%: exact 57 us, IVF 98 us");
    assertFalse(ivf.choose(59_900, 5_925, 10).exact(), "10%: exact 387 us, IVF 127 us");
  }

  /**
   * 1,000,000 x 128 clustered, IVF, a 1% random filter (2026-12-07): exact 560 us, IVF 2,100 us,
   * the codec's widening under the filter scanning 88% of the lists.
   */
  @Test
  void ivfAtScaleLeavesSelectiveFiltersToExactScoring() {
    SearchPlanner ivf = new SearchPlanner(IndexSpec.ivf(), 128);
    assertTrue(ivf.choose(1_000_000, 9_898, 10).exact());
    assertFalse(ivf.choose(1_000_000, 100_000, 10).exact(), "10%: exact 10.5 ms, IVF 3.9 ms");
  }

  @Test
  void theFlatIndexIsNeverReplaced() {
    SearchPlanner p = new SearchPlanner(IndexSpec.flat(), 768);
    assertFalse(p.choose(1_000_000, 10, 10).exact());
  }

  /** The smallest share of a million vectors for which the graph wins, to 0.1%. */
  private static double crossover(SearchPlanner p, int ef) {
    for (int permille = 1; permille <= 1000; permille++) {
      if (!p.choose(1_000_000, permille * 1_000L, ef).exact()) {
        return permille / 1000.0;
      }
    }
    return 1;
  }
}
