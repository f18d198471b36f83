package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Quantization;
import io.iqdb.SearchExplanation;
import io.iqdb.SearchRequest;
import io.iqdb.VectorRecord;
import io.iqdb.codecs.Calibrated;
import io.iqdb.codecs.dedup.TargetRecallStrategy;
import io.iqdb.internal.wal.Handoff;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FilteredDocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.PointRangeQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopDocsCollector;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.QueryBuilder;

/** Runs searches and reads records on one point-in-time {@link IndexSearcher}. */
final class SearchExecutor {
  /** The default HNSW candidate count, {@code ef}. */
  static final int DEFAULT_EF = 100;

  /**
   * The fewest vector components (vectors times dimension) each part of a split exact scan scores:
   * 2^21 floats, 8 MB, about 0.4 ms of scoring here. Below twice this a segment is scanned by one
   * thread: handing a part to another thread costs tens of microseconds, and with 2^20 the split
   * cost 20% of the throughput of two threads searching at once (JMH, 20,000 x 128, flat).
   */
  static final long MIN_SPLIT_FLOATS = 1L << 21;

  private final CollectionConfig config;
  private final FilterCompiler filters;
  private final IndexFormats formats;
  private final SearchPlanner planner;
  /** Runs the parts of a split exact scan beside the calling thread; {@code null}: never split. */
  private final Executor parts;
  /** Into how many parts at most an exact scan of one segment is split. */
  private final int maxParts;

  /**
   * @param parts runs the parts of a split exact scan (the search pool), {@code null} to never split
   * @param maxParts into how many parts at most one segment's exact scan is split (1: never)
   */
  SearchExecutor(CollectionConfig config, Schema schema, IndexFormats formats, Executor parts, int maxParts) {
    this.config = config;
    this.filters = new FilterCompiler(schema);
    this.formats = formats;
    this.planner = new SearchPlanner(config.index(), config.dimension());
    this.parts = parts;
    this.maxParts = parts == null ? 1 : Math.max(1, maxParts);
  }

  List<Hit> search(IndexSearcher searcher, SearchRequest request) throws IOException {
    return search(searcher, request, request.k(), null);
  }

  /**
   * Runs a request for {@code k} hits instead of the request's own: a search merged with a tail asks
   * for more when the tail shadows some of the hits (see {@link TailSearch}). What each segment's
   * vector search did goes to {@code trace} if it is not {@code null}.
   */
  List<Hit> search(IndexSearcher searcher, SearchRequest request, int k, SearchTrace trace) throws IOException {
    SEARCHES.incrementAndGet();
    try {
      return searchCounted(searcher, request, k, trace);
    } finally {
      SEARCHES.decrementAndGet();
    }
  }

  private List<Hit> searchCounted(IndexSearcher searcher, SearchRequest request, int k, SearchTrace trace)
      throws IOException {
    float[] vector = request.vector();
    String text = request.text();
    if (vector != null) {
      Validation.checkVector(config, vector, "query");
    }
    Validation.checkText(text, "query");
    Query filter = filterQuery(request);
    if (text == null) {
      return toHits(searcher, vectorDocs(searcher, request, k, filter, trace), request);
    }
    if (vector == null) {
      return toHits(searcher, textDocs(searcher, text, k, filter), request);
    }
    int depth = Math.max(k, request.fusionDepth() > 0 ? request.fusionDepth() : SearchRequest.DEFAULT_FUSION_DEPTH);
    ScoreDoc[] fused = fuse(
        k, vectorDocs(searcher, request, depth, filter, trace), request.vectorWeight(),
        textDocs(searcher, text, depth, filter), request.textWeight());
    return toHits(searcher, fused, request);
  }

