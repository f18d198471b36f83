package io.iqdb.codecs.ivf;

import io.iqdb.codecs.Oversampling;
import io.iqdb.codecs.RecallCalibrator;
import io.iqdb.codecs.flat.ExactSearch;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.NumericUtils;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.NeighborQueue;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * One IVF query on one segment: rank the lists by centroid, scan the nearest {@code probes} lists
 * (more, nearest first, while fewer vectors were accepted than {@code sqrt(accepted share)} times
 * what those lists hold, or than the candidates wanted, or, with a filter or deletions, while the
 * next centroid is nearer the query than the k-th result so far, with a margin: see {@link
 * IvfSearchStrategy}),
 * score codes, rescore the best candidates exactly.
 */
final class IvfSearch {

  /**
   * Under a filter, lists are scanned on while their centroid's key (a squared distance) is below
   * the k-th result's by this share of it: a list's members lie around its centroid, and a filter
   * that avoids the query's neighbourhood leaves its matches at the lists' far edges. On real text
   * (60,000 sentence embeddings, float lists) with anti-correlated filters at 5-50%, 0.15 raised
   * recall@10 from 0.937-0.963 to 0.966-0.985 at 1.0-2.1x the time, still 1.7-5x faster than exact
   * scoring at 10-50%; random filters from 0.971-0.987 to 0.979-0.998. 0.3 reached 0.985-0.994 at
   * 1.0-3.5x the time, at 20% near exact scoring's cost (2026-12-07).
   */
  static final float KTH_MARGIN = 0.15f;

  private final IvfVectorsReader.FieldEntry entry;
  private final IndexInput in;
  private final RandomVectorScorer exact;
  private final Bits acceptOrds;
  private final float acceptedShare;
  private final KnnCollector collector;
  private final float[] query;
  private final boolean innerProduct;
  // Buffers of the list scans, reused across the lists of a query (grown as larger lists are
  // probed, up to the segment's largest); per-vector terms are read in place through a random
  // access view of the same file: arrays per list were most of what a quantized query allocated.
  private int[] ords = new int[ExactSearch.BLOCK];
  private RandomAccessInput terms;
  private byte[] code;
  private final int[] block = new int[ExactSearch.BLOCK];
  private final float[] scores = new float[ExactSearch.BLOCK];

  IvfSearch(
      IvfVectorsReader.FieldEntry entry,
      IndexInput in,
      RandomVectorScorer exact,
      Bits acceptOrds,
      float acceptedShare,
      KnnCollector collector,
      float[] target) {
    this.entry = entry;
    this.in = in;
    this.exact = exact;
    this.acceptOrds = acceptOrds;
    this.acceptedShare = acceptedShare;
    this.collector = collector;
    this.innerProduct = IvfVectorsFormat.innerProduct(entry.similarity());
    this.query =
        entry.similarity() == VectorSimilarityFunction.COSINE
            ? VectorUtil.l2normalize(target.clone(), false)
            : target;
  }

  /**
   * The default number of probed lists: enough for recall@10 of about 0.95 on clustered data.
   *
   * @param numLists the segment's list count
   * @return probes
   */
  static int defaultProbes(int numLists) {
    // the share of lists needed for a given recall shrinks as lists get more numerous
    return Math.min(numLists, Math.max(4, (int) Math.ceil(0.5 * Math.sqrt(numLists))));
  }

  /**
   * The lists to probe: the strategy's count; else the segment's calibrated count for the
   * strategy's target recall, scaled by {@code sqrt(k / 10)} above k = 10; else the default.
   */
  static int probes(IvfSearchStrategy strategy, IvfVectorsReader.FieldEntry entry, int k) {
    int numLists = entry.centroids().length;
    if (strategy != null && strategy.probes() > 0) {
      return strategy.probes();
    }
    if (strategy != null && strategy.targetRecall() > 0 && entry.curve() != null) {
      int probes = entry.curve().parameterFor(strategy.targetRecall());
      if (k > RecallCalibrator.K) {
        probes = (int) Math.ceil(probes * Math.sqrt(k / (double) RecallCalibrator.K));
      }
      return Math.min(numLists, probes);
    }
    int probes = defaultProbes(numLists);
    if (entry.similarity() == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT) {
      // a centroid's inner product ranks lists less faithfully than a distance does
      probes = Math.min(numLists, 2 * probes);
    }
    return probes;
  }

