package io.iqdb;

import org.apache.lucene.search.Query;

/**
 * A query with its options: nearest neighbours of a vector, BM25 over the records' texts, or both
 * fused (hybrid). Immutable: each method returns a new request.
 *
 * <pre>{@code
 * docs.search(SearchRequest.of(query, 10).filter(Filter.eq("lang", "en")).exact(true));
 * docs.search(SearchRequest.ofText("vector database", 10));             // BM25 only
 * docs.search(SearchRequest.of(query, 10).text("vector database"));     // hybrid
 * }</pre>
 *
 * <p><b>Hybrid search.</b> When a request has both a vector and a text, each is searched on its
 * own, with the same filters, for the best {@link #fusionDepth(int) depth} records; the two ranked
 * lists are fused by reciprocal rank fusion: a record's score is {@code vectorWeight / (RRF_K +
 * vectorRank) + textWeight / (RRF_K + textRank)}, ranks counted from 1, a list the record is not in
 * adding nothing, with {@code RRF_K} = {@value #RRF_K}. The best {@code k} by that score are
 * returned, ties in index order. The fused score is the hit's {@link Hit#score()}.
 */
public final class SearchRequest {

  /** The largest {@code k} accepted. */
  public static final int MAX_K = 10_000;

  /** The rank constant of reciprocal rank fusion (the value of Cormack et al., 2009). */
  public static final int RRF_K = 60;

  /** The default depth of each list in a hybrid search, when at least {@code k}. */
  public static final int DEFAULT_FUSION_DEPTH = 100;

  /**
   * The default {@link #targetRecall(double) target recall} of approximate search: recall@10 of
   * 0.95.
   */
  public static final double DEFAULT_TARGET_RECALL = 0.95;

  /**
   * The default {@link #targetRecall(double) target recall} of a filtered search through an HNSW
   * index: 0.98 on the segment's calibrated curve, which was measured without a filter. Under a
   * filter the walk keeps only the matching nodes and explores further than the calibration's:
   * at the unfiltered default (0.95) filters matching 10-50% of a real-text set got recall@10
   * 0.977-0.989; at 0.98, 0.996-1.000 on that set and on Fashion-MNIST at 5-50% (the graph forced
   * in every query: 0.992-1.000); at 0.99, 0.995-1.000 with 1.5-2.5x the graph's visits
   * (2026-12-07). Selective filters are scored exactly (recall 1) by the planner, so the higher
   * default costs only where the graph is searched.
   */
  public static final double DEFAULT_FILTERED_HNSW_TARGET_RECALL = 0.98;

  // Not final only so that copy() can derive a request from another; nothing outside this class
  // sees a request before it is complete.
  private float[] vector;
  private String text;
  private int k;
  private Filter filter;
  private Query luceneFilter;
  private boolean exact;
  private int probes;
  private int ef;
  private float oversample;
  private double targetRecall = Double.NaN; // not set: the default for the kind of search
  private boolean includeVectors;
  private boolean includePayload = true;
  private double vectorWeight = 1;
  private double textWeight = 1;
  private int fusionDepth;
  private boolean explain;
  private boolean forceIndex;

  private SearchRequest() {}

  private SearchRequest copy() {
    SearchRequest r = new SearchRequest();
    r.vector = vector;
    r.text = text;
    r.k = k;
    r.filter = filter;
    r.luceneFilter = luceneFilter;
    r.exact = exact;
    r.probes = probes;
    r.ef = ef;
    r.oversample = oversample;
    r.targetRecall = targetRecall;
    r.includeVectors = includeVectors;
    r.includePayload = includePayload;
    r.vectorWeight = vectorWeight;
    r.textWeight = textWeight;
    r.fusionDepth = fusionDepth;
    r.explain = explain;
    r.forceIndex = forceIndex;
    return r;
  }

  /**
   * A request for the {@code k} nearest neighbours of {@code vector}.
   *
   * @param vector the query vector (not copied)
   * @param k the number of hits, 1..{@value #MAX_K}
   * @return the request: no filter, approximate, payloads included, vectors not
   * @throws InvalidArgumentException if {@code k} is out of range or the vector is null
   */
  public static SearchRequest of(float[] vector, int k) {
    if (vector == null) {
      throw new InvalidArgumentException("query vector must not be null");
    }
    checkK(k);
    SearchRequest r = new SearchRequest();
    r.vector = vector;
    r.k = k;
    return r;
  }

