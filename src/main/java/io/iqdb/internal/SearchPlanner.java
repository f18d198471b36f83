package io.iqdb.internal;

import io.iqdb.IndexSpec;
import java.util.Locale;

/**
 * Chooses, per segment, between scoring every record the filter matches ("exact") and the
 * segment's approximate index, by comparing estimated costs in nanoseconds.
 *
 * <p>The model, with constants measured on the development machine (2-core AMD EPYC VM, AVX-512,
 * JDK 25; see the README, "Query planning", for how) and kept here in one place:
 *
 * <ul>
 *   <li>exact: {@code matches * EXACT_NS_PER_VECTOR} plus the reads of the full-precision
 *       vectors, in doc id order: the first {@code EXACT_CACHE_BYTES} of them at {@code
 *       EXACT_NS_PER_CACHED_BYTE} (a filter's matches that a previous search left in the caches),
 *       each vector beyond at {@code EXACT_NS_PER_MISS + bytes * EXACT_NS_PER_BYTE} (read from
 *       memory, a new page each when the matches are sparse in a large segment);
 *   <li>HNSW: {@code visits * (GRAPH_NS_PER_VISIT + dim * GRAPH_NS_PER_DIM * codeShare)} where
 *       {@code visits = GRAPH_VISITS_PER_EF * 100 * (ef / 100)^GRAPH_EF_EXPONENT * ln(vectors) /
 *       selectivity^GRAPH_FILTER_EXPONENT}, {@code ef} being what the segment searches with (its
 *       calibrated value for the target recall, or the one requested)
 *       (capped at the matches, after which Lucene falls back to exact scoring itself) and
 *       {@code codeShare} the relative cost of a quantized code: the graph's visits are random
 *       reads, each with neighbour decoding and filter checks, hence the higher fixed cost;
 *   <li>IVF: centroid ranking plus the probed lists, widened by {@code 1 / sqrt(selectivity)} under
 *       a filter as the codec does ({@code IvfSearch}), each listed vector checked against the
 *       filter and each accepted one scored. The codec widens further while the next centroid is
 *       nearer than the k-th result so far, which a filter that avoids the query's neighbourhood
 *       causes: the model cannot see that before the search.
 * </ul>
 *
 * <p>A flat index is always searched by its own scan: it is exact already. The model is meant to be
 * right within a factor of about two around the crossover, where both plans cost about the same.
 *
 * <p>The constants were measured on one machine; another, or the same one under other load, reads
 * memory at another speed (on 2026-12-07 the development VM's exact scans ran 2.5x the model's
 * time, about 2x slower than the day before, its graph searches 1.2x). So each planner (one per
 * collection) also times what it chose: an exact scan against the model's cost for the vectors it scored, a graph search against
 * the model's cost per visit times the visits it made, an IVF search against the model's estimate.
 * A running geometric mean of the ratios ({@link Scale}) scales that plan's estimates, within
 * [{@value #MIN_SCALE}, {@value #MAX_SCALE}]: the planner's choices follow the plans' measured
 * speeds on the machine it runs on. The visits of filtered graph searches, which depend on the data
 * and the filter more than the constants know, are followed the same way ({@link #observeVisits}).
 *
 * <p>A filter that avoids the query's neighbourhood cannot be seen in its count; a graph search
 * under way can see it in its own filter checks, and asks {@link #abandonGraph} whether to go on.
 */
