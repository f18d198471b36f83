package io.iqdb.codecs.ivf;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.io.IOException;
import java.util.Random;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Merged segments: every vector is in exactly one list, and (the merge assigns with hints from the
 * merged segments' lists) nearly always in the list of its nearest centroid.
 */
public class TestIvfMerge extends LuceneTestCase {

  public void testMergedListsHoldEachVectorOnceNearItsCentroid() throws IOException {
    Random random = random();
    int n = 4000;
    float[][] vectors = TestIvfRecall.clustered(random, n, 16, 25);
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc =
          new IndexWriterConfig()
              .setCodec(new IqdbCodec(f -> IqdbVectorFormats.ivf(0, 8)))
              .setMaxBufferedDocs(400 + random.nextInt(600));
      if (random.nextBoolean()) {
        iwc.setIndexSort(new Sort(new SortField("sortkey", SortField.Type.INT)));
      }
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (int i = 0; i < n; i++) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField("v", vectors[i], VectorSimilarityFunction.EUCLIDEAN));
          doc.add(new StringField("id", Integer.toString(i), Field.Store.NO));
          doc.add(new NumericDocValuesField("sortkey", random.nextInt(100)));
          w.addDocument(doc);
          if (random.nextInt(20) == 0) {
            w.deleteDocuments(new Term("id", Integer.toString(random.nextInt(i + 1))));
          }
        }
        w.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        CodecReader leaf = (CodecReader) getOnlyLeafReader(reader);
        IvfVectorsReader ivf =
            (IvfVectorsReader)
                ((PerFieldKnnVectorsFormat.FieldsReader) leaf.getVectorReader())
                    .getFieldReader("v");
        float[][] centroids = ivf.centroids("v");
        FloatVectorValues values = ivf.getFloatVectorValues("v");
        int[] seen = new int[values.size()];
        int[] inNearest = new int[1];
        ivf.forEachListMember(
            "v",
            (list, ord) -> {
              seen[ord]++;
              if (ListAssigner.nearest(values.vectorValue(ord), centroids) == list) {
                inNearest[0]++;
              }
            });
        for (int ord = 0; ord < seen.length; ord++) {
          assertEquals("vector " + ord + " in lists", 1, seen[ord]);
        }
        assertTrue(
            inNearest[0] + " of " + seen.length + " in their nearest list",
            inNearest[0] >= 0.99 * seen.length);
      }
    }
  }
}