  /**
   * A request for the {@code k} records whose texts best match {@code query} by BM25, without a
   * vector. The query is analyzed as the texts are (Lucene's {@code StandardAnalyzer}) and any of
   * its terms may match; a query without terms (blank, punctuation) matches nothing. Records
   * without text never match. The hit scores are BM25 scores (Lucene's {@code BM25Similarity}, k1 =
   * 1.2, b = 0.75).
   *
   * @param query the query text, at most {@value VectorCollection#MAX_TEXT_BYTES} UTF-8 bytes
   * @param k the number of hits, 1..{@value #MAX_K}
   * @return the request: no filter, payloads and texts included, vectors not
   * @throws InvalidArgumentException if {@code k} is out of range or the query is null
   */
  public static SearchRequest ofText(String query, int k) {
    if (query == null) {
      throw new InvalidArgumentException("query text must not be null");
    }
    checkK(k);
    SearchRequest r = new SearchRequest();
    r.text = query;
    r.k = k;
    return r;
  }

  static void checkK(int k) {
    if (k <= 0 || k > MAX_K) {
      throw new InvalidArgumentException("k must be in [1, " + MAX_K + "]; k=" + k);
    }
  }

  /**
   * Restricts hits to records matching a payload filter. Replaces an earlier {@code Filter}.
   *
   * @param filter the filter, or {@code null} for none
   * @return a new request
   */
  public SearchRequest filter(Filter filter) {
    if (filter == null) {
      throw new InvalidFilterException("filter must not be null");
    }
    SearchRequest r = copy();
    r.filter = filter;
    return r;
  }

  /**
   * Restricts hits to documents matching a Lucene query over the collection's index (payload fields
   * are indexed under their names; see the README). Combined with {@link #filter(Filter)} by AND.
   *
   * @param query the Lucene query, or {@code null} for none
   * @return a new request
   */
  public SearchRequest filter(Query query) {
    if (query == null) {
      throw new InvalidFilterException("filter query must not be null");
    }
    SearchRequest r = copy();
    r.luceneFilter = query;
    return r;
  }

  /**
   * Forces exact brute-force search whatever the index (default {@code false}).
   *
   * @param exact whether to search exactly
   * @return a new request
   */
  public SearchRequest exact(boolean exact) {
    SearchRequest r = copy();
    r.exact = exact;
    return r;
  }

  /**
   * Searches the approximate index in every segment, bypassing the query planner, as Lucene's
   * {@code KnnFloatVectorQuery} would (default {@code false}). Lucene still scores exactly a segment
   * where the filter matches no more records than it wants hits, or where the graph search visits
   * more records than the filter matches. Meant for benchmarks and diagnosis: the planner's choice is
   * usually as fast or faster. {@link #exact(boolean) exact(true)} takes precedence.
   *
   * @param force whether to skip the planner
   * @return a new request
   */
  public SearchRequest forceIndex(boolean force) {
    SearchRequest r = copy();
    r.forceIndex = force;
    return r;
  }

  /**
   * Asks for an account of what the search did, per segment: the plan (exact, HNSW, IVF), the
   * {@code ef} or {@code probes} used and why, vectors scored, candidates rescored and time (default
   * {@code false}). {@link VectorCollection#searchResult} returns it with the hits; the other search
   * methods ignore it. Collecting it costs a few object allocations per segment.
   *
   * @param explain whether to explain
   * @return a new request
   */
  public SearchRequest explain(boolean explain) {
    SearchRequest r = copy();
    r.explain = explain;
    return r;
  }

  /**
   * IVF: the number of lists to probe (default 0: the count each segment calibrated for the
   * {@link #targetRecall(double) target recall}). Setting it overrides the target recall.
   *
   * @param probes the number of lists, 0 for the default
   * @return a new request
   */
  public SearchRequest probes(int probes) {
    if (probes < 0) {
      throw new InvalidArgumentException("probes must be >= 0; probes=" + probes);
    }
    SearchRequest r = copy();
    r.probes = probes;
    return r;
  }

  /**
   * HNSW: the candidate list size at search time, {@code ef} (default 0: the {@code ef} each
   * segment calibrated for the {@link #targetRecall(double) target recall}). At least {@code k} is
   * always used. Setting it overrides the target recall.
   *
   * @param ef the candidate count, 0 for the default
   * @return a new request
   */
  public SearchRequest ef(int ef) {
    if (ef < 0 || ef > MAX_K) {
      throw new InvalidArgumentException("ef must be in [0, " + MAX_K + "]; ef=" + ef);
    }
    SearchRequest r = copy();
    r.ef = ef;
    return r;
  }

