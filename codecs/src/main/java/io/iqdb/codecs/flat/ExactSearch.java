package io.iqdb.codecs.flat;

import java.io.IOException;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.NeighborQueue;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * Brute-force scoring loops shared by iQDB's formats. Ordinals are scored in blocks through {@link
 * RandomVectorScorer#bulkScore}, which Lucene's flat and quantized scorers implement with SIMD over
 * memory-mapped data; the visit count grows by one block at a time, so a visit limit is honoured to
 * within one block.
 */
public final class ExactSearch {

  /** Ordinals scored per {@link RandomVectorScorer#bulkScore} call. */
  public static final int BLOCK = 64;

  private ExactSearch() {}

  /**
   * Scores every accepted vector and offers it to the collector.
   *
   * @param scorer the scorer of the query against the field's vectors
   * @param collector receives doc ids and scores
   * @param acceptDocs accepted doc ids, or null for all
   * @throws IOException if reading the vectors fails
   */
  public static void search(RandomVectorScorer scorer, KnnCollector collector, Bits acceptDocs)
      throws IOException {
    Bits acceptOrds = scorer.getAcceptOrds(acceptDocs);
    int[] ords = new int[BLOCK];
    float[] scores = new float[BLOCK];
    int n = 0;
    int maxOrd = scorer.maxOrd();
    for (int ord = 0; ord < maxOrd; ord++) {
      if (acceptOrds != null && acceptOrds.get(ord) == false) {
        continue;
      }
      ords[n++] = ord;
      if (n == BLOCK) {
        if (collector.earlyTerminated()) {
          return;
        }
        collectBlock(scorer, collector, ords, scores, n);
        n = 0;
      }
    }
    if (n > 0 && collector.earlyTerminated() == false) {
      collectBlock(scorer, collector, ords, scores, n);
    }
  }

  private static void collectBlock(
      RandomVectorScorer scorer, KnnCollector collector, int[] ords, float[] scores, int n)
      throws IOException {
    collector.incVisitedCount(n);
    if (scorer.bulkScore(ords, scores, n) > collector.minCompetitiveSimilarity()) {
      for (int i = 0; i < n; i++) {
        collector.collect(scorer.ordToDoc(ords[i]), scores[i]);
      }
    }
  }

  /**
   * Scores every accepted vector with an approximate scorer and keeps the best ordinals.
   *
   * @param scorer the approximate (quantized) scorer
   * @param collector only used for its visit count and limit
   * @param acceptDocs accepted doc ids, or null for all
   * @param candidates how many ordinals to keep
   * @return the best ordinals, a min-heap by approximate score
   * @throws IOException if reading the vectors fails
   */
  public static NeighborQueue candidates(
      RandomVectorScorer scorer, KnnCollector collector, Bits acceptDocs, int candidates)
      throws IOException {
    NeighborQueue best = new NeighborQueue(candidates, false);
    Bits acceptOrds = scorer.getAcceptOrds(acceptDocs);
    int[] ords = new int[BLOCK];
    float[] scores = new float[BLOCK];
    int n = 0;
    int maxOrd = scorer.maxOrd();
    for (int ord = 0; ord <= maxOrd; ord++) {
      if (ord < maxOrd) {
        if (acceptOrds != null && acceptOrds.get(ord) == false) {
          continue;
        }
        ords[n++] = ord;
        if (n < BLOCK) {
          continue;
        }
      }
      if (n == 0 || collector.earlyTerminated()) {
        break;
      }
      collector.incVisitedCount(n);
      scorer.bulkScore(ords, scores, n);
      for (int i = 0; i < n; i++) {
        if (best.size() < candidates) {
          best.add(ords[i], scores[i]);
        } else {
          best.insertWithOverflow(ords[i], scores[i]);
        }
      }
      n = 0;
    }
    return best;
  }

  /**
   * Rescores candidate ordinals against the full-precision vectors and offers them to the
   * collector.
   *
   * @param candidates ordinals to rescore (emptied by this call)
   * @param vectors the full-precision vectors
   * @param similarity the field's similarity
   * @param target the query
   * @param collector receives doc ids and exact scores
   * @throws IOException if reading the vectors fails
   */
  public static void rescore(
      NeighborQueue candidates,
      FloatVectorValues vectors,
      VectorSimilarityFunction similarity,
      float[] target,
      KnnCollector collector)
      throws IOException {
    while (candidates.size() > 0) {
      int ord = candidates.pop();
      float score = similarity.compare(target, vectors.vectorValue(ord));
      collector.collect(vectors.ordToDoc(ord), score);
    }
  }
}