  /**
   * The {@code k} nearest neighbours of the request's vector among the filter's documents: each
   * segment searched as the {@link SearchPlanner} chooses (see {@link PlannedKnnQuery}).
   */
  private ScoreDoc[] vectorDocs(IndexSearcher searcher, SearchRequest request, int k, Query filter, SearchTrace trace)
      throws IOException {
    IndexSpec index = config.index();
    if (request.exact()) {
      return exact(searcher, request.vector(), k, filterWeight(searcher, filter), null, trace, null);
    }
    if (index instanceof IndexSpec.Flat flat && flat.quantization() == Quantization.NONE) {
      // a flat index of raw vectors is an exact scan: the same scan as exact search, split over the
      // search pool when large (a quantized flat index scores its codes first, in the codec)
      return flat(searcher, request.vector(), k, filterWeight(searcher, filter), trace);
    }
    int candidates = k;
    if (formats.databaseRescores()) {
      float oversample =
          request.oversample() > 0 ? request.oversample() : IndexFormats.defaultHnswOversample(index.quantization());
      candidates = (int) Math.min(SearchRequest.MAX_K, Math.ceil(k * (double) oversample));
    }
    SearchExplanation.Plan plan;
    int ef = 0;
    int probes = 0;
    SearchExplanation.KnobSource source = SearchExplanation.KnobSource.NONE;
    KnnSearchStrategy strategy = formats.searchStrategy(request);
    KnnSearchStrategy matchAllStrategy = null;
    switch (index) {
      case IndexSpec.Hnsw h -> {
        plan = SearchExplanation.Plan.HNSW;
        if (request.ef() == 0 && allCalibrated(searcher)) {
          // each segment searches with the ef it calibrated for the target (TargetRecallStrategy)
          double target = hnswTarget(request, filter);
          strategy = new TargetRecallStrategy(target, k, Math.max(k, DEFAULT_EF));
          if (target != request.targetRecall()) {
            // where the filter matches every live record, the walk is the unfiltered one calibrated
            matchAllStrategy = new TargetRecallStrategy(request.targetRecall(), k, Math.max(k, DEFAULT_EF));
          }
          source = SearchExplanation.KnobSource.CALIBRATED; // the planner plans each segment with its own ef
        } else {
          candidates = Math.max(candidates, request.ef() > 0 ? request.ef() : Math.max(k, DEFAULT_EF));
          ef = candidates;
          source = request.ef() > 0 ? SearchExplanation.KnobSource.REQUESTED : SearchExplanation.KnobSource.DEFAULT;
        }
      }
      case IndexSpec.Ivf ivf -> {
        plan = SearchExplanation.Plan.IVF;
        probes = request.probes();
        // the codec widens its probes under a filter (IvfSearch): reported as such
        source = request.probes() > 0
            ? SearchExplanation.KnobSource.REQUESTED
            : filter != null ? SearchExplanation.KnobSource.WIDENED_FOR_FILTER : SearchExplanation.KnobSource.DEFAULT;
      }
      case IndexSpec.Flat f -> plan = SearchExplanation.Plan.FLAT;
    }
    if (filter != null && plan != SearchExplanation.Plan.FLAT && !request.forceIndex()) {
      // The usual case of a narrow filter: every segment is to be scored exactly. Doing it here
      // skips what the vector query would add (a bit set of the matches per segment, a second
      // query over the hits): for a filter matching a few dozen records that is most of the time.
      Weight filterWeight = filterWeight(searcher, filter);
      ExactPlan everywhere = exactEverywhere(searcher, filterWeight, candidates, strategy, plan, trace != null);
      if (everywhere != null) {
        return exact(searcher, request.vector(), k, filterWeight, everywhere.accepted(), trace, everywhere.reasons());
      }
    }
    boolean databaseRescores = formats.databaseRescores() && FullPrecisionRescorer.needed(searcher, Schema.VECTOR);
    Query query = new PlannedKnnQuery(
        Schema.VECTOR, request.vector(), candidates, filter, strategy, planner,
        !request.forceIndex(), plan, ef, probes, source, trace, request.targetRecall(),
        formats.databaseRescores() && !databaseRescores, matchAllStrategy);
    if (databaseRescores) {
      // segments in Lucene's own quantized format: their candidates are rescored here (the dedup
      // format's reader rescores its own)
      ScoreDoc[] found = searcher.search(query, candidates).scoreDocs;
      if (trace != null) {
        countRescored(searcher, found, trace);
      }
      return FullPrecisionRescorer.rescore(searcher, Schema.VECTOR, request.vector(), found, k);
    }
    return searcher.search(query, k).scoreDocs;
  }

