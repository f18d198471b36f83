package io.iqdb.internal;

import io.iqdb.SearchExplanation.KnobSource;
import io.iqdb.SearchExplanation.Plan;
import io.iqdb.codecs.FilterCheckingCollector;
import java.io.IOException;
import java.util.Locale;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocAndFloatFeatureBuffer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TimeLimitingKnnCollectorManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopDocsCollector;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.search.knn.KnnCollectorManager;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.NeighborQueue;

/**
 * A {@link KnnFloatVectorQuery} whose per-segment search asks the {@link SearchPlanner} first.
 *
 * <p>Lucene's query already decides per segment: it scores exactly when the filter matches no more
 * documents than it wants hits, and falls back to exact scoring when the graph search visits more
 * documents than the filter matches (so a narrow filter pays for a graph search and then an exact
 * one). This subclass hooks {@link #approximateSearch}, which Lucene calls with the filter's exact
 * match count already computed, and scores exactly there when the planner estimates that cheaper;
 * Lucene's own two rules stay as they are and are reported as such. Every segment's plan, counts and
 * time go to a {@link SearchTrace} when one is given.
 */
final class PlannedKnnQuery extends KnnFloatVectorQuery {
  private final SearchPlanner planner;
  private final boolean plan;
  private final Plan indexPlan;
  private final int ef;
  private final int probes;
  private final KnobSource knobSource;
  private final SearchTrace trace;
  /** The request's target recall: reports the probes a calibrated IVF segment searches with (HNSW: the strategy's ef). */
  private final double targetRecall;
  /** Whether the index's reader rescores the candidates it returns at full precision (quantized HNSW). */
  private final boolean readerRescores;
  /**
   * The strategy of a segment where the filter matches every live document, or null for the
   * query's: the walk is then the unfiltered one the segment calibrated, and a filtered search's
   * higher default target recall would only cost (see {@code SearchRequest#DEFAULT_FILTERED_HNSW_TARGET_RECALL}).
   */
  private final KnnSearchStrategy matchAllStrategy;

  /**
   * @param plan {@code false} to search the index in every segment (Lucene's rules only)
   * @param indexPlan what the index is, for the trace
   * @param ef the HNSW candidate count reported, 0 for none
   * @param probes the IVF probes reported, 0 for none or the codec's choice
   * @param trace where to report, or {@code null}
   * @param targetRecall the request's target recall
   * @param readerRescores whether the index's reader rescores what it returns (reported as rescored)
   * @param matchAllStrategy the strategy of segments where the filter matches every live document,
   *     or null for {@code strategy}
   */
  PlannedKnnQuery(
      String field, float[] target, int k, Query filter, KnnSearchStrategy strategy, SearchPlanner planner,
      boolean plan, Plan indexPlan, int ef, int probes, KnobSource knobSource, SearchTrace trace,
      double targetRecall, boolean readerRescores, KnnSearchStrategy matchAllStrategy) {
    super(field, target, k, filter, strategy == null ? KnnSearchStrategy.Hnsw.DEFAULT : strategy);
    this.planner = planner;
    this.plan = plan;
    this.indexPlan = indexPlan;
    this.ef = ef;
    this.probes = probes;
    this.knobSource = knobSource;
    this.trace = trace;
    this.targetRecall = targetRecall;
    this.readerRescores = readerRescores;
    this.matchAllStrategy = matchAllStrategy;
  }