final class SearchPlanner {
  /** Exact scoring, fixed cost per vector (filter iterator, heap insertion), ns. */
  static final double EXACT_NS_PER_VECTOR = 8;
  /**
   * Exact scoring, cost per byte of a vector in the caches, ns: 47 ns per 384-d vector (1,536
   * bytes) over 1,200-3,000 matches of 60,000 sentence embeddings (2026-12-07), 73 ns per 784-d
   * vector over 1,223 of Fashion-MNIST, 17 ns per 128-d vector over 2,000 of 20,000 (JMH {@code
   * FilteredSearchBenchmark}).
   */
  static final double EXACT_NS_PER_CACHED_BYTE = 0.022;
  /** How many bytes of matched vectors the caches are assumed to hold between searches. */
  static final double EXACT_CACHE_BYTES = 6 << 20;
  /**
   * Exact scoring, cost per vector read from memory, ns, plus {@link #EXACT_NS_PER_BYTE} per byte:
   * 110 ns per 384-d vector at 20-50% of 60,000 sentence embeddings, 103 ns per 128-d vector at 10%
   * of 1,000,000, 147 ns per 784-d vector at 10% of Fashion-MNIST.
   */
  static final double EXACT_NS_PER_MISS = 100;
  /** Exact scoring, cost per byte of a vector read from memory, ns. */
  static final double EXACT_NS_PER_BYTE = 0.015;
  /** HNSW, fixed cost per visited node (random read, neighbour list, filter bits), ns. */
  static final double GRAPH_NS_PER_VISIT = 150;
  /** HNSW, cost per dimension of a visited float vector, ns. */
  static final double GRAPH_NS_PER_DIM = 0.45;
  /** HNSW visits per unit of {@code ef * ln(vectors)} without a filter, at {@code ef = 100}. */
  static final double GRAPH_VISITS_PER_EF = 0.64;
  /**
   * How visits grow with {@code ef}: {@code visits ~ ef^x}. Fashion-MNIST, one segment of 60,000:
   * 200 / 279 / 408 / 712 visits at ef 10 / 20 / 40 / 100 without a filter, 682 / 1,086 / 1,694 /
   * 3,071 at 10% selectivity (2026-12-07).
   */
  static final double GRAPH_EF_EXPONENT = 0.6;
  /** The {@code ef} at which {@link #GRAPH_VISITS_PER_EF} was measured. */
  private static final double REFERENCE_EF = 100;
  /** How fast HNSW visits grow as the filter narrows: {@code visits ~ selectivity^-x}. */
  static final double GRAPH_FILTER_EXPONENT = 0.64;
  /**
   * IVF, cost of checking one listed vector against the filter and decoding its ordinal, ns. The IVF
   * constants are the ones fitted before 2026-12-07 and are pessimistic on purpose: under a filter
   * the codec scans on while the next centroid is nearer than the k-th result, which on clustered
   * data can scan most lists (1,000,000 x 128, 1% random filter: 88% of the lists, 3.8x the time of
   * exact scoring). A refit to Fashion-MNIST's lists, with the segment's calibrated probes, chose
   * the lists in those cells.
   */
  static final double IVF_NS_PER_LISTED = 4;
  /** IVF, cost per dimension of scoring one accepted code or vector or a centroid, ns (float lists). */
  static final double IVF_NS_PER_DIM = 0.3;
  /** IVF, fixed cost of scoring one accepted code or vector (heap insertion), ns. */
  static final double IVF_NS_PER_SCORED = 20;

  /**
   * A plan for one segment and the estimates behind it.
   *
   * @param visitBudget for HNSW, the visits after which the graph search should give up and leave
   *     the segment to exact scoring (see {@link #choose}); {@code Integer.MAX_VALUE} otherwise
   */
  record Choice(
      boolean exact, double exactNanos, double indexNanos, int visitBudget, double exactScale, double indexScale,
      double visitScale) {
    String reason(String index) {
      String reason = String.format(
          Locale.ROOT,
          "%s: estimated exact %.0f us vs %s %.0f us",
          exact ? "exact is cheaper" : index + " is cheaper",
          exactNanos / 1e3,
          index,
          indexNanos / 1e3);
      if (Math.abs(exactScale - 1) > 0.1 || Math.abs(indexScale - 1) > 0.1) {
        reason += String.format(
            Locale.ROOT, " (model scaled to measured speed: exact %.2fx, %s %.2fx)", exactScale, index, indexScale);
      }
      if (Math.abs(visitScale - 1) > 0.1) {
        reason += String.format(Locale.ROOT, " (filtered visits scaled to measured: %.2fx)", visitScale);
      }
      return reason;
    }
  }

  /** The least and greatest a plan's measured-over-modelled scale may get. */
  static final double MIN_SCALE = 0.25;
  static final double MAX_SCALE = 4;
  /** The weight of one observation in the running mean of the log ratios. */
  static final double OBSERVATION_WEIGHT = 0.05;
  /**
   * The weight of the overall selectivity in {@link #abandonGraph}'s estimate of the local one, in
   * filter checks. Fitted on per-query traces of the filtered harness's cells at 50% to 10% on both
   * 60,000-row sets (2026-12-07): with 1, a 50% anti-correlated filter on Fashion-MNIST gave up on
   * a fifth of its queries after 67 checks without a pass, where the graph would have finished in
   * half the time of exact scoring; 8 to 16 did not.
   */
  static final double PRIOR_CHECKS = 8;
  /** Graph searches the model expects to visit fewer vectors are not observed for the visit scale. */
  static final double MIN_OBSERVED_VISITS = 100;
  /** Searches the model estimates below this are not observed: timer and call overheads dominate. */
  static final double MIN_OBSERVED_NANOS = 20_000;

  /** Measured over modelled time (or visits) of one plan (see the class comment). */
  private static final class Scale {
    /** Observations the model puts below this are not taken in. */
    private final double minModelled;
    // racy updates lose an observation at worst
    private volatile double value = 1;

    Scale(double minModelled) {
      this.minModelled = minModelled;
    }

