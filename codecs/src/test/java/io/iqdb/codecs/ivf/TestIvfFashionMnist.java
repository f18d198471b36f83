package io.iqdb.codecs.ivf;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.VectorUtil;
import org.junit.AfterClass;
import org.junit.BeforeClass;

/**
 * Recall@10 of the IVF format with its default probes on Fashion-MNIST (a 20,000-image subset of
 * the training set, 200 test queries, L2), against exact search. Skipped when Debian's
 * dataset-fashion-mnist files are absent.
 */
public class TestIvfFashionMnist extends LuceneTestCase {

  private static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");
  private static final int TRAIN = 20_000;
  private static final int QUERIES = 200;
  private static final int K = 10;

  private static float[][] train;
  private static float[][] queries;
  private static int[][] truth;

  @BeforeClass
  public static void load() throws IOException {
    Path trainFile = DATA.resolve("train-images-idx3-ubyte.gz");
    Path testFile = DATA.resolve("t10k-images-idx3-ubyte.gz");
    assumeTrue(
        "Fashion-MNIST not found in " + DATA + " (install dataset-fashion-mnist)",
        Files.isReadable(trainFile) && Files.isReadable(testFile));
    train = images(trainFile, TRAIN);
    queries = images(testFile, QUERIES);
    truth = new int[QUERIES][];
    for (int q = 0; q < QUERIES; q++) {
      long[] keys = new long[TRAIN];
      for (int i = 0; i < TRAIN; i++) {
        float d = VectorUtil.squareDistance(queries[q], train[i]);
        keys[i] = ((long) Float.floatToIntBits(d) << 32) | i;
      }
      Arrays.sort(keys);
      truth[q] = new int[K];
      for (int j = 0; j < K; j++) {
        truth[q][j] = (int) keys[j];
      }
    }
  }

  @AfterClass
  public static void unload() {
    train = null;
    queries = null;
    truth = null;
  }

  /** Reads an idx3-ubyte.gz image file: big-endian header, then one unsigned byte per pixel. */
  static float[][] images(Path file, int max) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in =
            new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw)))) {
      int magic = in.readInt();
      assertEquals("idx3 magic of " + file, 0x00000803, magic);
      int n = Math.min(in.readInt(), max);
      int dims = in.readInt() * in.readInt();
      float[][] images = new float[n][dims];
      byte[] pixels = new byte[dims];
      for (int i = 0; i < n; i++) {
        in.readFully(pixels);
        for (int d = 0; d < dims; d++) {
          images[i][d] = pixels[d] & 0xFF;
        }
      }
      return images;
    }
  }

  private double recall(KnnVectorsFormat format) throws IOException {
    try (Directory dir = new MMapDirectory(createTempDir("fmnist"))) {
      IndexWriterConfig iwc =
          new IndexWriterConfig().setCodec(new IqdbCodec(field -> format)).setRAMBufferSizeMB(512);
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (float[] image : train) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField("v", image, VectorSimilarityFunction.EUCLIDEAN));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        long found = 0;
        for (int q = 0; q < QUERIES; q++) {
          TopDocs hits = searcher.search(new KnnFloatVectorQuery("v", queries[q], K), K);
          Set<Integer> expected = new HashSet<>();
          for (int id : truth[q]) {
            expected.add(id);
          }
          for (ScoreDoc hit : hits.scoreDocs) {
            if (expected.contains(hit.doc)) {
              found++;
            }
          }
        }
        return found / (double) (QUERIES * K);
      }
    }
  }

  public void testDefaultProbesReachRecall95With8BitCodes() throws IOException {
    double recall = recall(IqdbVectorFormats.ivf(0, 8));
    assertTrue("recall@10=" + recall, recall >= 0.95);
  }

  public void testDefaultProbesReachRecall95WithFloatLists() throws IOException {
    double recall = recall(IqdbVectorFormats.ivf(0, 32));
    assertTrue("recall@10=" + recall, recall >= 0.95);
  }

  public void testDefaultProbesAndOversamplingReachRecall95With1BitCodes() throws IOException {
    double recall = recall(IqdbVectorFormats.ivf(0, 1));
    assertTrue("recall@10=" + recall, recall >= 0.95);
  }

  public void testDefaultProbesReachRecall95With4BitCodes() throws IOException {
    double recall = recall(IqdbVectorFormats.ivf(0, 4));
    assertTrue("recall@10=" + recall, recall >= 0.95);
  }
}
