package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Payload;
import io.iqdb.Quantization;
import io.iqdb.SearchRequest;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
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
import org.apache.lucene.util.BytesRef;

/** Runs searches and reads records on one point-in-time {@link IndexSearcher}. */
final class SearchExecutor {
  /** The default HNSW candidate count, {@code ef}. */
  static final int DEFAULT_EF = 100;

  private static final Set<String> ID_AND_PAYLOAD = Set.of(Schema.ID, Schema.PAYLOAD);
  private static final Set<String> ID_ONLY = Set.of(Schema.ID);

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
    if (request.exact() || index instanceof IndexSpec.Flat && formats.flatSearchIsExactHere()) {
      return toHits(searcher, exact(searcher, request.vector(), k, filter), request);
    }
    Quantization q = index.quantization();
    float oversample = request.oversample() > 0 ? request.oversample() : IndexFormats.defaultOversample(q);
    int candidates = (int) Math.min(SearchRequest.MAX_K, Math.ceil(k * (double) oversample));
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
    if (q != Quantization.NONE && !formats.rescoresInternally(index)) {
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
      float[] v = vectorOf(leaf.reader(), docs[i].doc - leaf.docBase);
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
    StoredFields stored = searcher.storedFields();
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    List<Hit> hits = new ArrayList<>(docs.length);
    for (ScoreDoc sd : docs) {
      Document d = stored.document(sd.doc, request.includePayload() ? ID_AND_PAYLOAD : ID_ONLY);
      Payload payload = request.includePayload() ? payloadOf(d) : Payload.empty();
      float[] vector = null;
      if (request.includeVectors()) {
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
        vector = vectorOf(leaf.reader(), sd.doc - leaf.docBase);
      }
      hits.add(new Hit(d.get(Schema.ID), sd.score, payload, vector));
    }
    return hits;
  }

  static Payload payloadOf(Document d) {
    BytesRef b = d.getBinaryValue(Schema.PAYLOAD);
    return b == null ? Payload.empty() : PayloadCodec.decode(b.bytes, b.offset, b.length);
  }

  /** The full-precision vector of a document, copied. */
  static float[] vectorOf(LeafReader reader, int doc) throws IOException {
    FloatVectorValues values = reader.getFloatVectorValues(Schema.VECTOR);
    KnnVectorValues.DocIndexIterator it = values.iterator();
    if (it.advance(doc) != doc) {
      throw new IllegalStateException("document " + doc + " has no vector");
    }
    return values.vectorValue(it.index()).clone();
  }

  /** Reads one record by id, or {@code null}. */
  static VectorRecord get(IndexSearcher searcher, String id) throws IOException {
    Term term = new Term(Schema.ID, id);
    for (LeafReaderContext ctx : searcher.getIndexReader().leaves()) {
      Weight w = searcher.createWeight(new TermQuery(term), ScoreMode.COMPLETE_NO_SCORES, 1f);
      Scorer s = w.scorer(ctx);
      if (s == null) {
        continue;
      }
      Bits live = ctx.reader().getLiveDocs();
      DocIdSetIterator it = s.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live == null || live.get(doc)) {
          Document d = ctx.reader().storedFields().document(doc, Set.of(Schema.PAYLOAD));
          return new VectorRecord(id, vectorOf(ctx.reader(), doc), payloadOf(d));
        }
      }
    }
    return null;
  }
}