  @Override
  protected TopDocs approximateSearch(
      LeafReaderContext ctx, AcceptDocs acceptDocs, int visitedLimit, KnnCollectorManager manager)
      throws IOException {
    long start = System.nanoTime();
    FieldInfo info = ctx.reader().getFieldInfos().fieldInfo(field);
    if (info == null || info.hasVectorValues() == false) {
      return super.approximateSearch(ctx, acceptDocs, visitedLimit, manager);
    }
    // Every record has a vector: the segment's documents stand for its vectors in the plan. The
    // exact count would take the field's vector values, whose reader copies a float[dimension]
    // per call (3 KB at 784 dimensions), on every search, also where the index is searched.
    int vectors = ctx.reader().maxDoc();
    boolean filtered = getFilter() != null;
    // a filter's count is exact here: Lucene built the filter's bit set to get it
    long matches = filtered ? acceptDocs.cost() : ctx.reader().numDocs();
    KnnSearchStrategy strategy = filtered && matchAllStrategy != null && matches >= ctx.reader().numDocs()
        ? matchAllStrategy
        : getSearchStrategy();
    int planEf = plan && indexPlan != Plan.FLAT ? segmentEf(ctx, field, strategy, k, k) : k;
    SearchPlanner.Choice choice = plan && indexPlan != Plan.FLAT ? planner.choose(vectors, matches, planEf) : null;
    if (choice != null && choice.exact()) {
      // Lucene hands its searcher's timeout to approximateSearch only inside the manager
      QueryTimeout timeout = manager instanceof TimeLimitingKnnCollectorManager t ? t.getQueryTimeout() : null;
      FloatVectorValues values = ctx.reader().getFloatVectorValues(field);
      TopDocs exact = scoreExactly(ctx, values.rescorer(target), acceptDocs.iterator(), k, timeout);
      planner.observeExact(exact.totalHits.value(), System.nanoTime() - start);
      if (trace != null) { // the reason is formatted for explain only
        report(ctx, values.size(), filtered ? matches : -1, Plan.EXACT, choice.reason(indexName()),
            exact.totalHits.value(), start, strategy);
      }
      return exact;
    }
    int limit = visitedLimit;
    if (filtered && choice != null && choice.visitBudget() < limit) {
      limit = Math.max(k + 1, choice.visitBudget());
    }
    // a graph search the planner chose under a filter that leaves some records out: watched
    KnnCollector collector = manager.newCollector(limit, strategy, ctx);
    FilterWatch watch = filtered && choice != null && indexPlan == Plan.HNSW && matches < ctx.reader().numDocs()
        ? new FilterWatch(collector, choice, vectors, matches, planEf)
        : null;
    TopDocs found = searchIndex(ctx, acceptDocs, watch != null ? watch : collector);
    boolean gaveUpEarly = watch != null && watch.abandoned;
    if (gaveUpEarly) {
      // Lucene scores the segment exactly when the search says it is incomplete
      found = new TopDocs(
          new TotalHits(found.totalHits.value(), TotalHits.Relation.GREATER_THAN_OR_EQUAL_TO), found.scoreDocs);
    }
    if (found.totalHits.relation() == TotalHits.Relation.EQUAL_TO) {
      // a search that gave up went on to exact scoring, which observes itself (exactSearch)
      planner.observeIndex(vectors, matches, planEf, found.totalHits.value(), System.nanoTime() - start);
    } else if (watch != null && !gaveUpEarly && found.totalHits.value() >= limit) {
      // stopped at its visit budget (not by a timeout): what it needed is at least what it visited
      planner.observeVisits(vectors, matches, planEf, found.totalHits.value());
    }
    if (trace == null) {
      return found; // the rest is for explain only
    }
    String reason =
        choice != null
            ? choice.reason(indexName())
            : indexPlan == Plan.FLAT ? "the flat index is exact" : "planner bypassed (forceIndex)";
    if (gaveUpEarly) {
      reason += String.format(Locale.ROOT,
          "; gave up after %d filter checks, %d passed (%.2f%% where the graph walked, %.2f%% overall):"
              + " the filter avoids the query's neighbourhood",
          watch.checks(), watch.passes(), 100.0 * watch.passes() / Math.max(1, watch.checks()),
          100.0 * matches / Math.max(1, vectors));
    } else if (watch != null) {
      reason += String.format(Locale.ROOT, "; %d of the graph's %d filter checks passed", watch.passes(), watch.checks());
    }
    if (!gaveUpEarly && found.totalHits.relation() != TotalHits.Relation.EQUAL_TO) {
      reason += limit < visitedLimit
          ? "; gave up after " + limit + " visits (the filter avoids the query's neighbourhood)"
          : "; the search visited more vectors than the filter matches";
    }
    int size = ctx.reader().getFloatVectorValues(field).size(); // for explain only
    report(ctx, size, filtered ? matches : -1, indexPlan, reason, found.totalHits.value(), start, strategy);
    if (readerRescores && indexPlan == Plan.HNSW) {
      int rescored = found.scoreDocs.length; // every candidate the reader returns, rescored
      trace.update(ctx, leaf -> leaf.rescored += rescored);
    }
    return found;
  }