    /** Takes in {@code measured} where the unscaled model says {@code modelled}. */
    void observe(double modelled, long measured) {
      if (!(modelled >= minModelled) || measured <= 0) {
        return;
      }
      // one slow search (the thread preempted, a page fault) moves the mean by at most a bounded step
      double ratio = Math.max(1 / MAX_SCALE, Math.min(MAX_SCALE, measured / modelled));
      double mean = Math.exp((1 - OBSERVATION_WEIGHT) * Math.log(value) + OBSERVATION_WEIGHT * Math.log(ratio));
      value = Math.max(MIN_SCALE, Math.min(MAX_SCALE, mean));
    }
  }

  private final Scale exactScale = new Scale(MIN_OBSERVED_NANOS);
  private final Scale graphScale = new Scale(MIN_OBSERVED_NANOS);
  private final Scale ivfScale = new Scale(MIN_OBSERVED_NANOS);
  /** Measured over modelled visits of filtered graph searches (see {@link #observeVisits}). */
  private final Scale visitScale = new Scale(MIN_OBSERVED_VISITS);

  private final IndexSpec index;
  private final int dimension;

  SearchPlanner(IndexSpec index, int dimension) {
    this.index = index;
    this.dimension = dimension;
  }

  /**
   * The plan for one segment.
   *
   * @param vectors the segment's vector count
   * @param matches the records the filter accepts there (the live ones when there is no filter)
   * @param ef the graph's candidate list size (HNSW), or the hits wanted
   */
  Choice choose(int vectors, long matches, int ef) {
    double exactScale = this.exactScale.value;
    double exact = exactNanos(matches) * exactScale;
    int budget = Integer.MAX_VALUE;
    double approximate;
    double indexScale = 1;
    double visitScale = 1;
    switch (index) {
      case IndexSpec.Hnsw h -> {
        int bits = IndexFormats.bits(h.quantization());
        indexScale = graphScale.value;
        visitScale = matches < vectors ? this.visitScale.value : 1;
        approximate = hnswNanos(vectors, matches, ef, bits, exactScale, indexScale, visitScale);
        // A filter that excludes the query's neighbourhood (anti-correlated) makes the graph visit
        // many times the nodes the model expects: Fashion-MNIST at 20% took 13,500 visits, not
        // 2,000. Give up once the visits cost what exact scoring would, unless that is within 3x
        // of the expectation (a broad filter): the worst case is then about twice the exact cost.
        double perVisit = graphNanosPerVisit(bits) * indexScale;
        budget = (int) Math.min(
            Integer.MAX_VALUE, Math.max(3 * hnswVisits(vectors, matches, ef) * visitScale, exact / perVisit));
      }
      case IndexSpec.Ivf ivf -> {
        indexScale = ivfScale.value;
        approximate = ivfNanos(vectors, matches, ivf.lists(), IndexFormats.bits(ivf.quantization())) * indexScale;
      }
      case IndexSpec.Flat f -> approximate = 0; // the flat index is exact already: always its own scan
    }
    // no match at all costs nothing either way: exact, with no search of the index
    boolean exactPlan = exact < approximate || matches == 0;
    return new Choice(exactPlan, exact, approximate, budget, exactScale, indexScale, visitScale);
  }

  /**
   * Whether a filtered graph search under way should stop and leave the segment to exact scoring.
   * Of the first {@code checks} filter checks the graph made, {@code passes} passed: the filter's
   * selectivity where the graph walks, which a filter that avoids the query's neighbourhood keeps
   * far below its overall selectivity. The model's visits at that local selectivity (with {@value
   * #PRIOR_CHECKS} pseudo-checks at the overall one, so that a few checks do not swing it), less
   * the checks made, are weighed against the exact cost the plan was chosen on. A pass rate above
   * half the overall selectivity never stops a search (random filters vary that much).
   *
   * @param choice the plan the search runs under
   * @param vectors the segment's vector count
   * @param matches the records the filter accepts there
   * @param ef the graph's candidate list size
   * @param checks the filter checks the search made so far
   * @param passes how many of them passed
   */
  boolean abandonGraph(Choice choice, int vectors, long matches, int ef, long checks, long passes) {
    double overall = Math.max(1e-6, Math.min(1.0, matches / (double) Math.max(1, vectors)));
    double local = (passes + PRIOR_CHECKS * overall) / (checks + PRIOR_CHECKS);
    if (local >= overall / 2) {
      return false; // within the noise of a random filter, or a correlated one
    }
    int bits = index instanceof IndexSpec.Hnsw h ? IndexFormats.bits(h.quantization()) : 32;
    // the model's visits unscaled (see visitScale): scaled, half of the real-text set's queries under
    // a 50% anti-correlated filter gave up where the graph was 1.3x faster than exact scoring
    double remaining = hnswVisits(vectors, (long) Math.ceil(local * vectors), ef) - checks;
    return remaining * graphNanosPerVisit(bits) * choice.indexScale() > choice.exactNanos();
  }

