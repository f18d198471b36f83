package io.iqdb.codecs;

import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.NumericUtils;
import org.apache.lucene.util.VectorUtil;

/**
 * Measures, when a segment is written, how recall@{@value #K} grows with a search parameter, so
 * that searches can ask for a recall instead of a parameter ({@link RecallCurve}).
 *
 * <p>Queries: {@value #HNSW_QUERIES} (HNSW) or {@value #IVF_QUERIES} (IVF) vectors of the segment
 * drawn at random (seeded, so a segment's curve is reproducible), fewer in a small segment (a
 * tenth of its vectors, at least 50). Each query is <em>held out</em>: its own vector is removed
 * from its exact neighbours and from what the search returns, and the HNSW search does not visit
 * its node (see {@code HeldOutGraphSearch} in {@link io.iqdb.codecs.dedup}), so a query stands for
 * a new vector from the same distribution, not for a lookup of a stored one. By default the query
 * is the vector itself; with the system property {@value #MODE_PROPERTY}{@code =perturbed} it is
 * moved away from it by Gaussian noise as long as the distance to its nearest other vector (the
 * benchmarks' target-recall results compare the two: see the README's "Search options").
 *
 * <p>Ground truth: the exact {@value #K} nearest other vectors of each query by the field's
 * similarity, computed in one pass over the vectors, a block of vectors against all queries at a
 * time. Recall is tie-aware: a returned vector counts when its exact score is at least the
 * {@value #K}-th true score. Where one vector stands for several documents (an HNSW graph over
 * distinct vectors, {@link io.iqdb.codecs.dedup}), recall is measured over documents, as a search
 * returns them: given each vector's copy count, the {@value #K}-th true score is that of the
 * {@value #K}-th nearest document, and a found vector brings its copies into the best {@value #K}
 * documents. The queries are then drawn over documents, not distinct vectors, and only the query's
 * own document is held out: its vector stays in the graph when it has other copies, as a new
 * document that repeats a stored text finds that text's copies. Real text is like that (half the
 * rows of the project's real-text set copy another row), and recall over distinct vectors drawn
 * uniformly understated what such queries reach (ef 10: 0.85 estimated, 0.96 reached). The search's results are rescored exactly before the best {@value K}
 * are taken, so a search returning approximate scores is measured as the database uses it (it
 * rescores candidates).
 *
 * <p>Parameters are tried in increasing order from a grid; the calibration stops at the first
 * whose recall reaches {@value #STOP_RECALL}, or at the end of the grid. The curve stores for each
 * parameter the measured recall minus one standard error of that mean over the queries: a
 * sample of 200 queries misjudges recall 0.95 by about 0.005-0.01 either way, and a target is
 * better met than missed by that much. A query that found all
 * its neighbours with one value is counted as finding them with every larger one and not searched
 * again (a wider search explores more of the index), which keeps the searches at high recall
 * cheap. The cost is one exact
 * scan of the segment per query plus the approximate searches: for HNSW a small share of the
 * graph's construction (which searches the graph once per vector), reported by the benchmarks.
 */
public final class RecallCalibrator {

  /** The k that recall is measured for. */
  public static final int K = 10;

  /**
   * How many queries an HNSW segment is calibrated with (fewer in a segment of fewer than 2,000
   * vectors: a tenth of them, at least 50).
   */
  public static final int HNSW_QUERIES = 200;

  /**
   * How many queries an IVF segment is calibrated with: IVF builds in a fraction of HNSW's time,
   * and the exact ground truth (a scan of the segment per query) is most of the calibration.
   */
  public static final int IVF_QUERIES = 100;

  /** The recall at which the calibration stops trying larger parameters. */
  public static final double STOP_RECALL = 0.999;

  /** The system property that selects perturbed queries ({@code perturbed}) for experiments. */
  public static final String MODE_PROPERTY = "iqdb.calibration.queries";

  private static final int BLOCK = 64;

