package io.iqdb.internal;

import io.iqdb.codecs.IqdbVectorFormats;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DocAndFloatFeatureBuffer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.VectorScorer;

/**
 * Rescores the candidates of an approximate search against the full-precision vectors and keeps
 * the best {@code k}: the second step of a search on quantized HNSW, whose graph ranks by codes.
 *
 * <p>Lucene's {@code RescoreTopNQuery} does the same through a query rewrite (a weight, a scorer
 * and a doc values source per segment, a new score per candidate, then a second search of a query
 * built from the result); with 784 dimensions that path cost more time per query than the graph
 * search it followed. Here the candidates' own {@link ScoreDoc} objects take the new scores, and
 * each segment's candidates are scored in one bulk call on the raw vectors ({@link
 * VectorScorer#bulk}), which reads them where they are mapped instead of copying each to the heap.
 *
 * <p>Segments of iQDB's quantized HNSW format rescore their hits inside the codec (see {@code
 * DedupVectorsFormat}) and are skipped; this class serves the segments written before it, in
 * Lucene's own quantized HNSW format.
 */
final class FullPrecisionRescorer {

  /** Best score first; equal scores in doc id order, as Lucene's top docs are. */
  private static final Comparator<ScoreDoc> BY_SCORE =
      (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc);

  private FullPrecisionRescorer() {}

  /**
   * Whether some segment's hits on the field need rescoring: false when every segment's reader
   * scores them at full precision itself (the quantized HNSW of {@code DedupVectorsFormat}).
   *
   * @param searcher the searcher
   * @param field the vector field
   * @return true if {@link #rescore} has work to do
   */
  static boolean needed(IndexSearcher searcher, String field) {
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      if (needed(leaf, field)) {
        return true;
      }
    }
    return false;
  }

  private static boolean needed(LeafReaderContext leaf, String field) {
    return leaf.reader().getFieldInfos().fieldInfo(field) != null
        && IqdbVectorFormats.rescoresHits(leaf.reader(), field) == false;
  }

  /**
   * Replaces the candidates' scores with their full-precision scores and returns the best {@code
   * k} of them.
   *
   * @param searcher the searcher that found the candidates
   * @param field the vector field
   * @param query the query vector
   * @param candidates the candidates (reordered and rescored in place)
   * @param k how many to keep
   * @return at most {@code k} candidates, best first
   */
  static ScoreDoc[] rescore(IndexSearcher searcher, String field, float[] query, ScoreDoc[] candidates, int k)
      throws IOException {
    int n = candidates.length;
    if (n == 0) {
      return candidates;
    }
    Arrays.sort(candidates, (a, b) -> Integer.compare(a.doc, b.doc));
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    DocAndFloatFeatureBuffer buffer = new DocAndFloatFeatureBuffer();
    for (int start = 0; start < n; ) {
      LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(candidates[start].doc, leaves));
      int end = start;
      int leafEnd = leaf.docBase + leaf.reader().maxDoc();
      while (end < n && candidates[end].doc < leafEnd) {
        end++;
      }
      if (needed(leaf, field)) {
        scoreLeaf(leaf, field, query, candidates, start, end, buffer);
      }
      start = end;
    }
    Arrays.sort(candidates, BY_SCORE);
    return n <= k ? candidates : Arrays.copyOf(candidates, k);
  }

  /** Rescores {@code candidates[start, end)}, all documents of {@code leaf}, sorted by doc id. */
  private static void scoreLeaf(
      LeafReaderContext leaf, String field, float[] query, ScoreDoc[] candidates, int start, int end,
      DocAndFloatFeatureBuffer buffer) throws IOException {
    FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
    VectorScorer scorer = values == null ? null : values.rescorer(query);
    if (scorer == null) {
      // the approximate search found these documents through this field's vectors: cannot happen
      throw new IllegalStateException("no vectors for the candidates of segment " + leaf.ord);
    }
    VectorScorer.Bulk bulk = scorer.bulk(new CandidateIterator(candidates, start, end, leaf.docBase));
    int next = start;
    while (true) {
      bulk.nextDocsAndScores(DocIdSetIterator.NO_MORE_DOCS, null, buffer);
      if (buffer.size == 0) {
        break;
      }
      for (int i = 0; i < buffer.size; i++) {
        int doc = leaf.docBase + buffer.docs[i];
        // the bulk scorer visits the candidates in order and skips none (no live docs passed)
        while (candidates[next].doc != doc) {
          next++;
        }
        candidates[next++].score = buffer.features[i];
      }
    }
  }

  /** The candidates of one segment, as segment doc ids in increasing order. */
  private static final class CandidateIterator extends DocIdSetIterator {
    private final ScoreDoc[] candidates;
    private final int end;
    private final int docBase;
    private int index;
    private int doc = -1;

    CandidateIterator(ScoreDoc[] candidates, int start, int end, int docBase) {
      this.candidates = candidates;
      this.end = end;
      this.docBase = docBase;
      this.index = start - 1;
    }

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public int nextDoc() {
      index++;
      doc = index < end ? candidates[index].doc - docBase : NO_MORE_DOCS;
      return doc;
    }

    @Override
    public int advance(int target) {
      int d;
      while ((d = nextDoc()) < target) {
        // candidates are few: a linear walk is enough
      }
      return d;
    }

    @Override
    public long cost() {
      return end - index - 1;
    }
  }
}