  void run() throws IOException {
    int numLists = entry.centroids().length;
    long[] ranked = rankLists();
    IvfSearchStrategy strategy = IvfSearchStrategy.of(collector.getSearchStrategy());
    int k = collector.k();
    int probes = probes(strategy, entry, k);
    ResidualCodec codec = entry.codec();
    NeighborQueue candidates = null;
    // codes under a filter: the k best estimates, whose k-th bounds the widening
    NeighborQueue nearest = null;
    ResidualCodec.Query codedQuery = null;
    int capacity = k;
    if (codec != null) {
      float oversample =
          strategy != null && strategy.oversample() > 0
              ? strategy.oversample()
              : Oversampling.ivf(entry.bits());
      capacity = (int) Math.max(k, Math.min(entry.size(), Math.ceil(k * oversample)));
      candidates = new NeighborQueue(capacity, false);
      nearest = acceptOrds == null ? null : new NeighborQueue(k, false);
      codedQuery = codec.new Query();
    }
    // With a filter or deletions, keep scanning until sqrt(share of accepted vectors) times what
    // the probed lists hold was accepted: a filter's nearest matches lie further out than the
    // nearest vectors. On Fashion-MNIST with a 10% filter this keeps recall@10 at 0.999 (1.0
    // scanning as many accepted vectors as the lists hold, at half the speed; 0.975 without
    // widening). Then, with a filter or deletions, scan on while the next list's centroid is nearer
    // the query than the k-th result so far (with a margin, KTH_MARGIN): the lists near the query may hold few of the filter's
    // matches (a filter anti-correlated with the query's neighbourhood), and a list whose centroid
    // is that near likely holds nearer matches. On real text with filters matching the far end of
    // a direction this raised recall@10 from 0.943-0.962 to 0.960-0.984 at 0-15% more time; on
    // clustered synthetic data from 0.21-0.49 to 0.79-0.85 (random 2%: 0.85 to 0.97). Segments
    // with deletions and no filter scan on too (accepted docs do not tell the two apart).
    long scanned = 0;
    for (int p = 0; p < Math.min(probes, numLists); p++) {
      scanned += entry.listSizes()[list(ranked[p])];
    }
    long target = Math.max(capacity, (long) Math.ceil(scanned * Math.sqrt(acceptedShare)));
    long accepted = 0;
    for (int p = 0; p < numLists; p++) {
      if (collector.earlyTerminated()
          || (p >= probes
              && accepted >= target
              && (acceptOrds == null || nearerThanKth(key(ranked[p]), nearest) == false))) {
        break;
      }
      int list = list(ranked[p]);
      if (entry.listSizes()[list] == 0) {
        continue;
      }
      if (codec == null) {
        accepted += scanExact(list);
      } else {
        accepted += scanCodes(list, codec, codedQuery, candidates, nearest);
      }
    }
    if (candidates != null) {
      rescore(candidates);
    }
  }

  /**
   * For calibration: what {@link #run()} would return, with no accept docs, the default
   * oversampling and each probe count of {@code grid}, from one scan. The scan goes list by list
   * as {@code run()} does; after the lists of a probe count (and at least the candidates wanted,
   * as {@code run()} widens), the candidates so far are rescored as {@code run()} rescores them.
   *
   * @param grid increasing probe counts
   * @param k the results per probe count
   * @param results receives, per probe count, the ordinals {@code run()} would collect (any
   *     order), until it declines more
   */
  void calibrationRun(int[] grid, int k, RecallCalibrator.Results results) throws IOException {
    int numLists = entry.centroids().length;
    long[] ranked = rankLists();
    ResidualCodec codec = entry.codec();
    int capacity = k;
    ResidualCodec.Query codedQuery = null;
    if (codec != null) {
      float oversample = Oversampling.ivf(entry.bits());
      capacity = (int) Math.max(k, Math.min(entry.size(), Math.ceil(k * oversample)));
      codedQuery = codec.new Query();
    }
    // codes: the best estimates so far; float lists: the best exact scores so far
    NeighborQueue best = new NeighborQueue(capacity, false);
    int g = 0;
    long accepted = 0;
    for (int p = 0; p < numLists && g < grid.length; p++) {
      int list = list(ranked[p]);
      if (entry.listSizes()[list] > 0) {
        accepted +=
            codec == null
                ? scanExactInto(list, best)
                : scanCodes(list, codec, codedQuery, best, null);
      }
      while (g < grid.length && ((p + 1 >= grid[g] && accepted >= capacity) || p == numLists - 1)) {
        int[] found =
            codec == null
                ? Arrays.copyOf(best.nodes(), best.size())
                : rescoredBest(best, k);
        if (results.accept(g++, found) == false) {
          return;
        }
      }
    }
  }