  /** Runs one approximate search of a segment for calibration. */
  @FunctionalInterface
  public interface Search {
    /**
     * Searches the segment.
     *
     * @param query the query vector (do not modify it)
     * @param parameter the parameter value to search with ({@code ef}, {@code probes})
     * @param heldOut the ordinal of the vector the query was drawn from, which a search may skip;
     *     -1 when that vector stands for other documents too and is searched as any other
     * @return the ordinals found, in any order; may include the query's own vector
     * @throws IOException if reading the segment fails
     */
    int[] search(float[] query, int parameter, int heldOut) throws IOException;
  }

  /** Runs what one approximate search per parameter value would, for all values at once. */
  @FunctionalInterface
  public interface SearchAll {
    /**
     * Searches the segment as with each parameter of the grid, in increasing order, handing each
     * result to {@code results} until it declines more.
     *
     * @param query the query vector (do not modify it)
     * @param results receives the ordinals found with each grid value (any order; may include the
     *     query's own vector)
     * @throws IOException if reading the segment fails
     */
    void search(float[] query, Results results) throws IOException;
  }

  /** Receives the results of one query per grid value, in increasing grid order. */
  @FunctionalInterface
  public interface Results {
    /**
     * Takes the results of one grid value.
     *
     * @param gridIndex the position of the value in the grid
     * @param ords the ordinals found
     * @return whether to go on with larger values: false once every true neighbour was found, after
     *     which larger values are taken to find them too
     * @throws IOException if reading vectors fails
     */
    boolean accept(int gridIndex, int[] ords) throws IOException;
  }

  private RecallCalibrator() {}

  /**
   * The grid of HNSW {@code ef} values tried: from {@value #K}, about 12% apart, up to 1,000.
   *
   * @return a new array
   */
  public static int[] efGrid() {
    return geometricGrid(K, 1000, 1.12);
  }

  /**
   * The grid of IVF probe counts tried: every count up to 8, then about 12% apart, up to the list
   * count.
   *
   * @param lists the segment's list count
   * @return a new array, ending with {@code lists}
   */
  public static int[] probeGrid(int lists) {
    return geometricGrid(1, lists, 1.12);
  }

  private static int[] geometricGrid(int from, int to, double ratio) {
    int[] grid = new int[64];
    int n = 0;
    double x = from;
    int last = 0;
    while (true) {
      int v = Math.min(to, Math.max(last + 1, (int) Math.round(x)));
      if (n == grid.length) {
        grid = Arrays.copyOf(grid, n * 2);
      }
      grid[n++] = v;
      last = v;
      if (v >= to) {
        break;
      }
      x *= ratio;
    }
    return Arrays.copyOf(grid, n);
  }

  private static final System.Logger LOG = System.getLogger(RecallCalibrator.class.getName());

  /** Whether experiments asked for perturbed queries; see {@link #MODE_PROPERTY}. */
  static boolean perturbed() {
    return "perturbed".equals(System.getProperty(MODE_PROPERTY));
  }

  /** Whether experiments turned calibration off (to measure its cost); see {@link #MODE_PROPERTY}. */
  static boolean off() {
    return "off".equals(System.getProperty(MODE_PROPERTY));
  }

  /**
   * Measures a segment's recall curve.
   *
   * @param vectors the segment's vectors, by ordinal (the ordinals the search returns)
   * @param similarity the field's similarity
   * @param grid increasing parameter values to try
   * @param maxQueries the most queries to use ({@value #HNSW_QUERIES}, {@value #IVF_QUERIES})
   * @param search runs one approximate search
   * @param seed chooses the query sample
   * @param what names the segment and field in the {@code DEBUG} log line that reports the curve
   *     and the time it took (logger {@code io.iqdb.codecs.RecallCalibrator})
   * @return the curve, or null if calibration was turned off (system property {@value
   *     #MODE_PROPERTY}{@code =off}, to measure its cost); for a segment of at most {@value #K} vectors, where any search that can
   *     return them all is exact, the last parameter of the grid with recall 1
   * @throws IOException if reading the vectors or searching fails
   */
  public static RecallCurve calibrate(
      FloatVectorValues vectors,
      VectorSimilarityFunction similarity,
      int[] grid,
      int maxQueries,
      Search search,
      long seed,
      String what)
      throws IOException {
    return calibrate(vectors, similarity, grid, maxQueries, search, null, null, seed, what);
  }