  /**
   * Whether every segment with vectors measured its recall curve ({@link Calibrated}). Segments of
   * iQDB 0.1 did not, and Lucene's HNSW reader would search them with the query's k as its ef: an
   * index holding any of them keeps the former default ef for all segments until they are merged.
   */
  private boolean allCalibrated(IndexSearcher searcher) {
    IndexReader reader = searcher.getIndexReader();
    CalibratedReader last = lastCalibrated;
    if (last != null && last.reader() == reader) {
      return last.all(); // a reader's segments do not change: asked once per refresh, not per search
    }
    boolean all = true;
    for (LeafReaderContext ctx : reader.leaves()) {
      if (ctx.reader().getFieldInfos().fieldInfo(Schema.VECTOR) != null
          && Calibrated.of(ctx.reader(), Schema.VECTOR) == null) {
        all = false;
        break;
      }
    }
    lastCalibrated = new CalibratedReader(reader, all);
    return all;
  }

  /** Whether every segment of {@code reader} measured its recall curve. */
  private record CalibratedReader(IndexReader reader, boolean all) {}

  /** {@link #allCalibrated}'s answer for the searcher's reader it last saw (racy: recomputed at worst). */
  private volatile CalibratedReader lastCalibrated;
  /**
   * The filter's weight for planning and exact scoring, outside the searcher's query cache: through
   * the cache, asking a segment for the filter's cost can make the cache collect every match of a
   * broad filter into a bit set first, for a filter the vector query then evaluates again anyway
   * (as part of its own query, a different cache key). Each match is iterated once here.
   */
  private static Weight filterWeight(IndexSearcher searcher, Query filter) throws IOException {
    return filter == null ? null : searcher.rewrite(filter).createWeight(searcher, ScoreMode.COMPLETE_NO_SCORES, 1f);
  }

  /**
   * Exact search planned in every segment: per segment (by leaf ord), the filter's scorer built for
   * the plan (null where nothing matches) and the planner's reasons (nulls unless {@code explain}).
   */
  private record ExactPlan(Scorer[] accepted, String[] reasons) {}