  /** The best {@code k} of the candidates by exact score, leaving the candidates as they are. */
  private int[] rescoredBest(NeighborQueue candidates, int k) throws IOException {
    int[] ords = Arrays.copyOf(candidates.nodes(), candidates.size());
    float[] scores = new float[ords.length];
    exact.bulkScore(ords, scores, ords.length);
    NeighborQueue top = new NeighborQueue(k, false);
    for (int i = 0; i < ords.length; i++) {
      top.insertWithOverflow(ords[i], scores[i]);
    }
    return Arrays.copyOf(top.nodes(), top.size());
  }

  /**
   * Scores a list's vectors exactly into a queue bounded by its initial size; returns how many
   * were scanned.
   */
  private int scanExactInto(int list, NeighborQueue best) throws IOException {
    int n = entry.listSizes()[list];
    int[] listOrds = readOrds(list);
    float[] scores = new float[n];
    exact.bulkScore(listOrds, scores, n);
    for (int i = 0; i < n; i++) {
      best.insertWithOverflow(listOrds[i], scores[i]);
    }
    return n;
  }

  /**
   * Whether a list whose centroid has rank key {@code key} is nearer the query than the k-th
   * result so far: the collector's, or for codes the k-th best estimate in {@code nearest}.
   */
  private boolean nearerThanKth(float key, NeighborQueue nearest) {
    if (nearest == null) {
      float kth = collector.minCompetitiveSimilarity();
      return kth == Float.NEGATIVE_INFINITY || key < widened(scoreKey(kth));
    }
    return nearest.size() < collector.k() || key < widened(estimateKey(nearest.topScore()));
  }

  /** The k-th result's key, {@link #KTH_MARGIN} of its size farther. */
  private static float widened(float kthKey) {
    return kthKey + KTH_MARGIN * Math.abs(kthKey);
  }

  /**
   * A score as a key on the scale of {@link #rankLists()}: the squared distance between the query
   * and a vector of that score, or minus their inner product.
   */
  private float scoreKey(float score) {
    return switch (entry.similarity()) {
      case EUCLIDEAN -> 1 / score - 1;
      // unit vectors: score = (1 + cos) / 2 and squared distance = 2 - 2 cos
      case COSINE, DOT_PRODUCT -> 4 - 4 * score;
      case MAXIMUM_INNER_PRODUCT -> score < 1 ? 1 / score - 1 : 1 - score;
    };
  }

  /**
   * A code's estimate (minus the squared distance, or the inner product: {@link
   * ResidualCodec.Query}) as a key on the scale of {@link #rankLists()}.
   */
  private float estimateKey(float estimate) {
    return switch (entry.similarity()) {
      case EUCLIDEAN, MAXIMUM_INNER_PRODUCT -> -estimate;
      case COSINE, DOT_PRODUCT -> 2 - 2 * estimate;
    };
  }

  /** The list of a {@link #rankLists()} entry. */
  private static int list(long ranked) {
    return (int) ranked;
  }

  /** The rank key of a {@link #rankLists()} entry: squared distance, or minus inner product. */
  private static float key(long ranked) {
    return NumericUtils.sortableIntToFloat((int) (ranked >>> 32));
  }

  /**
   * The lists, nearest centroid first, each as its rank key (squared distance to the query, or
   * minus the inner product) in the high 32 bits, sortable, and its number in the low 32.
   */
  private long[] rankLists() {
    float[][] centroids = entry.centroids();
    long[] keys = new long[centroids.length];
    boolean byDot = entry.similarity() == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    for (int j = 0; j < centroids.length; j++) {
      float distance =
          byDot
              ? -VectorUtil.dotProduct(query, centroids[j])
              : VectorUtil.squareDistance(query, centroids[j]);
      keys[j] = ((long) NumericUtils.floatToSortableInt(distance) << 32) | j;
    }
    Arrays.sort(keys);
    return keys;
  }