  /**
   * Measures a segment's recall curve over documents where each vector stands for {@code
   * copies[ord]} documents (one graph node per distinct vector); as {@link
   * #calibrate(FloatVectorValues, VectorSimilarityFunction, int[], int, Search, long, String)}
   * otherwise, which is this with one copy each.
   *
   * @param vectors the segment's distinct vectors, by ordinal (the ordinals the search returns)
   * @param similarity the field's similarity
   * @param grid increasing parameter values to try
   * @param maxQueries the most queries to use
   * @param search runs one approximate search
   * @param copies the number of documents of each ordinal, each at least 1; null for one each
   * @param seed chooses the query sample
   * @param what names the segment and field in the log line
   * @return the curve, or null if calibration was turned off
   * @throws IOException if reading the vectors or searching fails
   */
  public static RecallCurve calibrate(
      FloatVectorValues vectors,
      VectorSimilarityFunction similarity,
      int[] grid,
      int maxQueries,
      Search search,
      int[] copies,
      long seed,
      String what)
      throws IOException {
    return calibrate(vectors, similarity, grid, maxQueries, search, null, copies, seed, what);
  }

  /**
   * Measures a segment's recall curve with a search that answers every grid value at once; as
   * {@link #calibrate(FloatVectorValues, VectorSimilarityFunction, int[], int, Search, long,
   * String)} otherwise.
   *
   * @param vectors the segment's vectors, by ordinal (the ordinals the search returns)
   * @param similarity the field's similarity
   * @param grid increasing parameter values
   * @param maxQueries the most queries to use
   * @param search runs the searches of one query
   * @param seed chooses the query sample
   * @param what names the segment and field in the log line
   * @return the curve, or null if calibration was turned off
   * @throws IOException if reading the vectors or searching fails
   */
  public static RecallCurve calibrateAll(
      FloatVectorValues vectors,
      VectorSimilarityFunction similarity,
      int[] grid,
      int maxQueries,
      SearchAll search,
      long seed,
      String what)
      throws IOException {
    return calibrate(vectors, similarity, grid, maxQueries, null, search, null, seed, what);
  }