  /**
   * Records an exact scan's time against the model's cost of scoring as many vectors.
   *
   * @param scored the vectors it scored
   */
  void observeExact(long scored, long nanos) {
    exactScale.observe(exactNanos(scored), nanos);
  }

  /**
   * Records a completed index search's time: a graph search against the model's cost per visit
   * times its visits, an IVF search against the model's whole estimate.
   *
   * @param vectors the segment's vector count
   * @param matches the filter's matches there (the live documents without a filter)
   * @param ef the graph's candidate list size (HNSW; not used for IVF)
   * @param visited the vectors the search visited (HNSW; not used for IVF)
   */
  void observeIndex(int vectors, long matches, int ef, long visited, long nanos) {
    switch (index) {
      case IndexSpec.Hnsw h -> {
        graphScale.observe(visited * graphNanosPerVisit(IndexFormats.bits(h.quantization())), nanos);
        if (matches < vectors) {
          observeVisits(vectors, matches, ef, visited);
        }
      }
      case IndexSpec.Ivf ivf ->
          ivfScale.observe(ivfNanos(vectors, matches, ivf.lists(), IndexFormats.bits(ivf.quantization())), nanos);
      case IndexSpec.Flat f -> {} // never planned
    }
  }

  /**
   * Records the visits of a filtered graph search against the model's: the visits grow with the
   * data's structure and the filter's in ways the constants (fitted on Fashion-MNIST) do not know;
   * on the real-text set a 20% filter at the {@code ef} for recall 0.99 took 2-3x the visits the
   * model expects. A search stopped at its visit budget is recorded with the visits it made: a lower
   * bound.
   */
  void observeVisits(int vectors, long matches, int ef, long visited) {
    visitScale.observe(hnswVisits(vectors, matches, ef), visited);
  }

  /** The model's cost of one graph visit, unscaled. */
  double graphNanosPerVisit(int bits) {
    return GRAPH_NS_PER_VISIT + dimension * GRAPH_NS_PER_DIM * codeShare(bits);
  }

  /** The expected HNSW visits (the model above), before the cap at the matches. */
  static double hnswVisits(int vectors, long matches, int ef) {
    double selectivity = Math.max(1e-6, Math.min(1.0, matches / (double) Math.max(1, vectors)));
    return GRAPH_VISITS_PER_EF * REFERENCE_EF * Math.pow(Math.max(1, ef) / REFERENCE_EF, GRAPH_EF_EXPONENT)
        * Math.log(Math.max(2, vectors)) / Math.pow(selectivity, GRAPH_FILTER_EXPONENT);
  }

  double exactNanos(long matches) {
    double bytes = dimension * (double) Float.BYTES;
    double cached = Math.min(matches, Math.floor(EXACT_CACHE_BYTES / bytes));
    return matches * EXACT_NS_PER_VECTOR
        + cached * bytes * EXACT_NS_PER_CACHED_BYTE
        + (matches - cached) * (EXACT_NS_PER_MISS + bytes * EXACT_NS_PER_BYTE);
  }

  private double hnswNanos(
      int vectors, long matches, int ef, int bits, double exactScale, double graphScale, double visitScale) {
    double visits = hnswVisits(vectors, matches, ef) * visitScale;
    double perVisit = graphNanosPerVisit(bits) * graphScale;
    // past the matches Lucene stops the graph search and scores the matches exactly: it pays both
    if (visits > matches) {
      return matches * perVisit + exactNanos(matches) * exactScale;
    }
    return visits * perVisit;
  }

  double ivfNanos(int vectors, long matches, int configuredLists, int bits) {
    double selectivity = Math.max(1e-6, Math.min(1.0, matches / (double) Math.max(1, vectors)));
    // the codec's list count and default probes (IvfVectorsWriter.listCount, IvfSearch.defaultProbes)
    int lists = configuredLists > 0
        ? Math.min(configuredLists, vectors)
        : (int) Math.max(1, Math.min(vectors / 8, Math.round(Math.sqrt(vectors))));
    int probes = Math.min(lists, Math.max(4, (int) Math.ceil(0.5 * Math.sqrt(lists))));
    double listed = Math.min(vectors, probes * (vectors / (double) lists) / Math.sqrt(selectivity));
    double scored = listed * selectivity;
    return lists * dimension * IVF_NS_PER_DIM
        + listed * IVF_NS_PER_LISTED
        + scored * (IVF_NS_PER_SCORED + dimension * IVF_NS_PER_DIM * codeShare(bits));
  }

  /** The cost of comparing a code of {@code bits} per dimension relative to a float, floored. */
  private static double codeShare(int bits) {
    return Math.max(0.25, bits / 32.0);
  }
}