  private int maxListSize() {
    int max = 0;
    for (int size : entry.listSizes()) {
      max = Math.max(max, size);
    }
    return max;
  }

  private int[] readOrds(int list) throws IOException {
    int n = entry.listSizes()[list];
    if (ords.length < n) {
      ords = new int[Math.max(n, Math.min(ords.length * 2, maxListSize()))];
    }
    in.seek(entry.listOffsets()[list]);
    in.readInts(ords, 0, n);
    for (int i = 0; i < n; i++) {
      if (ords[i] < 0 || ords[i] >= entry.size()) {
        throw new CorruptIndexException(
            "invalid ordinal " + ords[i] + " in list " + list + " of " + entry.size(), in);
      }
    }
    return ords;
  }

  /**
   * Scores a list's accepted vectors at full precision, stopping at the collector's visit limit;
   * returns how many were accepted.
   */
  private int scanExact(int list) throws IOException {
    int n = entry.listSizes()[list];
    int[] listOrds = readOrds(list);
    long budget = collector.visitLimit() - collector.visitedCount();
    int accepted = 0;
    int i = 0;
    while (i < n && accepted < budget) {
      int room = (int) Math.min(block.length, budget - accepted);
      int b = 0;
      while (i < n && b < room) {
        int ord = listOrds[i++];
        if (acceptOrds == null || acceptOrds.get(ord)) {
          block[b++] = ord;
        }
      }
      if (b == 0) {
        break;
      }
      accepted += b;
      collector.incVisitedCount(b);
      if (exact.bulkScore(block, scores, b) > collector.minCompetitiveSimilarity()) {
        for (int j = 0; j < b; j++) {
          collector.collect(exact.ordToDoc(block[j]), scores[j]);
        }
      }
    }
    return accepted;
  }

  /**
   * Estimates a list's accepted vectors from their codes into a queue bounded by its initial size,
   * stopping at the collector's visit limit; returns how many were accepted.
   */
  private int scanCodes(
      int list,
      ResidualCodec codec,
      ResidualCodec.Query codedQuery,
      NeighborQueue candidates,
      NeighborQueue nearest)
      throws IOException {
    int n = entry.listSizes()[list];
    int[] listOrds = readOrds(list);
    // the per-vector terms (four columns of n values after the ords) are read in place
    long lowerStart = in.getFilePointer();
    long upperStart = lowerStart + 4L * n;
    long correctionStart = upperStart + 4L * n;
    long sumStart = correctionStart + 4L * n;
    long codesStart = sumStart + 4L * n;
    in.seek(codesStart);
    float[] centroid = entry.centroids()[list];
    codedQuery.prepare(query, centroid, innerProduct ? VectorUtil.dotProduct(query, centroid) : 0f);
    if (code == null) {
      code = new byte[codec.codeBytes];
      terms = in.randomAccessSlice(0, in.length());
    }
    long budget = collector.visitLimit() - collector.visitedCount();
    int accepted = 0;
    boolean sequential = true;
    for (int i = 0; i < n && accepted < budget; i++) {
      int ord = listOrds[i];
      if (acceptOrds != null && acceptOrds.get(ord) == false) {
        sequential = false;
        continue;
      }
      if (sequential == false) {
        in.seek(codesStart + (long) i * codec.codeBytes);
        sequential = true;
      }
      in.readBytes(code, 0, code.length);
      accepted++;
      float estimate =
          codedQuery.estimate(
              code,
              Float.intBitsToFloat(terms.readInt(lowerStart + 4L * i)),
              Float.intBitsToFloat(terms.readInt(upperStart + 4L * i)),
              Float.intBitsToFloat(terms.readInt(correctionStart + 4L * i)),
              terms.readInt(sumStart + 4L * i),
              innerProduct);
      // (adds while the queue holds fewer than its initial size)
      candidates.insertWithOverflow(ord, estimate);
      if (nearest != null) {
        nearest.insertWithOverflow(ord, estimate);
      }
    }
    collector.incVisitedCount(accepted);
    return accepted;
  }

  private void rescore(NeighborQueue candidates) throws IOException {
    while (candidates.size() > 0) {
      int b = 0;
      while (b < block.length && candidates.size() > 0) {
        block[b++] = candidates.pop();
      }
      exact.bulkScore(block, scores, b);
      for (int j = 0; j < b; j++) {
        collector.collect(exact.ordToDoc(block[j]), scores[j]);
      }
    }
  }
}