  /**
   * HNSW and IVF: the recall@10 the approximate search aims for when {@link #ef(int) ef} (HNSW)
   * or {@link #probes(int) probes} (IVF) is not set (default {@value #DEFAULT_TARGET_RECALL}; for a
   * search with a filter through an HNSW index, {@value #DEFAULT_FILTERED_HNSW_TARGET_RECALL}).
   *
   * <p>Each segment measures, when it is flushed or merged, the recall@10 its index reaches for
   * increasing {@code ef} or probe counts, on up to 200 (HNSW) or 100 (IVF) of its own vectors
   * used as queries (each left out of its own results and, for HNSW, of the graph search), and
   * stores that curve (each recall less one standard error of its estimate); a search uses in each segment the smallest
   * value that reached the target there. It is an estimate from a sample: real queries from the
   * indexed vectors' distribution come close to it (the README's "Search options" gives the
   * recall reached on three data sets: met in most cases, missed by up to 0.007 in some), queries
   * unlike the data may not. The calibration is for
   * k = 10: for a larger k the value is scaled up ({@code ef} by {@code k / 10}, probes by {@code
   * sqrt(k / 10)}), a heuristic. Segments written before calibration existed (iQDB 0.1) use the
   * former defaults ({@code ef = max(k, 100)}; about {@code sqrt(lists) / 2} probes); while an
   * HNSW index has any such segment, every segment of it searches with that {@code ef}. Flat
   * (exact) indices ignore the target. Filtered searches start from the value for the target (by
   * default {@value #DEFAULT_FILTERED_HNSW_TARGET_RECALL} for HNSW) and widen as before; the
   * calibration ran without a filter.
   *
   * @param targetRecall in (0, 1]; calibration measures up to 0.999, a higher target gets the
   *     largest value measured
   * @return a new request
   * @throws InvalidArgumentException if {@code targetRecall} is not in (0, 1]
   */
  public SearchRequest targetRecall(double targetRecall) {
    if (!(targetRecall > 0 && targetRecall <= 1)) {
      throw new InvalidArgumentException(
          "targetRecall must be in (0, 1]; targetRecall=" + targetRecall);
    }
    SearchRequest r = copy();
    r.targetRecall = targetRecall;
    return r;
  }

  /**
   * Quantized indices: fetch {@code ceil(k * oversample)} candidates and rescore them at full
   * precision (default 0: the index's default, 1 for float32 indices).
   *
   * @param oversample the factor, 0 for the default or in [1, 100]
   * @return a new request
   */
  public SearchRequest oversample(float oversample) {
    if (oversample != 0f && !(oversample >= 1f && oversample <= 100f)) {
      throw new InvalidArgumentException("oversample must be 0 or in [1, 100]; oversample=" + oversample);
    }
    SearchRequest r = copy();
    r.oversample = oversample;
    return r;
  }

  /**
   * Returns each hit's vector too (default {@code false}).
   *
   * @param include whether to include vectors
   * @return a new request
   */
  public SearchRequest includeVectors(boolean include) {
    SearchRequest r = copy();
    r.includeVectors = include;
    return r;
  }

  /**
   * Returns each hit's payload and text (default {@code true}).
   *
   * @param include whether to include payloads
   * @return a new request
   */
  public SearchRequest includePayload(boolean include) {
    SearchRequest r = copy();
    r.includePayload = include;
    return r;
  }

  /**
   * Adds a text query: with a vector, the search becomes hybrid (see the class Javadoc); without,
   * it is BM25 over the texts (see {@link #ofText(String, int)}). Replaces an earlier text.
   *
   * @param query the query text, at most {@value VectorCollection#MAX_TEXT_BYTES} UTF-8 bytes
   * @return a new request
   */
  public SearchRequest text(String query) {
    if (query == null) {
      throw new InvalidArgumentException("query text must not be null");
    }
    SearchRequest r = copy();
    r.text = query;
    return r;
  }

  /**
   * Hybrid search: the weight of the vector list in the fusion (default 1).
   *
   * @param weight the weight, finite and in [0, 1000]
   * @return a new request
   */
  public SearchRequest vectorWeight(double weight) {
    checkWeight(weight, "vectorWeight");
    SearchRequest r = copy();
    r.vectorWeight = weight;
    return r;
  }