  /**
   * What Lucene's {@code approximateSearch} does, without its read of the field's vector values for
   * their count: the caller checked that the segment has the field, and a reader with no vector to
   * offer collects nothing. That read copies a {@code float[dimension]} (3 KB at 784 dimensions)
   * per segment and search, which the JIT removes in some JVMs and not in others.
   */
  private TopDocs searchIndex(LeafReaderContext ctx, AcceptDocs acceptDocs, KnnCollector collector)
      throws IOException {
    ctx.reader().searchNearestVectors(field, target, collector, acceptDocs);
    TopDocs found = collector.topDocs();
    return found != null ? found : TopDocsCollector.EMPTY_TOPDOCS;
  }

  /**
   * Lucene's own exact path: the filter matches no more documents than hits wanted, or the graph
   * search gave up (see the class comment). Scores at full precision, as the planner's exact plan.
   */
  @Override
  protected TopDocs exactSearch(LeafReaderContext ctx, DocIdSetIterator acceptIterator, QueryTimeout timeout)
      throws IOException {
    long start = System.nanoTime();
    FloatVectorValues values = ctx.reader().getFloatVectorValues(field);
    if (values == null) {
      return super.exactSearch(ctx, acceptIterator, timeout);
    }
    long matches = acceptIterator.cost();
    TopDocs exact = scoreExactly(ctx, values.rescorer(target), acceptIterator, k, timeout);
    planner.observeExact(exact.totalHits.value(), System.nanoTime() - start);
    report(ctx, values.size(), matches, Plan.EXACT,
        "Lucene's rule: the filter matches at most the hits wanted or the index search gave up",
        exact.totalHits.value(), start, getSearchStrategy());
    return exact;
  }

  private void report(
      LeafReaderContext ctx, int vectors, long matches, Plan plan, String reason, long scored, long start,
      KnnSearchStrategy strategy) {
    if (trace == null) {
      return;
    }
    long nanos = System.nanoTime() - start;
    // A calibrated segment's ef or probes, as its reader picks it (TargetRecallStrategy, IvfSearch)
    io.iqdb.codecs.RecallCurve curve = io.iqdb.codecs.Calibrated.of(ctx.reader(), field);
    int calibrated = curve == null ? -1 : curve.parameterFor(targetRecall);
    int usedEf = knobSource == KnobSource.CALIBRATED ? segmentEf(ctx, field, strategy, k, ef) : ef;
    boolean calibratedProbes = probes == 0 && calibrated > 0 && knobSource != KnobSource.REQUESTED;
    trace.update(ctx, leaf -> {
      leaf.vectors = vectors;
      leaf.filterMatches = matches;
      leaf.plan = plan;
      leaf.because(reason);
      boolean index = plan == Plan.HNSW || plan == Plan.IVF;
      leaf.ef = index && plan == Plan.HNSW ? usedEf : 0;
      leaf.probes = index && plan == Plan.IVF ? (calibratedProbes ? calibrated : probes) : 0;
      leaf.knobSource = !index ? KnobSource.NONE
          : plan == Plan.IVF && calibratedProbes && knobSource == KnobSource.DEFAULT ? KnobSource.CALIBRATED
          : knobSource;
      leaf.scored += scored;
      leaf.nanos += nanos;
    });
  }

  /**
   * The {@code ef} a segment's graph search uses: under a {@link
   * io.iqdb.codecs.dedup.TargetRecallStrategy} the segment's calibrated value for the target, as
   * its reader picks it (never below {@code k}); otherwise {@code otherwise}.
   */
  static int segmentEf(LeafReaderContext ctx, String field, KnnSearchStrategy strategy, int k, int otherwise) {
    return strategy instanceof io.iqdb.codecs.dedup.TargetRecallStrategy s
        ? s.ef(io.iqdb.codecs.Calibrated.of(ctx.reader(), field), k)
        : otherwise;
  }