  /**
   * The plan if the planner chooses exact search in every segment from the filter's count there,
   * else {@code null}. The count is exact where Lucene has it cheaply ({@link Weight#count}: a term's
   * document frequency, a point range's count from the BKD tree), else the filter's cost estimate.
   * Where the estimate alone already chooses exact search, the filter's scorer is built at once and
   * its iterator's cost (a point range's matches, collected) decides: a narrow range on a field of
   * distinct values (a timestamp) costs a walk of the tree's boundary leaves, which the count and
   * the scorer would each make, more than the exact scan itself at a few dozen matches.
   */
  private ExactPlan exactEverywhere(
      IndexSearcher searcher, Weight filter, int ef, KnnSearchStrategy strategy, SearchExplanation.Plan index,
      boolean explain)
      throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    Scorer[] accepted = new Scorer[leaves.size()];
    String[] reasons = new String[leaves.size()];
    for (LeafReaderContext ctx : leaves) {
      if (ctx.reader().getFieldInfos().fieldInfo(Schema.VECTOR) == null) {
        continue;
      }
      // every record has a vector: see PlannedKnnQuery#approximateSearch
      int vectors = ctx.reader().maxDoc();
      // a graph search costs more the larger its ef, which is at least the hits wanted: a filter
      // that chooses exact search against that ef does against the segment's own (not looked up)
      int segmentEf = -1;
      ScorerSupplier supplier = filter.scorerSupplier(ctx);
      long count = 0;
      boolean estimated = false;
      if (supplier != null) {
        long estimate = supplier.cost();
        // no more matches than hits wanted: Lucene's own rule scores them exactly, as does the planner
        boolean exactAtEstimate = estimate <= ef || planner.choose(vectors, estimate, ef).exact();
        if (!exactAtEstimate) {
          segmentEf = PlannedKnnQuery.segmentEf(ctx, Schema.VECTOR, strategy, ef, ef);
          exactAtEstimate = planner.choose(vectors, estimate, segmentEf).exact();
        }
        if (exactAtEstimate) {
          accepted[ctx.ord] = supplier.get(Long.MAX_VALUE);
          count = accepted[ctx.ord].iterator().cost();
          // a scorer's cost is an estimate in general; a point range's is the matches it collected
          estimated = !(filter.getQuery() instanceof PointRangeQuery);
        } else {
          count = filter.count(ctx);
          estimated = count < 0;
          count = estimated ? estimate : count;
        }
      }
      // Lucene's own rule scores no more matches than hits wanted exactly: planned only for explain
      SearchPlanner.Choice choice = null;
      if (count > ef || explain) {
        choice = planner.choose(vectors, count, ef);
        if (!choice.exact() || explain) {
          // the estimates as planned with the segment's own ef (explain reports them)
          segmentEf = segmentEf < 0 ? PlannedKnnQuery.segmentEf(ctx, Schema.VECTOR, strategy, ef, ef) : segmentEf;
          choice = planner.choose(vectors, count, segmentEf);
        }
        if (!choice.exact()) {
          return null;
        }
      }
      if (supplier != null && accepted[ctx.ord] == null) {
        accepted[ctx.ord] = supplier.get(Long.MAX_VALUE);
      }
      if (explain) {
        reasons[ctx.ord] = choice.reason(index.name()) + (estimated ? " (filter count estimated)" : "");
      }
    }
    return new ExactPlan(accepted, reasons);
  }

  /** Per segment, how many of the vector query's candidates the rescorer scores. */
  private static void countRescored(IndexSearcher searcher, ScoreDoc[] found, SearchTrace trace) {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    for (ScoreDoc sd : found) {
      trace.update(leaves.get(ReaderUtil.subIndex(sd.doc, leaves)), leaf -> leaf.rescored++);
    }
  }


  /**
   * The {@code k} best documents by BM25 for a text query among the filter's documents. The query
   * is analyzed as the texts are ({@link Schema#ANALYZER}) into a disjunction of its terms (Lucene's
   * {@link QueryBuilder}: one SHOULD clause per token, a repeated token counting once per occurrence).
   */
  static ScoreDoc[] textDocs(IndexSearcher searcher, String text, int k, Query filter) throws IOException {
    try {
      // Building the query counts its clauses too (BooleanQuery.Builder refuses too many).
      Query terms = new QueryBuilder(Schema.ANALYZER).createBooleanQuery(Schema.TEXT, text);
      if (terms == null) {
        return new ScoreDoc[0]; // no token: nothing can match
      }
      Query query =
          filter == null
              ? terms
              : new BooleanQuery.Builder().add(terms, Occur.MUST).add(filter, Occur.FILTER).build();
      return searcher.search(query, k).scoreDocs;
    } catch (IndexSearcher.TooManyClauses e) {
      throw new InvalidArgumentException(
          "query: the text has more terms than a query may have (" + IndexSearcher.getMaxClauseCount()
              + "); shorten it", e);
    }
  }

  /**
   * Reciprocal rank fusion of two ranked lists of the same searcher: {@code weight / (RRF_K +
   * rank)} summed over the lists a document is in, ranks from 1; the best {@code k}, ties in doc id
   * order. See {@link SearchRequest}.
   */
  static ScoreDoc[] fuse(int k, ScoreDoc[] a, double weightA, ScoreDoc[] b, double weightB) {
    Map<Integer, double[]> scores = new HashMap<>();
    addRanks(scores, a, weightA);
    addRanks(scores, b, weightB);
    List<Map.Entry<Integer, double[]>> entries = new ArrayList<>(scores.entrySet());
    entries.sort((x, y) -> {
      int c = Double.compare(y.getValue()[0], x.getValue()[0]);
      return c != 0 ? c : Integer.compare(x.getKey(), y.getKey());
    });
    ScoreDoc[] out = new ScoreDoc[Math.min(k, entries.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = new ScoreDoc(entries.get(i).getKey(), (float) entries.get(i).getValue()[0]);
    }
    return out;
  }

  private static void addRanks(Map<Integer, double[]> scores, ScoreDoc[] ranked, double weight) {
    for (int i = 0; i < ranked.length; i++) {
      scores.computeIfAbsent(ranked[i].doc, d -> new double[1])[0] += weight / (SearchRequest.RRF_K + i + 1);
    }
  }

  /** The recall an HNSW search aims at: the request's, else the default for a filtered or an unfiltered search. */
  private static double hnswTarget(SearchRequest request, Query filter) {
    return request.targetRecallSet() || filter == null
        ? request.targetRecall()
        : SearchRequest.DEFAULT_FILTERED_HNSW_TARGET_RECALL;
  }

  private Query filterQuery(SearchRequest request) {
    Query compiled = request.filter() == null ? null : filters.compile(request.filter());
    Query lucene = request.luceneFilter();
    if (compiled == null) {
      return lucene;
    }
    if (lucene == null) {
      return compiled;
    }
    return new BooleanQuery.Builder().add(compiled, Occur.FILTER).add(lucene, Occur.FILTER).build();
  }

  /** Searches in progress in this JVM, of any collection: the cores' other users. */
  private static final AtomicInteger SEARCHES = new AtomicInteger();

  /**
   * Brute force over every live document matching the filter, scored against the full-precision
   * vectors whatever the index's quantization. {@code reasons}, by leaf ord, are the planner's
   * reasons for the trace, or {@code null} when the request asked for exact search.
   *
   * <p>An unfiltered scan of a segment with at least {@code 2 * MIN_SPLIT_FLOATS} vector
   * components is split into ranges of documents scored in parallel: such a scan reads the whole
   * segment's vectors, and more threads read memory faster than one. At most {@code maxParts}
   * divided by the searches in progress in the JVM: concurrent searches already keep the cores
   * busy, and then a split costs hand-offs and waits for nothing. A filtered scan stays one part per
   * segment (its filter's iterator cannot be split cheaply), as do small segments; parts of several
   * segments run in parallel once their total is that large.
   */
  ScoreDoc[] exact(
      IndexSearcher searcher, float[] query, int k, Weight filter, Scorer[] built, SearchTrace trace, String[] reasons)
      throws IOException {
    record Leaf(LeafReaderContext ctx, FloatVectorValues values, Scorer accepted, long floats) {}
    List<Leaf> leaves = new ArrayList<>();
    long work = 0;
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      FloatVectorValues values = ctx.reader().getFloatVectorValues(Schema.VECTOR);
      Scorer accepted = filter == null || values == null ? null : built != null ? built[ctx.ord] : filter.scorer(ctx);
      if (values == null || (filter != null && accepted == null)) {
        continue;
      }
      long floats = (accepted == null ? values.size() : Math.min(values.size(), accepted.iterator().cost()))
          * (long) config.dimension();
      leaves.add(new Leaf(ctx, values, accepted, floats));
      work += floats;
    }
    int budget = splitBudget(work);
    List<Callable<Part>> scans = new ArrayList<>(leaves.size());
    for (Leaf leaf : leaves) {
      LeafReaderContext ctx = leaf.ctx;
      Scorer accepted = leaf.accepted;
      int n = accepted == null ? parts(leaf.floats, budget) : 1;
      int maxDoc = ctx.reader().maxDoc();
      for (int i = 0; i < n; i++) {
        int from = bound(maxDoc, i, n);
        int to = bound(maxDoc, i + 1, n);
        FloatVectorValues own = i == 0 ? leaf.values : null; // values are not thread-safe: one per part
        scans.add(() -> {
          long start = System.nanoTime();
          FloatVectorValues v = own != null ? own : ctx.reader().getFloatVectorValues(Schema.VECTOR);
          DocIdSetIterator docs = accepted != null ? accepted.iterator()
              : n == 1 ? DocIdSetIterator.all(maxDoc) : DocIdSetIterator.range(from, to);
          TopDocs top = PlannedKnnQuery.scoreExactly(ctx, v.rescorer(query), docs, k, searcher.getTimeout());
          long nanos = System.nanoTime() - start;
          if (n == 1) {
            planner.observeExact(top.totalHits.value(), nanos); // a part of a split shares the memory bus
          }
          return new Part(ctx, v.size(), top, nanos);
        });
      }
    }
    List<Part> done = budget > 1 && scans.size() > 1 ? inParallel(scans) : inTurn(scans);
    return merge(done, k, filter != null, trace, SearchExplanation.Plan.EXACT, reasons);
  }

  /**
   * A flat index of raw vectors: every live document the filter matches, scored through the
   * format's own exact scan (which reads one copy of each segment's vectors per scan, as Lucene's
   * query does, where {@link #exact}'s vector values need two). An unfiltered segment of at least
   * {@code 2 * MIN_SPLIT_FLOATS} components is split into document ranges scanned in parallel, as
   * in {@link #exact}; each range is a scan of its own (a range of accepted documents).
   */
  ScoreDoc[] flat(IndexSearcher searcher, float[] query, int k, Weight filter, SearchTrace trace) throws IOException {
    List<LeafReaderContext> leaves = new ArrayList<>();
    long work = 0;
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      if (ctx.reader().getFieldInfos().fieldInfo(Schema.VECTOR) != null) {
        leaves.add(ctx);
        work += (long) ctx.reader().numDocs() * config.dimension();
      }
    }
    int budget = filter == null ? splitBudget(work) : 1;
    QueryTimeout timeout = searcher.getTimeout();
    List<Callable<Part>> scans = new ArrayList<>(leaves.size());
    for (LeafReaderContext ctx : leaves) {
      int maxDoc = ctx.reader().maxDoc();
      Bits live = ctx.reader().getLiveDocs();
      int n = parts((long) ctx.reader().numDocs() * config.dimension(), budget);
      for (int i = 0; i < n; i++) {
        int from = bound(maxDoc, i, n);
        int to = bound(maxDoc, i + 1, n);
        scans.add(() -> {
          long start = System.nanoTime();
          AcceptDocs accept;
          if (filter != null) {
            Scorer matches = filter.scorer(ctx);
            if (matches == null) {
              return new Part(ctx, 0, TopDocsCollector.EMPTY_TOPDOCS, 0);
            }
            accept = AcceptDocs.fromIteratorSupplier(matches::iterator, live, maxDoc);
          } else {
            accept = n == 1 ? AcceptDocs.fromLiveDocs(live, maxDoc) : new DocRange(from, to, live, maxDoc);
          }
          KnnCollector top = new TopKnnCollector(k, Integer.MAX_VALUE);
          KnnCollector collector = timeout == null ? top : new KnnCollector.Decorator(top) {
            @Override
            public boolean earlyTerminated() {
              return super.earlyTerminated() || timeout.shouldExit(); // stops between blocks
            }
          };
          ctx.reader().searchNearestVectors(Schema.VECTOR, query, collector, accept);
          TopDocs best = top.topDocs();
          // the segment's vector count, for explain only (reading it costs a copy of the values)
          int vectors = trace == null ? 0 : ctx.reader().getFloatVectorValues(Schema.VECTOR).size();
          TotalHits scored = new TotalHits(top.visitedCount(), TotalHits.Relation.EQUAL_TO);
          return new Part(ctx, vectors, new TopDocs(scored, best.scoreDocs), System.nanoTime() - start);
        });
      }
    }
    List<Part> done = budget > 1 && scans.size() > 1 ? inParallel(scans) : inTurn(scans);
    return merge(done, k, filter != null, trace, SearchExplanation.Plan.FLAT, null);
  }

  /**
   * Into how many parts at most a segment's exact scan is split, for a scan of {@code work} vector
   * components in all: the cores are shared among the searches in progress; with as many searches
   * as cores, each runs on its own thread (splitting then costs hand-offs and waits, and gains
   * nothing).
   */
  private int splitBudget(long work) {
    return work >= 2 * MIN_SPLIT_FLOATS ? Math.max(1, maxParts / Math.max(1, SEARCHES.get())) : 1;
  }

  /** Into how many parts a segment's scan of {@code floats} vector components is split. */
  private static int parts(long floats, int budget) {
    return (int) Math.max(1, Math.min(budget, floats / MIN_SPLIT_FLOATS));
  }

  /** The first document of part {@code i} of {@code n} of a segment (or its end, for {@code i == n}). */
  private static int bound(int maxDoc, int i, int n) {
    return (int) ((long) maxDoc * i / n);
  }

  /** The documents of {@code [from, to)} that are live: one part of a split scan. */
  private static final class DocRange extends AcceptDocs {
    private final int from;
    private final int to;
    private final Bits live;
    private final int maxDoc;

    DocRange(int from, int to, Bits live, int maxDoc) {
      this.from = from;
      this.to = to;
      this.live = live;
      this.maxDoc = maxDoc;
    }

    @Override
    public Bits bits() {
      return new Bits() {
        @Override
        public boolean get(int doc) {
          return doc >= from && doc < to && (live == null || live.get(doc));
        }

        @Override
        public int length() {
          return maxDoc;
        }
      };
    }

    @Override
    public DocIdSetIterator iterator() {
      DocIdSetIterator range = DocIdSetIterator.range(from, to);
      return live == null ? range : new FilteredDocIdSetIterator(range) {
        @Override
        protected boolean match(int doc) {
          return live.get(doc);
        }
      };
    }

    @Override
    public int cost() {
      return to - from;
    }
  }

  /**
   * The best {@code k} of the parts' hits, doc ids made global; reports each segment once (its
   * parts are adjacent in {@code done}) to {@code trace} if not {@code null}, as {@code plan}, with
   * the planner's {@code reasons} by leaf ord for an exact plan ({@code null}: exact search was
   * requested).
   */
  private static ScoreDoc[] merge(
      List<Part> done, int k, boolean filtered, SearchTrace trace, SearchExplanation.Plan plan, String[] reasons) {
    TopDocs[] perPart = new TopDocs[done.size()];
    for (int i = 0; i < perPart.length; i++) {
      Part part = done.get(i);
      for (ScoreDoc sd : part.top.scoreDocs) {
        sd.doc += part.ctx.docBase;
      }
      perPart[i] = part.top;
    }
    if (trace != null) {
      // one account per segment: its parts are adjacent; the time is the slowest part's (they ran
      // side by side)
      for (int i = 0, j; i < done.size(); i = j) {
        LeafReaderContext ctx = done.get(i).ctx;
        long scored = 0;
        long nanos = 0;
        for (j = i; j < done.size() && done.get(j).ctx == ctx; j++) {
          scored += done.get(j).top.totalHits.value();
          nanos = Math.max(nanos, done.get(j).nanos);
        }
        long segmentScored = scored;
        long segmentNanos = nanos;
        int vectors = done.get(i).vectors;
        String why = plan == SearchExplanation.Plan.FLAT ? "the flat index is exact"
            : reasons == null ? "exact search requested" : reasons[ctx.ord];
        String reason = j - i > 1 ? why + "; scanned in " + (j - i) + " parts in parallel" : why;
        trace.update(ctx, leaf -> {
          leaf.vectors = vectors;
          leaf.filterMatches = filtered ? segmentScored : -1;
          leaf.plan = plan;
          leaf.because(reason);
          leaf.scored += segmentScored;
          leaf.nanos += segmentNanos;
        });
      }
    }
    return TopDocs.merge(k, perPart).scoreDocs;
  }

  /** One part of an exact scan: a segment's (or a range of its documents') best hits, local ids. */
  private record Part(LeafReaderContext ctx, int vectors, TopDocs top, long nanos) {}

  /**
   * Runs tasks side by side on the search pool and the calling thread, as the parts of a split
   * scan run ({@link #inParallel}: an interrupt of the calling thread fails none of them); one
   * task, or no pool, runs on the calling thread.
   *
   * @param tasks the tasks
   * @return their results, in order
   * @throws IOException the first task's failure, once every task ended
   */
  <T> List<T> runAll(List<Callable<T>> tasks) throws IOException {
    return parts != null && tasks.size() > 1 ? inParallel(tasks) : inTurn(tasks);
  }

  private static <T> List<T> inTurn(List<Callable<T>> scans) throws IOException {
    List<T> done = new ArrayList<>(scans.size());
    for (Callable<T> scan : scans) {
      done.add(call(scan));
    }
    return done;
  }

  /**
   * Runs the scans on the search pool and on the calling thread, which takes whatever scan no pool
   * thread has started (so a busy pool only costs parallelism), then waits for the rest whatever
   * interrupts it gets: interrupting a search does not fail it (its interrupt status is kept).
   * Lucene's {@code TaskExecutor} shares out the tasks the same way, but throws when the waiting
   * caller is interrupted.
   */
  private <T> List<T> inParallel(List<Callable<T>> scans) throws IOException {
    int n = scans.size();
    List<Handoff<T>> runs = new ArrayList<>(n);
    for (Callable<T> scan : scans) {
      runs.add(new Handoff<>(scan));
    }
    AtomicInteger next = new AtomicInteger();
    Runnable work = () -> {
      int i = next.getAndIncrement();
      if (i < n) {
        runs.get(i).run();
      }
    };
    try {
      for (int i = 1; i < n; i++) {
        parts.execute(work);
      }
    } catch (RejectedExecutionException e) {
      // a pool passed in and shut down: the calling thread runs what is left
    }
    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
      runs.get(i).run();
    }
    List<T> done = new ArrayList<>(n);
    for (Handoff<T> run : runs) {
      run.await(0);
      if (run.error() != null) {
        throw IOUtils.rethrowAlways(run.error());
      }
      done.add(run.value());
    }
    return done;
  }

  private static <T> T call(Callable<T> scan) throws IOException {
    try {
      return scan.call();
    } catch (Exception e) {
      throw IOUtils.rethrowAlways(e);
    }
  }

  /**
   * The hits, in score order. Ids and payloads are read in doc id order, one doc values iterator per
   * segment and field: a fresh iterator per hit would cost more than the rest of a fast search.
   */
  private List<Hit> toHits(IndexSearcher searcher, ScoreDoc[] docs, SearchRequest request) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    // doc ids are non-negative: (doc, rank) pairs sort by doc as longs, without boxing
    long[] byDoc = new long[docs.length];
    for (int i = 0; i < docs.length; i++) {
      byDoc[i] = ((long) docs[i].doc << 32) | i;
    }
    Arrays.sort(byDoc);
    Hit[] hits = new Hit[docs.length];
    LeafReaderContext leaf = null;
    BinaryDocValues ids = null;
    BinaryDocValues payloads = null;
    PayloadCodec.Decoded noPayload = new PayloadCodec.Decoded(io.iqdb.Payload.empty(), null);
    for (long key : byDoc) {
      int i = (int) key;
      ScoreDoc sd = docs[i];
      if (leaf == null || sd.doc >= leaf.docBase + leaf.reader().maxDoc()) {
        leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
        ids = leaf.reader().getBinaryDocValues(Schema.ID);
        payloads = request.includePayload() ? leaf.reader().getBinaryDocValues(Schema.PAYLOAD) : null;
      }
      int doc = sd.doc - leaf.docBase;
      PayloadCodec.Decoded stored = payloads == null ? noPayload : RecordFields.payloadAndText(payloads, doc);
      hits[i] = new Hit(
          RecordFields.id(ids, doc),
          sd.score,
          stored.payload(),
          request.includeVectors() ? RecordFields.vector(leaf.reader(), doc) : null,
          stored.text());
    }
    return new ArrayList<>(Arrays.asList(hits));
  }

  /** Reads one record by id, or {@code null}. */
  static VectorRecord get(IndexSearcher searcher, String id) throws IOException {
    int doc = docOf(searcher, id);
    if (doc < 0) {
      return null;
    }
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    int local = doc - leaf.docBase;
    PayloadCodec.Decoded stored = RecordFields.payloadAndText(leaf.reader(), local);
    return new VectorRecord(id, RecordFields.vector(leaf.reader(), local), stored.payload(), stored.text());
  }

  /** The live document of an id, or -1. Ids are unique: upserts replace by id. */
  static int docOf(IndexSearcher searcher, String id) throws IOException {
    ScoreDoc[] hits = searcher.search(new TermQuery(new Term(Schema.ID, id)), 1).scoreDocs;
    return hits.length == 0 ? -1 : hits[0].doc;
  }
}