  private static RecallCurve calibrate(
      FloatVectorValues vectors,
      VectorSimilarityFunction similarity,
      int[] grid,
      int maxQueries,
      Search search,
      SearchAll searchAll,
      int[] copies,
      long seed,
      String what)
      throws IOException {
    if (off()) {
      return null;
    }
    long start = System.nanoTime();
    int n = vectors.size();
    if (n <= K) {
      return new RecallCurve(new int[] {grid[grid.length - 1]}, new float[] {1f});
    }
    int dims = vectors.dimension();
    SplittableRandom random = new SplittableRandom(seed);
    int count = Math.min(n, Math.min(maxQueries, Math.max(50, n / 10)));
    int[] sample = copies == null ? sample(n, count, random) : sampleDocuments(copies, count, random);
    // the vector left out of each query's truth and search: its own, unless it has other copies
    int[] exclude = new int[sample.length];
    for (int i = 0; i < sample.length; i++) {
      exclude[i] = copies == null || copies[sample[i]] == 1 ? sample[i] : -1;
    }
    float[][] queries = new float[sample.length][];
    for (int i = 0; i < sample.length; i++) {
      queries[i] = vectors.vectorValue(sample[i]).clone();
    }
    Truth truth = truth(vectors, similarity, queries, exclude, sample, copies);
    boolean perturbed = perturbed();
    if (perturbed) {
      FloatVectorValues values = vectors.copy();
      for (int i = 0; i < queries.length; i++) {
        float scale =
            (float) Math.sqrt(VectorUtil.squareDistance(queries[i], values.vectorValue(truth.ords[i][0])));
        float[] noise = new float[dims];
        for (int d = 0; d < dims; d++) {
          noise[d] = (float) random.nextGaussian();
        }
        float norm = (float) Math.sqrt(VectorUtil.dotProduct(noise, noise));
        for (int d = 0; d < dims; d++) {
          queries[i][d] += noise[d] * scale / norm;
        }
      }
      truth = truth(vectors, similarity, queries, exclude, sample, copies);
    }
    long truthNanos = System.nanoTime() - start;
    FloatVectorValues values = vectors.copy();
    int q = queries.length;
    // per grid value: the sum of the queries' hits and of their squares (for the standard error)
    long[] found = new long[grid.length];
    long[] foundSq = new long[grid.length];
    if (searchAll != null) {
      Truth exact = truth;
      for (int i = 0; i < q; i++) {
        int query = i;
        int[] reached = {-1};
        searchAll.search(
            queries[i],
            (g, ords) -> {
              int hits = hits(ords, exclude[query], sample[query], queries[query], exact.kth[query], values, similarity, copies);
              found[g] += hits;
              foundSq[g] += (long) hits * hits;
              reached[0] = g;
              return hits < K;
            });
        // the query found all its neighbours at reached[0]: so it does at every larger value
        for (int g = reached[0] + 1; reached[0] >= 0 && g < grid.length; g++) {
          found[g] += K;
          foundSq[g] += K * K;
        }
      }
    } else {
      // a query that found all its neighbours with some value is taken to find them with every
      // larger one (a wider search explores more): only the others are searched again
      boolean[] complete = new boolean[q];
      for (int g = 0; g < grid.length; g++) {
        for (int i = 0; i < q; i++) {
          int hits = K;
          if (complete[i] == false) {
            int[] result = search.search(queries[i], grid[g], exclude[i]);
            hits = hits(result, exclude[i], sample[i], queries[i], truth.kth[i], values, similarity, copies);
            complete[i] = hits == K;
          }
          found[g] += hits;
          foundSq[g] += (long) hits * hits;
        }
        if (stops(found[g], q)) {
          break;
        }
      }
    }
    // the first grid value whose recall reached STOP_RECALL, else the last; every grid value is
    // stored, those past the stop with the recall measured there: the curve's size then depends
    // on the grid only, so merging a segment again writes files of the same size (Lucene's merge
    // stability test checks it)
    int stop = 0;
    while (stop < grid.length - 1 && stops(found[stop], q) == false) {
      stop++;
    }
    float[] recalls = new float[grid.length];
    for (int g = 0; g < grid.length; g++) {
      int measured = Math.min(g, stop);
      recalls[g] = lowerBound(found[measured], foundSq[measured], q);
    }
    RecallCurve curve = new RecallCurve(grid, recalls);
    if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(
          System.Logger.Level.DEBUG,
          String.format(
              java.util.Locale.ROOT,
              "calibrated %s: %d vectors, %d %s queries, %.1f ms (ground truth %.1f ms): %s",
              what,
              n,
              queries.length,
              perturbed ? "perturbed" : "held-out",
              (System.nanoTime() - start) / 1e6,
              truthNanos / 1e6,
              curve));
    }
    return curve;
  }

  /** Whether {@code q} queries that found {@code found} neighbours reached {@link #STOP_RECALL}. */
  private static boolean stops(long found, int q) {
    return found >= STOP_RECALL * q * K;
  }

  /**
   * The mean recall of {@code q} queries minus one standard error of that mean, from the sums of
   * their hits and squared hits.
   */
  static float lowerBound(long hits, long hitsSq, int q) {
    double mean = hits / (double) q / K;
    double meanSq = hitsSq / (double) q / (K * K);
    double variance = q > 1 ? Math.max(0, meanSq - mean * mean) * q / (q - 1) : 0;
    return (float) Math.min(1, Math.max(0, mean - Math.sqrt(variance / q)));
  }

  /**
   * How many of the best {@value K} documents of the results (by exact score, {@code exclude}
   * left out; a vector brings its copies, the query's own one less) are true neighbours.
   */
  private static int hits(
      int[] result,
      int exclude,
      int self,
      float[] query,
      float kth,
      FloatVectorValues values,
      VectorSimilarityFunction similarity,
      int[] copies)
      throws IOException {
    // scores and ordinals side by side, sorted by score: the score's bits above, the index below
    long[] scored = new long[result.length];
    int m = 0;
    for (int i = 0; i < result.length; i++) {
      if (result[i] != exclude) {
        float score = similarity.compare(query, values.vectorValue(result[i]));
        scored[m++] = ((long) NumericUtils.floatToSortableInt(score) << 32) | i;
      }
    }
    Arrays.sort(scored, 0, m);
    int hits = 0;
    int taken = 0;
    for (int j = m - 1; j >= 0 && taken < K; j--) {
      float score = NumericUtils.sortableIntToFloat((int) (scored[j] >> 32));
      int docs = copies == null ? 1 : Math.min(documents(copies, result[(int) scored[j]], self), K - taken);
      if (score >= kth) {
        hits += docs;
      }
      taken += docs;
    }
    return hits;
  }

  /** The documents a vector stands for in a query's truth: the query's own document is not one. */
  private static int documents(int[] copies, int ord, int self) {
    return ord == self ? copies[ord] - 1 : copies[ord];
  }

  /**
   * The vectors of {@code count} distinct documents drawn uniformly, where ordinal {@code o} stands
   * for {@code copies[o]} documents (an ordinal appears once per document drawn).
   */
  private static int[] sampleDocuments(int[] copies, int count, SplittableRandom random) {
    int[] start = new int[copies.length + 1];
    for (int o = 0; o < copies.length; o++) {
      start[o + 1] = start[o] + copies[o];
    }
    int[] docs = sample(start[copies.length], count, random);
    for (int i = 0; i < docs.length; i++) {
      int at = Arrays.binarySearch(start, docs[i]);
      docs[i] = at >= 0 ? at : -at - 2; // the ordinal whose documents begin at or before it
    }
    return docs;
  }

  private static int[] sample(int n, int count, SplittableRandom random) {
    // a partial Fisher-Yates shuffle over a virtual identity array
    java.util.HashMap<Integer, Integer> swapped = new java.util.HashMap<>();
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(n - i);
      int atJ = swapped.getOrDefault(j, j);
      int atI = swapped.getOrDefault(i, i);
      swapped.put(j, atI);
      out[i] = atJ;
    }
    return out;
  }

  /**
   * Each query's exact neighbours, best first, and the score of its {@value K}-th nearest document
   * (with copies: the neighbour at which the copies counted from the best reach {@value K}).
   */
  private record Truth(int[][] ords, float[] kth) {}

  private static Truth truth(
      FloatVectorValues vectors,
      VectorSimilarityFunction similarity,
      float[][] queries,
      int[] exclude,
      int[] self,
      int[] copies)
      throws IOException {
    int q = queries.length;
    float[][] best = new float[q][K];
    int[][] bestOrds = new int[q][K];
    for (float[] b : best) {
      Arrays.fill(b, Float.NEGATIVE_INFINITY);
    }
    for (int[] o : bestOrds) {
      Arrays.fill(o, -1);
    }
    FloatVectorValues values = vectors.copy();
    int n = values.size();
    float[][] block = new float[BLOCK][values.dimension()];
    // every query against a block of vectors: the block stays in cache while the queries pass
    for (int start = 0; start < n; start += BLOCK) {
      int end = Math.min(n, start + BLOCK);
      for (int ord = start; ord < end; ord++) {
        System.arraycopy(values.vectorValue(ord), 0, block[ord - start], 0, block[0].length);
      }
      for (int i = 0; i < q; i++) {
        float[] query = queries[i];
        float[] b = best[i];
        for (int ord = start; ord < end; ord++) {
          if (ord == exclude[i]) {
            continue;
          }
          float score = similarity.compare(query, block[ord - start]);
          if (score > b[K - 1]) {
            insert(b, bestOrds[i], score, ord);
          }
        }
      }
    }
    float[] kth = new float[q];
    for (int i = 0; i < q; i++) {
      int j = 0;
      if (copies != null) {
        for (int documents = documents(copies, bestOrds[i][0], self[i]);
            documents < K;
            documents += documents(copies, bestOrds[i][j], self[i])) {
          j++;
        }
      } else {
        j = K - 1;
      }
      kth[i] = best[i][j];
    }
    return new Truth(bestOrds, kth);
  }

  /** Inserts into arrays sorted by decreasing score, dropping the last. */
  private static void insert(float[] scores, int[] ords, float score, int ord) {
    int i = K - 1;
    while (i > 0 && scores[i - 1] < score) {
      scores[i] = scores[i - 1];
      ords[i] = ords[i - 1];
      i--;
    }
    scores[i] = score;
    ords[i] = ord;
  }
}