  private String indexName() {
    return indexPlan.name();
  }

  /**
   * Watches a filtered graph search the planner chose: the codec shows it the filter checks the
   * graph makes ({@link FilterCheckingCollector}), and at checkpoints (after {@value #FIRST_CHECKPOINT} checks,
   * or as many as should pass {@value #PASSES_AT_FIRST_CHECKPOINT} at the filter's overall
   * selectivity, then at each doubling) it asks the planner whether the pass rate seen so far makes
   * going on costlier than exact scoring ({@link SearchPlanner#abandonGraph}). A filter that avoids
   * the query's neighbourhood shows itself in the first checks, where the model, which knows only
   * the overall selectivity, cannot see it. Once {@code ef} of its checks have passed (a candidate
   * list's worth of accepted vectors) the search has found the filter's records and is left alone.
   */
  private final class FilterWatch extends FilterCheckingCollector {
    static final int FIRST_CHECKPOINT = 64;
    static final int PASSES_AT_FIRST_CHECKPOINT = 8;
    private final SearchPlanner.Choice choice;
    private final int vectors;
    private final long matches;
    private final int ef;
    private long nextCheckpoint;
    boolean abandoned;

    FilterWatch(KnnCollector query, SearchPlanner.Choice choice, int vectors, long matches, int ef) {
      super(query);
      this.choice = choice;
      this.vectors = vectors;
      this.matches = matches;
      this.ef = ef;
      double selectivity = matches / (double) Math.max(1, vectors);
      this.nextCheckpoint = (long) Math.max(FIRST_CHECKPOINT, Math.ceil(PASSES_AT_FIRST_CHECKPOINT / selectivity));
    }

    @Override
    public boolean earlyTerminated() {
      if (collector.earlyTerminated() || abandoned) {
        return true;
      }
      if (checks() < nextCheckpoint || passes() >= ef) {
        return false;
      }
      nextCheckpoint *= 2;
      abandoned = planner.abandonGraph(choice, vectors, matches, ef, checks(), passes());
      return abandoned;
    }
  }

  /**
   * The {@code k} best documents of one segment that the scorer's vectors and {@code accepted} (if
   * not {@code null}) both hold and that are live, by the scorer's score; doc ids local to the
   * segment; total hits is the number of vectors scored. Stops between batches once {@code timeout}
   * (if not {@code null}) says so (a cancelled search, see {@code CollectionImpl}); what it scored so
   * far is returned and the caller drops it.
   */
  static TopDocs scoreExactly(
      LeafReaderContext ctx, VectorScorer scorer, DocIdSetIterator accepted, int k, QueryTimeout timeout)
      throws IOException {
    // the best k as (score, doc) longs, no object per candidate: a long scan replaces its k-th best
    // hundreds of times; of equal scores the lower doc id is kept, as Lucene's HitQueue does
    NeighborQueue queue = new NeighborQueue(k, false);
    // Bulk scoring: Lucene's flat vectors score a batch of documents per call straight from the
    // mapped file, about twice as fast as score() per document
    VectorScorer.Bulk bulk =
        scorer.bulk(accepted == null ? DocIdSetIterator.all(ctx.reader().maxDoc()) : accepted);
    Bits live = ctx.reader().getLiveDocs();
    DocAndFloatFeatureBuffer batch = new DocAndFloatFeatureBuffer();
    long scored = 0;
    while (true) {
      bulk.nextDocsAndScores(DocIdSetIterator.NO_MORE_DOCS, live, batch);
      if (batch.size == 0 || (timeout != null && timeout.shouldExit())) {
        break;
      }
      scored += batch.size;
      for (int i = 0; i < batch.size; i++) {
        queue.insertWithOverflow(batch.docs[i], batch.features[i]);
      }
    }
    ScoreDoc[] out = new ScoreDoc[queue.size()];
    for (int i = out.length - 1; i >= 0; i--) {
      float score = queue.topScore();
      out[i] = new ScoreDoc(queue.pop(), score);
    }
    return new TopDocs(new TotalHits(scored, TotalHits.Relation.EQUAL_TO), out);
  }
}
