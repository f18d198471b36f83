package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.util.Bits;

/** Runs searches and reads records on one point-in-time {@link IndexSearcher}. */
final class SearchExecutor {
  /** The default HNSW candidate count, {@code ef}. */
  static final int DEFAULT_EF = 100;

  private final CollectionConfig config;
  private final VectorSimilarityFunction similarity;
  private final FilterCompiler filters;
  private final IndexFormats formats;

  SearchExecutor(CollectionConfig config, Schema schema, IndexFormats formats) {
    this.config = config;
    this.similarity = IndexFormats.similarity(config.metric());
    this.filters = new FilterCompiler(schema);
    this.formats = formats;
  }

  List<Hit> search(IndexSearcher searcher, SearchRequest request) throws IOException {
    Validation.checkVector(config, request.vector(), "query");
    Query filter = filterQuery(request);
    int k = request.k();
    IndexSpec index = config.index();
    if (request.exact()) {
      return toHits(searcher, exact(searcher, request.vector(), k, filter), request);
    }
    int candidates = k;
    if (formats.databaseRescores()) {
      float oversample =
          request.oversample() > 0 ? request.oversample() : IndexFormats.defaultHnswOversample(index.quantization());
      candidates = (int) Math.min(SearchRequest.MAX_K, Math.ceil(k * (double) oversample));
    }
    if (index instanceof IndexSpec.Hnsw) {
      candidates = Math.max(candidates, request.ef() > 0 ? request.ef() : Math.max(k, DEFAULT_EF));
    }
    KnnSearchStrategy strategy = formats.searchStrategy(request);
    Query knn =
        strategy == null
            ? new KnnFloatVectorQuery(Schema.VECTOR, request.vector(), candidates, filter)
            : new KnnFloatVectorQuery(Schema.VECTOR, request.vector(), candidates, filter, strategy);
    TopDocs top = searcher.search(knn, candidates);
    ScoreDoc[] docs = top.scoreDocs;
    if (formats.databaseRescores()) {
      docs = rescore(searcher, request.vector(), docs);
    }
    if (docs.length > k) {
      docs = Arrays.copyOf(docs, k);
    }
    return toHits(searcher, docs, request);
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

  /** Exact scores of the candidates against full-precision vectors, best first. */
  private ScoreDoc[] rescore(IndexSearcher searcher, float[] query, ScoreDoc[] docs) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    ScoreDoc[] out = new ScoreDoc[docs.length];
    for (int i = 0; i < docs.length; i++) {
      LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docs[i].doc, leaves));
      float[] v = RecordFields.vector(leaf.reader(), docs[i].doc - leaf.docBase);
      out[i] = new ScoreDoc(docs[i].doc, similarity.compare(query, v));
    }
    Arrays.sort(out, BEST_FIRST);
    return out;
  }

  private static final Comparator<ScoreDoc> BEST_FIRST =
      Comparator.<ScoreDoc>comparingDouble(d -> -d.score).thenComparingInt(d -> d.doc);

  /** Brute force over every live document matching the filter. */
  ScoreDoc[] exact(IndexSearcher searcher, float[] query, int k, Query filter) throws IOException {
    PriorityQueue<ScoreDoc> heap = new PriorityQueue<>(k + 1, BEST_FIRST.reversed());
    Weight weight =
        filter == null
            ? null
            : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      LeafReader reader = ctx.reader();
      FloatVectorValues values = reader.getFloatVectorValues(Schema.VECTOR);
      if (values == null) {
        continue;
      }
      Bits live = reader.getLiveDocs();
      KnnVectorValues.DocIndexIterator it = values.iterator();
      DocIdSetIterator accepted = null;
      if (weight != null) {
        Scorer scorer = weight.scorer(ctx);
        if (scorer == null) {
          continue;
        }
        accepted = scorer.iterator();
      }
      for (int doc = accepted == null ? it.nextDoc() : accepted.nextDoc();
          doc != DocIdSetIterator.NO_MORE_DOCS;
          doc = accepted == null ? it.nextDoc() : accepted.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        if (accepted != null && (it.docID() > doc || (it.docID() < doc && it.advance(doc) != doc))) {
          continue;
        }
        float score = similarity.compare(query, values.vectorValue(it.index()));
        ScoreDoc sd = new ScoreDoc(ctx.docBase + doc, score);
        if (heap.size() < k) {
          heap.add(sd);
        } else if (BEST_FIRST.compare(sd, heap.peek()) < 0) {
          heap.poll();
          heap.add(sd);
        }
      }
    }
    ScoreDoc[] out = heap.toArray(new ScoreDoc[0]);
    Arrays.sort(out, BEST_FIRST);
    return out;
  }

  private List<Hit> toHits(IndexSearcher searcher, ScoreDoc[] docs, SearchRequest request) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    List<Hit> hits = new ArrayList<>(docs.length);
    for (ScoreDoc sd : docs) {
      LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
      LeafReader reader = leaf.reader();
      int doc = sd.doc - leaf.docBase;
      hits.add(new Hit(
          RecordFields.id(reader, doc),
          sd.score,
          request.includePayload() ? RecordFields.payload(reader, doc) : Payload.empty(),
          request.includeVectors() ? RecordFields.vector(reader, doc) : null));
    }
    return hits;
  }

  /** Reads one record by id, or {@code null}. */
  static VectorRecord get(IndexSearcher searcher, String id) throws IOException {
    Weight w = searcher.createWeight(new TermQuery(new Term(Schema.ID, id)), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      Scorer s = w.scorer(ctx);
      if (s == null) {
        continue;
      }
      Bits live = ctx.reader().getLiveDocs();
      DocIdSetIterator it = s.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live == null || live.get(doc)) {
          return new VectorRecord(id, RecordFields.vector(ctx.reader(), doc), RecordFields.payload(ctx.reader(), doc));
        }
      }
    }
    return null;
  }
}
