package io.iqdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iqdb.IndexSpec;
import io.iqdb.SearchExplanation.KnobSource;
import io.iqdb.SearchExplanation.Plan;
import java.io.IOException;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * {@link PlannedKnnQuery}'s exact scoring, both where the planner chooses it and where Lucene's own
 * rule does, stops once the searcher's {@link QueryTimeout} says so (the async API's cancelled
 * search), as Lucene's own exact search does. Checked on the rewritten query, whose hits are fixed
 * during the rewrite (the later collection would stop on the timeout whatever the rewrite did).
 */
class PlannedKnnQueryTimeoutTest {
  private static final int DIM = 8;
  private static final int DOCS = 2_000;

  @Test
  void exactScoringStopsOnTheTimeout() throws IOException {
    Random r = new Random(5);
    try (Directory dir = new ByteBuffersDirectory()) {
      try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
        for (int i = 0; i < DOCS; i++) {
          Document d = new Document();
          d.add(new KnnFloatVectorField(Schema.VECTOR, vector(r), VectorSimilarityFunction.EUCLIDEAN));
          // "few": 5 records, at most the hits wanted (Lucene's rule); "some": 40 (the planner's)
          d.add(new StringField("g", i < 5 ? "few" : i < 45 ? "some" : "rest", Field.Store.NO));
          w.addDocument(d);
        }
        w.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        float[] target = vector(r);
        // Lucene's rule: the filter matches no more documents than the hits wanted
        assertHits(reader, query(target, "few", false), 5);
        // the planner's choice: 40 matches among 2,000 vectors are cheaper to score exactly
        assertHits(reader, query(target, "some", true), 10);
      }
    }
  }

  /** {@code query} finds {@code expected} hits, and none when the timeout has fired. */
  private static void assertHits(DirectoryReader reader, Query query, int expected) throws IOException {
    assertEquals(expected, hitsOfRewrite(reader, query, () -> false));
    assertEquals(0, hitsOfRewrite(reader, query, () -> true), "exact scoring ignored the timeout");
  }

  private static int hitsOfRewrite(DirectoryReader reader, Query query, QueryTimeout timeout) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    searcher.setTimeout(timeout);
    Query rewritten = searcher.rewrite(query);
    return new IndexSearcher(reader).count(rewritten);
  }

  private static Query query(float[] target, String group, boolean plan) {
    return new PlannedKnnQuery(
        Schema.VECTOR, target, 10, new TermQuery(new Term("g", group)), null,
        new SearchPlanner(IndexSpec.hnsw(), DIM), plan, Plan.HNSW, 10, 0, KnobSource.DEFAULT, null, 0.95, false, null);
  }

  private static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = r.nextFloat();
    }
    return v;
  }
}
