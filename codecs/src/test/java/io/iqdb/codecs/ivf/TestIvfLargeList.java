package io.iqdb.codecs.ivf;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.io.IOException;
import java.util.Random;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/** A list whose codes exceed the writer's buffer is encoded in two passes, to the same codes. */
public class TestIvfLargeList extends LuceneTestCase {

  public void testOneHugeListStillFindsEachVector() throws IOException {
    int dims = IqdbCodec.MAX_DIMENSIONS;
    int n = (int) (IvfVectorsWriter.MAX_BUFFERED_CODE_BYTES / dims) + 200;
    Random random = random();
    float[][] vectors = new float[n][dims];
    for (float[] v : vectors) {
      for (int d = 0; d < dims; d++) {
        v[d] = random.nextFloat();
      }
    }
    try (Directory dir = newFSDirectory(createTempDir("large-list"))) {
      IndexWriterConfig iwc =
          new IndexWriterConfig()
              .setCodec(new IqdbCodec(f -> IqdbVectorFormats.ivf(1, 8)))
              .setRAMBufferSizeMB(1024);
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (float[] v : vectors) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.EUCLIDEAN));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        for (int i = 0; i < 20; i++) {
          int target = random.nextInt(n);
          // oversample 1: only the code estimate decides which candidate is rescored
          TopDocs hits =
              searcher.search(
                  new KnnFloatVectorQuery(
                      "v", vectors[target], 1, null, new IvfSearchStrategy(1, 1f)),
                  1);
          assertEquals(target, hits.scoreDocs[0].doc);
        }
      }
    }
  }
}
