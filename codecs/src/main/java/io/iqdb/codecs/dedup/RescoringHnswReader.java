package io.iqdb.codecs.dedup;

import io.iqdb.codecs.flat.ExactScoringVectorValues;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorScorer;
import org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.DataAccessHint;
import org.apache.lucene.store.FileDataHint;
import org.apache.lucene.store.FileTypeHint;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * Reads Lucene's scalar-quantized HNSW files ({@code Lucene104HnswScalarQuantizedVectorsFormat},
 * the inner format of quantized dedup fields) with Lucene's own readers, and scores what a search
 * returns at full precision: the graph is searched on the codes for as many candidates as the
 * collector wants ({@link KnnCollector#k()}, which the caller sizes with its oversampling), then
 * every candidate is rescored against its raw float vector in one bulk call and handed to the
 * collector with that score. Exact search over the field ({@link FloatVectorValues#scorer}) scores
 * the raw vectors too. So a caller gets float scores from a quantized graph without a second pass.
 *
 * <p>The readers are built here rather than by Lucene's format so that this class holds the raw
 * vector reader: its {@link FlatVectorsReader#getRandomVectorScorer} scores ordinals in place in the
 * mapped file, where going through {@link FloatVectorValues#rescorer} would build the quantized
 * values object and copy each vector to the heap. Files, hints and the scorer are those of Lucene's
 * format.
 */
final class RescoringHnswReader extends KnnVectorsReader implements HnswGraphProvider {

  private static final Lucene104ScalarQuantizedVectorScorer SCORER =
      new Lucene104ScalarQuantizedVectorScorer(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());

  private final Lucene99HnswVectorsReader hnsw;
  private final FlatVectorsReader raw;
  private final FieldInfos fieldInfos;
  private final int maxDoc;

  private RescoringHnswReader(
      Lucene99HnswVectorsReader hnsw, FlatVectorsReader raw, FieldInfos fieldInfos, int maxDoc) {
    this.hnsw = hnsw;
    this.raw = raw;
    this.fieldInfos = fieldInfos;
    this.maxDoc = maxDoc;
  }

  /**
   * Opens the segment's files as {@code Lucene104HnswScalarQuantizedVectorsFormat#fieldsReader}
   * does.
   */
  static RescoringHnswReader open(SegmentReadState state) throws IOException {
    // (SegmentReadState.withHints is Lucene 10.6 only; the OpenSearch plugin builds on 10.5)
    SegmentReadState hinted =
        new SegmentReadState(
            state.directory, state.segmentInfo, state.fieldInfos,
            state.context.withHints(FileTypeHint.DATA, FileDataHint.KNN_VECTORS, DataAccessHint.RANDOM),
            state.segmentSuffix);
    FlatVectorsReader raw =
        new Lucene99FlatVectorsReader(
            hinted,
            FlatVectorScorerUtil.getLucene99FlatVectorsScorer());
    boolean success = false;
    try {
      // each reader owns and closes the one it wraps
      Lucene104ScalarQuantizedVectorsReader quantized =
          new Lucene104ScalarQuantizedVectorsReader(hinted, raw, SCORER);
      Lucene99HnswVectorsReader hnsw;
      try {
        hnsw = new Lucene99HnswVectorsReader(hinted, quantized);
      } catch (Throwable t) {
        IOUtils.closeWhileHandlingException(quantized);
        success = true; // the quantized reader closed the raw one
        throw t;
      }
      success = true;
      return new RescoringHnswReader(hnsw, raw, state.fieldInfos, state.segmentInfo.maxDoc());
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(raw);
      }
    }
  }

  @Override
  public void search(String field, float[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    long visitBudget = collector.visitLimit() - collector.visitedCount();
    Candidates candidates =
        new Candidates(
            collector.k(), (int) Math.min(Integer.MAX_VALUE, Math.max(0, visitBudget)), collector);
    hnsw.search(field, target, new StopsWithCaller(candidates, collector), acceptDocs);
    collector.incVisitedCount((int) Math.min(Integer.MAX_VALUE, candidates.visitedCount()));
    int n = candidates.numCollected();
    if (n == 0) {
      return;
    }
    int[] docs = new int[n];
    for (int i = n - 1; i >= 0; i--) { // the queue pops the worst first
      docs[i] = candidates.popDoc();
    }
    RandomVectorScorer scorer = raw.getRandomVectorScorer(field, target);
    int[] ords = scorer.maxOrd() == maxDoc ? docs : ordsOf(field, docs);
    float[] scores = new float[n];
    scorer.bulkScore(ords, scores, n);
    for (int i = 0; i < n; i++) {
      collector.collect(docs[i], scores[i]);
    }
  }

  /**
   * The raw vector ordinals of documents, looked up in doc id order: for a field that not every
   * document of the segment has (when every document has a vector, as in the dedup format's inner
   * segments of one field, whose documents are the distinct vectors, ordinals are doc ids and the
   * caller skips this).
   */
  private int[] ordsOf(String field, int[] docs) throws IOException {
    long[] byDoc = new long[docs.length]; // (doc, position) pairs sort by doc as longs
    for (int i = 0; i < docs.length; i++) {
      byDoc[i] = ((long) docs[i] << 32) | i;
    }
    Arrays.sort(byDoc);
    KnnVectorValues.DocIndexIterator it = raw.getFloatVectorValues(field).iterator();
    int[] ords = new int[docs.length];
    for (long key : byDoc) {
      it.advance((int) (key >>> 32));
      ords[(int) key] = it.index();
    }
    return ords;
  }

  /** The graph's candidates, on their quantized scores. */
  private static final class Candidates extends TopKnnCollector {
    Candidates(int k, int visitLimit, KnnCollector outer) {
      super(k, visitLimit, outer.getSearchStrategy());
    }

    int popDoc() {
      return queue.pop();
    }
  }

  @Override
  public FloatVectorValues getFloatVectorValues(String field) throws IOException {
    FloatVectorValues values = hnsw.getFloatVectorValues(field);
    return values == null ? null : new ExactScoringVectorValues(values);
  }

  @Override
  public ByteVectorValues getByteVectorValues(String field) throws IOException {
    return hnsw.getByteVectorValues(field);
  }

  @Override
  public void search(String field, byte[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    hnsw.search(field, target, collector, acceptDocs);
  }

  @Override
  public HnswGraph getGraph(String field) throws IOException {
    return hnsw.getGraph(field);
  }

  @Override
  public void checkIntegrity() throws IOException {
    hnsw.checkIntegrity();
  }

  @Override
  public Map<String, Long> getOffHeapByteSize(FieldInfo fieldInfo) {
    return hnsw.getOffHeapByteSize(fieldInfo);
  }

  @Override
  public void close() throws IOException {
    hnsw.close(); // closes the quantized reader, which closes the raw one
  }
}
