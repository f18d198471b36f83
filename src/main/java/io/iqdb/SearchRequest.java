package io.iqdb;

import org.apache.lucene.search.Query;

/**
 * A nearest-neighbour query with its options. Immutable: each method returns a new request.
 *
 * <pre>{@code
 * docs.search(SearchRequest.of(query, 10).filter(Filter.eq("lang", "en")).exact(true));
 * }</pre>
 */
public final class SearchRequest {

  /** The largest {@code k} accepted. */
  public static final int MAX_K = 10_000;

  private final float[] vector;
  private final int k;
  private final Filter filter;
  private final Query luceneFilter;
  private final boolean exact;
  private final int probes;
  private final int ef;
  private final float oversample;
  private final boolean includeVectors;
  private final boolean includePayload;

  private SearchRequest(
      float[] vector, int k, Filter filter, Query luceneFilter, boolean exact, int probes, int ef,
      float oversample, boolean includeVectors, boolean includePayload) {
    this.vector = vector;
    this.k = k;
    this.filter = filter;
    this.luceneFilter = luceneFilter;
    this.exact = exact;
    this.probes = probes;
    this.ef = ef;
    this.oversample = oversample;
    this.includeVectors = includeVectors;
    this.includePayload = includePayload;
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
    return new SearchRequest(vector, k, null, null, false, 0, 0, 0f, false, true);
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
    return new SearchRequest(vector, k, filter, luceneFilter, exact, probes, ef, oversample, includeVectors, includePayload);
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
    return new SearchRequest(vector, k, filter, query, exact, probes, ef, oversample, includeVectors, includePayload);
  }

  /**
   * Forces exact brute-force search whatever the index (default {@code false}).
   *
   * @param exact whether to search exactly
   * @return a new request
   */
  public SearchRequest exact(boolean exact) {
    return new SearchRequest(vector, k, filter, luceneFilter, exact, probes, ef, oversample, includeVectors, includePayload);
  }

  /**
   * IVF: the number of lists to probe (default 0: the index's default, which targets recall 0.95).
   *
   * @param probes the number of lists, 0 for the default
   * @return a new request
   */
  public SearchRequest probes(int probes) {
    if (probes < 0) {
      throw new InvalidArgumentException("probes must be >= 0; probes=" + probes);
    }
    return new SearchRequest(vector, k, filter, luceneFilter, exact, probes, ef, oversample, includeVectors, includePayload);
  }

  /**
   * HNSW: the candidate list size at search time, {@code ef} (default 0: {@code max(k, 100)}). At
   * least {@code k} is always used.
   *
   * @param ef the candidate count, 0 for the default
   * @return a new request
   */
  public SearchRequest ef(int ef) {
    if (ef < 0 || ef > MAX_K) {
      throw new InvalidArgumentException("ef must be in [0, " + MAX_K + "]; ef=" + ef);
    }
    return new SearchRequest(vector, k, filter, luceneFilter, exact, probes, ef, oversample, includeVectors, includePayload);
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
    return new SearchRequest(vector, k, filter, luceneFilter, exact, probes, ef, oversample, includeVectors, includePayload);
  }

  /**
   * Returns each hit's vector too (default {@code false}).
   *
   * @param include whether to include vectors
   * @return a new request
   */
  public SearchRequest includeVectors(boolean include) {
    return new SearchRequest(vector, k, filter, luceneFilter, exact, probes, ef, oversample, include, includePayload);
  }

  /**
   * Returns each hit's payload (default {@code true}).
   *
   * @param include whether to include payloads
   * @return a new request
   */
  public SearchRequest includePayload(boolean include) {
    return new SearchRequest(vector, k, filter, luceneFilter, exact, probes, ef, oversample, includeVectors, include);
  }

  /**
   * The query vector.
   *
   * @return the vector
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
   * Whether hits carry payloads.
   *
   * @return true if payloads are included
   */
  public boolean includePayload() {
    return includePayload;
  }
}
