package io.iqdb.codecs.dedup;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.io.IOException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Quantized HNSW through the dedup format returns full-precision scores: from the graph, from
 * exact search under a restrictive filter, with duplicates (a mapped segment), with documents
 * without a vector (ordinals differ from doc ids), and after a merge.
 */
public class TestRescoringHnswReader extends LuceneTestCase {

  private static final int DIM = 32;
  private static final VectorSimilarityFunction SIM = VectorSimilarityFunction.EUCLIDEAN;

  public void testScoresAreFullPrecision() throws IOException {
    int bits = random().nextBoolean() ? 4 : 8;
    int n = 800 + random().nextInt(400);
    float[][] vectors = new float[n][];
    try (Directory dir = newDirectory()) {
      // documents keep their order through the merge, so a global doc id is the vector's index
      IndexWriterConfig iwc =
          new IndexWriterConfig()
              .setCodec(new IqdbCodec(f -> IqdbVectorFormats.hnsw(16, 100, bits)))
              .setMergePolicy(new LogDocMergePolicy());
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (int i = 0; i < n; i++) {
          Document doc = new Document();
          doc.add(new StringField("id", Integer.toString(i), Field.Store.NO));
          doc.add(new StringField("tag", i % 97 == 0 ? "rare" : "common", Field.Store.NO));
          if (i % 13 == 5) {
            // no vector: the segment's vector ordinals are not its doc ids
          } else {
            // every tenth document repeats an earlier vector: segments need a mapping
            vectors[i] = i % 10 == 9 && vectors[i - 3] != null ? vectors[i - 3] : randomVector();
            doc.add(new KnnFloatVectorField("v", vectors[i], SIM));
          }
          w.addDocument(doc);
          if (i == n / 2) {
            w.commit(); // two segments
          }
        }
        w.commit();
        try (DirectoryReader reader = DirectoryReader.open(w)) {
          checkScores(reader, vectors);
        }
        w.forceMerge(1);
        try (DirectoryReader reader = DirectoryReader.open(w)) {
          assertEquals(1, reader.leaves().size());
          checkScores(reader, vectors);
        }
      }
    }
  }

  private void checkScores(DirectoryReader reader, float[][] vectors) throws IOException {
    IndexSearcher searcher = newSearcher(reader, false);
    for (int q = 0; q < 20; q++) {
      float[] query = randomVector();
      // 30 candidates from the graph, then 20 under a filter of at most 13 documents (exact search)
      assertFullPrecision(vectors, query, searcher.search(new KnnFloatVectorQuery("v", query, 30), 30).scoreDocs);
      Query rare = new TermQuery(new Term("tag", "rare"));
      ScoreDoc[] filtered = searcher.search(new KnnFloatVectorQuery("v", query, 20, rare), 20).scoreDocs;
      assertTrue(filtered.length > 0);
      assertFullPrecision(vectors, query, filtered);
    }
    for (LeafReaderContext leaf : reader.leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues("v");
      float[] query = randomVector();
      VectorScorer scorer = values.scorer(query);
      DocIdSetIterator it = scorer.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        assertEquals(SIM.compare(query, vectors[leaf.docBase + doc]), scorer.score(), 1e-6f);
      }
    }
  }

  private static void assertFullPrecision(float[][] vectors, float[] query, ScoreDoc[] hits) {
    for (ScoreDoc hit : hits) {
      float[] vector = vectors[hit.doc];
      assertNotNull("a hit without a vector: " + hit.doc, vector);
      assertEquals("score of doc " + hit.doc, SIM.compare(query, vector), hit.score, 1e-6f);
    }
  }

  private static float[] randomVector() {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random().nextFloat() * 2 - 1;
    }
    return v;
  }
}
