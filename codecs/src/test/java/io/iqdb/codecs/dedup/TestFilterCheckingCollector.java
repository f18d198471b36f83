package io.iqdb.codecs.dedup;

import io.iqdb.codecs.FilterCheckingCollector;
import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.io.IOException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.FixedBitSet;

/**
 * A {@link FilterCheckingCollector} counts the filter checks of the graph search it
 * collects for, and stops that search from its {@code earlyTerminated()}, also where the reader
 * searches with a collector of its own (a target recall, rescoring of quantized codes) and where
 * copies of vectors share a graph node.
 */
public class TestFilterCheckingCollector extends LuceneTestCase {
  private static final int DIM = 24;

  public void testFloatGraph() throws IOException {
    check(32);
  }

  public void testQuantizedGraph() throws IOException {
    check(8);
  }

  private void check(int bits) throws IOException {
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new IqdbCodec(f -> IqdbVectorFormats.hnsw(16, 100, bits)));
      float[][] vectors = new float[3_000][];
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (int i = 0; i < vectors.length; i++) {
          // every third document a copy of the one before: graph nodes are not documents
          vectors[i] = i % 3 == 2 ? vectors[i - 1] : randomVector();
          Document doc = new Document();
          doc.add(new KnnFloatVectorField("v", vectors[i], VectorSimilarityFunction.EUCLIDEAN));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        LeafReader leaf = reader.leaves().get(0).reader();
        FixedBitSet filter = new FixedBitSet(leaf.maxDoc());
        for (int doc = 0; doc < leaf.maxDoc(); doc += 20) {
          filter.set(doc); // 5%
        }
        float[] query = randomVector();

        Watching all = new Watching(Integer.MAX_VALUE);
        leaf.searchNearestVectors("v", query, all, AcceptDocs.fromLiveDocs(filter, leaf.maxDoc()));
        assertTrue("checks " + all.checks(), all.checks() > 100);
        assertTrue("passes " + all.passes(), all.passes() > 0 && all.passes() < all.checks());
        TopDocs found = all.topDocs();
        assertEquals(10, found.scoreDocs.length);
        for (ScoreDoc hit : found.scoreDocs) {
          assertTrue("doc " + hit.doc + " is not accepted", filter.get(hit.doc));
        }

        Watching stopped = new Watching(20);
        leaf.searchNearestVectors("v", query, stopped, AcceptDocs.fromLiveDocs(filter, leaf.maxDoc()));
        assertTrue(
            "stopped after " + stopped.checks() + " checks, " + stopped.visitedCount() + " visits, against "
                + all.checks() + " and " + all.visitedCount(),
            stopped.checks() < all.checks() / 2 && stopped.visitedCount() < all.visitedCount() / 2);
      }
    }
  }

  /** Counts the checks; stops the search after {@code stopAfter} of them. */
  private static final class Watching extends FilterCheckingCollector {
    private final int stopAfter;

    Watching(int stopAfter) {
      super(new TopKnnCollector(10, Integer.MAX_VALUE, new TargetRecallStrategy(0.99, 10, 100)));
      this.stopAfter = stopAfter;
    }

    @Override
    public boolean earlyTerminated() {
      return collector.earlyTerminated() || checks() >= stopAfter;
    }
  }

  private static float[] randomVector() {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = random().nextFloat();
    }
    return v;
  }
}