  /**
   * Hybrid search: the weight of the text (BM25) list in the fusion (default 1).
   *
   * @param weight the weight, finite and in [0, 1000]
   * @return a new request
   */
  public SearchRequest textWeight(double weight) {
    checkWeight(weight, "textWeight");
    SearchRequest r = copy();
    r.textWeight = weight;
    return r;
  }

  private static void checkWeight(double weight, String name) {
    if (!(weight >= 0 && weight <= 1000)) {
      throw new InvalidArgumentException(name + " must be in [0, 1000]; " + name + "=" + weight);
    }
  }

  /**
   * Hybrid search: how many records each list (vector, text) contributes to the fusion (default
   * 0: {@code max(k, }{@value #DEFAULT_FUSION_DEPTH}{@code )}). At least {@code k} is always used.
   * A record ranked below the depth in one list counts as absent from it.
   *
   * @param depth the depth, 0 for the default or in [1, {@value #MAX_K}]
   * @return a new request
   */
  public SearchRequest fusionDepth(int depth) {
    if (depth < 0 || depth > MAX_K) {
      throw new InvalidArgumentException("fusionDepth must be in [0, " + MAX_K + "]; fusionDepth=" + depth);
    }
    SearchRequest r = copy();
    r.fusionDepth = depth;
    return r;
  }

  /**
   * The query vector.
   *
   * @return the vector, or {@code null} for a text-only request
   */
  public float[] vector() {
    return vector;
  }

  /**
   * The number of hits wanted.
   *
   * @return k
   */
  public int k() {
    return k;
  }

  /**
   * The payload filter.
   *
   * @return the filter or {@code null}
   */
  public Filter filter() {
    return filter;
  }

  /**
   * The Lucene query filter.
   *
   * @return the query or {@code null}
   */
  public Query luceneFilter() {
    return luceneFilter;
  }

  /**
   * Whether search is forced exact.
   *
   * @return true if exact
   */
  public boolean exact() {
    return exact;
  }

  /**
   * The IVF probe count.
   *
   * @return the probe count, 0 for the default
   */
  public int probes() {
    return probes;
  }

  /**
   * The HNSW candidate count.
   *
   * @return ef, 0 for the default
   */
  public int ef() {
    return ef;
  }

  /**
   * The target recall of approximate search.
   *
   * @return in (0, 1]: the one set, else {@value #DEFAULT_TARGET_RECALL} (a filtered search of an
   *     HNSW index aims at {@value #DEFAULT_FILTERED_HNSW_TARGET_RECALL} unless one is set: see
   *     {@link #targetRecallSet()})
   */
  public double targetRecall() {
    return Double.isNaN(targetRecall) ? DEFAULT_TARGET_RECALL : targetRecall;
  }

  /**
   * Whether {@link #targetRecall(double)} was called: if not, a filtered search of an HNSW index
   * aims at {@value #DEFAULT_FILTERED_HNSW_TARGET_RECALL}, any other approximate search at {@value
   * #DEFAULT_TARGET_RECALL}.
   *
   * @return true if the request sets its target recall
   */
  public boolean targetRecallSet() {
    return !Double.isNaN(targetRecall);
  }

  /**
   * The oversampling factor.
   *
   * @return the factor, 0 for the default
   */
  public float oversample() {
    return oversample;
  }

  /**
   * Whether hits carry vectors.
   *
   * @return true if vectors are included
   */
  public boolean includeVectors() {
    return includeVectors;
  }

  /**
   * The text query.
   *
   * @return the text, or {@code null} for a vector-only request
   */
  public String text() {
    return text;
  }

  /**
   * The weight of the vector list in a hybrid search.
   *
   * @return the weight
   */
  public double vectorWeight() {
    return vectorWeight;
  }

  /**
   * The weight of the text list in a hybrid search.
   *
   * @return the weight
   */
  public double textWeight() {
    return textWeight;
  }

  /**
   * The depth of each list in a hybrid search, as set.
   *
   * @return the depth, 0 for the default
   */
  public int fusionDepth() {
    return fusionDepth;
  }

  /**
   * Whether the planner is bypassed (see {@link #forceIndex(boolean)}).
   *
   * @return {@code true} to search the index in every segment
   */
  public boolean forceIndex() {
    return forceIndex;
  }

  /**
   * Whether an explanation is asked for (see {@link #explain(boolean)}).
   *
   * @return {@code true} to explain
   */
  public boolean explain() {
    return explain;
  }

  /**
   * Whether hits carry payloads.
   *
   * @return true if payloads are included
   */
  public boolean includePayload() {
    return includePayload;
  }
}
