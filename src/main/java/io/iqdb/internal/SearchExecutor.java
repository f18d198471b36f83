package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.SearchRequest;
import io.iqdb.VectorRecord;
import io.iqdb.codecs.Calibrated;
import io.iqdb.codecs.dedup.TargetRecallStrategy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConjunctionUtils;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.HitQueue;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.QueryBuilder;

/** Runs searches and reads records on one point-in-time {@link IndexSearcher}. */
final class SearchExecutor {
  /** The default HNSW candidate count, {@code ef}. */
  static final int DEFAULT_EF = 100;

  private final CollectionConfig config;
  private final FilterCompiler filters;
  private final IndexFormats formats;

  SearchExecutor(CollectionConfig config, Schema schema, IndexFormats formats) {
    this.config = config;
    this.filters = new FilterCompiler(schema);
    this.formats = formats;
  }

  List<Hit> search(IndexSearcher searcher, SearchRequest request) throws IOException {
    return search(searcher, request, request.k());
  }

  /**
   * Runs a request for {@code k} hits instead of the request's own: a search merged with a tail asks
   * for more when the tail shadows some of the hits (see {@link TailSearch}).
   */
  List<Hit> search(IndexSearcher searcher, SearchRequest request, int k) throws IOException {
    float[] vector = request.vector();
    String text = request.text();
    if (vector != null) {
      Validation.checkVector(config, vector, "query");
    }
    Validation.checkText(text, "query");
    Query filter = filterQuery(request);
    if (text == null) {
      return toHits(searcher, vectorDocs(searcher, request, k, filter), request);
    }
    if (vector == null) {
      return toHits(searcher, textDocs(searcher, text, k, filter), request);
    }
    int depth = Math.max(k, request.fusionDepth() > 0 ? request.fusionDepth() : SearchRequest.DEFAULT_FUSION_DEPTH);
    ScoreDoc[] fused = fuse(
        k, vectorDocs(searcher, request, depth, filter), request.vectorWeight(),
        textDocs(searcher, text, depth, filter), request.textWeight());
    return toHits(searcher, fused, request);
  }

  /** The {@code k} nearest neighbours of the request's vector among the filter's documents. */
  private ScoreDoc[] vectorDocs(IndexSearcher searcher, SearchRequest request, int k, Query filter)
      throws IOException {
    IndexSpec index = config.index();
    if (request.exact()) {
      return exact(searcher, request.vector(), k, filter);
    }
    int candidates = k;
    if (formats.databaseRescores()) {
      float oversample =
          request.oversample() > 0 ? request.oversample() : IndexFormats.defaultHnswOversample(index.quantization());
      candidates = (int) Math.min(SearchRequest.MAX_K, Math.ceil(k * (double) oversample));
    }
    KnnSearchStrategy strategy = formats.searchStrategy(request);
    if (index instanceof IndexSpec.Hnsw) {
      if (request.ef() == 0 && allCalibrated(searcher)) {
        // each segment searches with the ef it calibrated for the target (TargetRecallStrategy)
        strategy = new TargetRecallStrategy(request.targetRecall(), k, Math.max(k, DEFAULT_EF));
      } else {
        candidates = Math.max(candidates, request.ef() > 0 ? request.ef() : Math.max(k, DEFAULT_EF));
      }
    }
    Query query =
        strategy == null
            ? new KnnFloatVectorQuery(Schema.VECTOR, request.vector(), candidates, filter)
            : new KnnFloatVectorQuery(Schema.VECTOR, request.vector(), candidates, filter, strategy);
    if (formats.databaseRescores() && FullPrecisionRescorer.needed(searcher, Schema.VECTOR)) {
      ScoreDoc[] found = searcher.search(query, candidates).scoreDocs;
      return FullPrecisionRescorer.rescore(searcher, Schema.VECTOR, request.vector(), found, k);
    }
    return searcher.search(query, k).scoreDocs;
  }

  /**
   * Whether every segment with vectors measured its recall curve ({@link Calibrated}). Segments of
   * iQDB 0.1 did not, and Lucene's HNSW reader would search them with the query's k as its ef: an
   * index holding any of them keeps the former default ef for all segments until they are merged.
   */
  static boolean allCalibrated(IndexSearcher searcher) {
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      if (ctx.reader().getFieldInfos().fieldInfo(Schema.VECTOR) != null
          && Calibrated.of(ctx.reader(), Schema.VECTOR) == null) {
        return false;
      }
    }
    return true;
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

  /** How often (in documents, minus one) {@link #exact} looks whether its search was cancelled. */
  private static final int CANCEL_CHECK_MASK = 1023;

  private static boolean cancelled(IndexSearcher searcher) {
    org.apache.lucene.index.QueryTimeout t = searcher.getTimeout();
    return t != null && t.shouldExit();
  }

  /**
   * Brute force over every live document matching the filter, scored against the full-precision
   * vectors whatever the index's quantization.
   */
  ScoreDoc[] exact(IndexSearcher searcher, float[] query, int k, Query filter) throws IOException {
    HitQueue queue = new HitQueue(k, false);
    Weight weight =
        filter == null
            ? null
            : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      FloatVectorValues values = ctx.reader().getFloatVectorValues(Schema.VECTOR);
      Scorer accepted = weight == null ? null : weight.scorer(ctx);
      if (values == null || (weight != null && accepted == null)) {
        continue;
      }
      VectorScorer scorer = values.rescorer(query);
      DocIdSetIterator docs =
          accepted == null
              ? scorer.iterator()
              : ConjunctionUtils.intersectIterators(List.of(scorer.iterator(), accepted.iterator()));
      Bits live = ctx.reader().getLiveDocs();
      int visited = 0;
      for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
        if (live == null || live.get(doc)) {
          queue.insertWithOverflow(new ScoreDoc(ctx.docBase + doc, scorer.score()));
        }
        // a cancelled search (see CollectionImpl#cancellable) stops; its partial result is dropped
        if ((++visited & CANCEL_CHECK_MASK) == 0 && cancelled(searcher)) {
          break;
        }
      }
      if (cancelled(searcher)) {
        break;
      }
    }
    ScoreDoc[] out = new ScoreDoc[queue.size()];
    for (int i = out.length - 1; i >= 0; i--) {
      out[i] = queue.pop();
    }
    return out;
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
