package io.iqdb.codecs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.VectorUtil;

/**
 * A COSINE field whose unit vectors average to zero (a segment of {@code v} and {@code -v}): Lucene
 * 10.6's quantized writer fails such a flush or merge ("Cannot normalize a zero-length vector"),
 * a tragic failure of the index writer. iQDB's quantized flat and HNSW formats write it, search it
 * correctly and write the very files Lucene's writer writes otherwise.
 */
public class TestQuantizedCosineCentroid extends LuceneTestCase {

  private static final int[] BITS = {8, 7, 4, 1};

  private static List<KnnVectorsFormat> quantizedFormats() {
    List<KnnVectorsFormat> formats = new ArrayList<>();
    for (int bits : BITS) {
      formats.add(IqdbVectorFormats.flat(bits));
      formats.add(IqdbVectorFormats.hnsw(16, 100, bits));
    }
    return formats;
  }

  private static float[] randomVector(Random random, int dims) {
    float[] v = new float[dims];
    for (int i = 0; i < dims; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    v[0] += 0.1f; // never all zero
    return v;
  }

  private static float[] negate(float[] v) {
    float[] n = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      n[i] = -v[i];
    }
    return n;
  }

  private static void add(IndexWriter w, String id, float[] v) throws IOException {
    Document doc = new Document();
    doc.add(new StringField("id", id, Field.Store.YES));
    doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.COSINE));
    w.addDocument(doc);
  }

  private static String topId(Directory dir, float[] query, int k) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      TopDocs hits = searcher.search(new KnnFloatVectorQuery("v", query, k), k);
      assertTrue("no hit", hits.scoreDocs.length > 0);
      return searcher.storedFields().document(hits.scoreDocs[0].doc).get("id");
    }
  }

  /**
   * The defect itself, in Lucene's writer: if this test starts failing, Lucene no longer throws and
   * iQDB's writer may be dropped for Lucene's.
   */
  public void testLucenesWriterFailsOnAntipodalVectors() throws IOException {
    float[] v = randomVector(random(), 8);
    KnnVectorsFormat lucene =
        new Lucene104HnswScalarQuantizedVectorsFormat(IqdbVectorFormats.encoding(8), 16, 100);
    try (Directory dir = newDirectory();
        IndexWriter writer =
            new IndexWriter(dir, new IndexWriterConfig().setCodec(TestUtil.alwaysKnnVectorsFormat(lucene)))) {
      add(writer, "v", v);
      add(writer, "-v", negate(v));
      IllegalArgumentException e = expectThrows(IllegalArgumentException.class, writer::commit);
      assertTrue(e.getMessage(), e.getMessage().contains("zero-length"));
      assertNotNull(writer.getTragicException());
    }
  }

  /** The flush of {v, -v}, then merges that cancel across segments, with and without deletes. */
  public void testAntipodalVectorsFlushAndMerge() throws IOException {
    Random random = random();
    for (KnnVectorsFormat format : quantizedFormats()) {
      int dims = TestUtil.nextInt(random, 2, 48);
      float[] v = randomVector(random, dims);
      float[] w = randomVector(random, dims);
      float[] u = randomVector(random, dims);
      try (Directory dir = newDirectory()) {
        // Tiered merging leaves these few segments alone until forceMerge.
        IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new IqdbCodec(f -> format));
        try (IndexWriter writer = new IndexWriter(dir, iwc)) {
          add(writer, "v", v);
          add(writer, "-v", negate(v));
          writer.commit(); // Lucene's writer throws here
          assertNull(format.toString(), writer.getTragicException());
          assertEquals(format.toString(), "v", topId(dir, v, 2));
          assertEquals(format.toString(), "-v", topId(dir, negate(v), 2));

          add(writer, "w", w); // merged with {-w}: no deletes, whole segments cancel
          writer.commit();
          add(writer, "-w", negate(w));
          writer.commit();
          add(writer, "u", u); // a deleted document: the merge recomputes from live vectors
          add(writer, "2v", VectorUtil.l2normalize(v.clone()));
          add(writer, "-2v", negate(VectorUtil.l2normalize(v.clone())));
          writer.commit();
          writer.deleteDocuments(new Term("id", "u"));
          writer.forceMerge(1);
          writer.commit();
          assertNull(format.toString(), writer.getTragicException());
        }
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          assertEquals(1, reader.leaves().size());
          assertEquals(6, reader.numDocs());
          assertExactVectors(reader, format);
        }
        assertEquals(format.toString(), "w", topId(dir, w, 3));
        assertEquals(format.toString(), "-w", topId(dir, negate(w), 3));
        String top = topId(dir, v, 1);
        assertTrue(format + ": " + top, top.equals("v") || top.equals("2v"));
      }
    }
  }

  private static void assertExactVectors(DirectoryReader reader, KnnVectorsFormat format) throws IOException {
    for (LeafReaderContext leaf : reader.leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues("v");
      StoredFields stored = leaf.reader().storedFields();
      KnnVectorValues.DocIndexIterator it = values.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        float[] vector = values.vectorValue(it.index());
        assertTrue(format + ": " + Arrays.toString(vector), VectorUtil.dotProduct(vector, vector) > 0);
        assertNotNull(stored.document(doc).get("id"));
      }
    }
  }

  /**
   * Enough antipodal pairs for HNSW graphs at flush and merge (above the 100-vector threshold):
   * the approximate search finds what exact cosine finds.
   */
  public void testManyAntipodalPairsAreSearchedCorrectly() throws IOException {
    Random random = random();
    int dims = 16;
    int pairs = 150;
    float[][] vectors = new float[pairs * 2][];
    for (int i = 0; i < pairs; i++) {
      vectors[2 * i] = randomVector(random, dims);
      vectors[2 * i + 1] = negate(vectors[2 * i]);
    }
    for (int bits : new int[] {8, 4}) {
      KnnVectorsFormat format = IqdbVectorFormats.hnsw(16, 100, bits);
      try (Directory dir = newDirectory()) {
        IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new IqdbCodec(f -> format));
        try (IndexWriter writer = new IndexWriter(dir, iwc)) {
          for (int segment = 0; segment < 2; segment++) {
            for (int i = 0; i < vectors.length; i++) {
              add(writer, segment + ":" + i, vectors[i]);
            }
            writer.commit();
          }
          writer.forceMerge(1);
          assertNull(writer.getTragicException());
        }
        int found = 0;
        int wanted = 0;
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          IndexSearcher searcher = new IndexSearcher(reader);
          for (int q = 0; q < 20; q++) {
            float[] query = randomVector(random, dims);
            Set<Integer> exact = exactTop(vectors, query, 5);
            TopDocs hits = searcher.search(new KnnFloatVectorQuery("v", query, 10), 10);
            for (ScoreDoc sd : hits.scoreDocs) {
              String id = searcher.storedFields().document(sd.doc).get("id");
              int i = Integer.parseInt(id.substring(id.indexOf(':') + 1));
              if (exact.remove(i)) {
                found++;
              }
            }
            wanted += 5;
            exact.clear();
          }
        }
        // Each vector is indexed twice, so 10 hits can hold the 5 best vectors. The bound is what
        // quantized HNSW reaches on 16 dimensions without rescoring, not a property of the centroid.
        double floor = bits == 8 ? 0.9 : 0.75;
        assertTrue(format + ": recall " + found + "/" + wanted, found >= wanted * floor);
      }
    }
  }

  private static Set<Integer> exactTop(float[][] vectors, float[] query, int k) {
    Integer[] order = new Integer[vectors.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(
        VectorSimilarityFunction.COSINE.compare(query, vectors[b]),
        VectorSimilarityFunction.COSINE.compare(query, vectors[a])));
    return new HashSet<>(Arrays.asList(order).subList(0, k));
  }

  /**
   * Where Lucene's writer does not fail, a flush writes byte for byte the {@code .veq} and {@code
   * .vemq} content Lucene's writer writes (headers aside: they hold the segment's random id), for
   * every similarity and encoding, with and without an index sort.
   *
   * <p>Both writers run the same float arithmetic, but with the Panama vectorization provider
   * (tests run with {@code --add-modules jdk.incubator.vector}) Lucene's {@code VectorUtil} does
   * not return the same bits for the same input over a JVM's life: its vector lane reductions
   * are summed in one order while the method is interpreted and in another once C2 has compiled
   * it. A compilation that lands between the two flushes changes Lucene's own output (a code off
   * by one or two), whatever the seed. So each writer is run again until both reproduce their own
   * bytes, and those are compared: a real difference reproduces and fails.
   */
  public void testFlushWritesWhatLucenesWriterWrites() throws IOException {
    Random random = random();
    int[] bitsList = {8, 7, 4, 1};
    for (int bits : bitsList) {
      for (VectorSimilarityFunction similarity : VectorSimilarityFunction.values()) {
        for (boolean sorted : new boolean[] {false, true}) {
          int dims = TestUtil.nextInt(random, 1, 40);
          int count = TestUtil.nextInt(random, 1, 60);
          float[][] vectors;
          do {
            vectors = new float[count][];
            for (int i = 0; i < count; i++) {
              vectors[i] = randomVector(random, dims);
              if (similarity == VectorSimilarityFunction.DOT_PRODUCT) {
                VectorUtil.l2normalize(vectors[i]);
              }
            }
            // Lucene's writer fails on COSINE directions that cancel (testLucenesWriterFailsOnAntipodalVectors),
            // which random draws do often in one dimension, where every direction is +1 or -1.
          } while (similarity == VectorSimilarityFunction.COSINE && directionsCancel(vectors));
          String what = "bits=" + bits + " " + similarity + " sorted=" + sorted + " dims=" + dims + " count=" + count;
          Codec lucene = TestUtil.alwaysKnnVectorsFormat(
              new Lucene104HnswScalarQuantizedVectorsFormat(IqdbVectorFormats.encoding(bits), 16, 100));
          Codec ours = TestUtil.alwaysKnnVectorsFormat(
              new QuantizedHnswVectorsFormat(IqdbVectorFormats.encoding(bits), 16, 100));
          byte[][] expected = quantizedFiles(lucene, vectors, similarity, sorted);
          byte[][] actual = quantizedFiles(ours, vectors, similarity, sorted);
          for (int round = 1; !sameBodies(expected, actual); round++) {
            byte[][] expectedAgain = quantizedFiles(lucene, vectors, similarity, sorted);
            byte[][] actualAgain = quantizedFiles(ours, vectors, similarity, sorted);
            if (sameBodies(expected, expectedAgain) && sameBodies(actual, actualAgain)) {
              break; // each writer reproduces its bytes: the difference is real, asserted below
            }
            assertTrue(what + ": the writers' bytes still change after " + round + " rounds", round < 10);
            expected = expectedAgain;
            actual = actualAgain;
          }
          assertArrayEquals(what + " .veq", expected[0], actual[0]);
          assertArrayEquals(what + " .vemq", expected[1], actual[1]);
        }
      }
    }
  }

  /** Whether the unit vectors of {@code vectors} average to (nearly) the zero vector. */
  private static boolean directionsCancel(float[][] vectors) {
    double[] sum = new double[vectors[0].length];
    for (float[] v : vectors) {
      double norm = Math.sqrt(VectorUtil.dotProduct(v, v));
      for (int i = 0; i < sum.length; i++) {
        sum[i] += v[i] / norm;
      }
    }
    double squaredNorm = 0;
    for (double s : sum) {
      squaredNorm += s * s;
    }
    return squaredNorm / ((double) vectors.length * vectors.length) < 1e-6;
  }

  private static boolean sameBodies(byte[][] a, byte[][] b) {
    return Arrays.equals(a[0], b[0]) && Arrays.equals(a[1], b[1]);
  }

  /** The bodies of the one segment's .veq and .vemq files, between header and footer. */
  private static byte[][] quantizedFiles(
      Codec codec, float[][] vectors, VectorSimilarityFunction similarity, boolean sorted) throws IOException {
    try (Directory dir = new ByteBuffersDirectory()) {
      IndexWriterConfig iwc =
          new IndexWriterConfig().setCodec(codec).setMergePolicy(NoMergePolicy.INSTANCE).setUseCompoundFile(false);
      if (sorted) {
        iwc.setIndexSort(new Sort(new SortField("rank", SortField.Type.LONG)));
      }
      try (IndexWriter writer = new IndexWriter(dir, iwc)) {
        for (int i = 0; i < vectors.length; i++) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField("v", vectors[i], similarity));
          doc.add(new NumericDocValuesField("rank", (i * 7919L) % 101));
          writer.addDocument(doc);
        }
        writer.commit();
      }
      byte[][] bodies = new byte[2][];
      for (String file : dir.listAll()) {
        int which = file.endsWith(".veq") ? 0 : file.endsWith(".vemq") ? 1 : -1;
        if (which < 0) {
          continue;
        }
        assertNull("one segment", bodies[which]);
        try (IndexInput in = dir.openInput(file, IOContext.READONCE)) {
          String codecName =
              which == 0 ? "Lucene104ScalarQuantizedVectorsFormatData" : "Lucene104ScalarQuantizedVectorsFormatMeta";
          // The per-field format gives the files a segment suffix; read the header to skip it.
          CodecUtil.checkHeader(in, codecName, 0, 0);
          byte[] id = new byte[16];
          in.readBytes(id, 0, id.length);
          int suffixLength = in.readByte() & 0xFF;
          in.skipBytes(suffixLength);
          byte[] body = new byte[(int) (in.length() - in.getFilePointer() - CodecUtil.footerLength())];
          in.readBytes(body, 0, body.length);
          bodies[which] = body;
        }
      }
      assertNotNull(bodies[0]);
      assertNotNull(bodies[1]);
      return bodies;
    }
  }

  /** Segments written by Lucene's own writer are read, searched and merged with iQDB's. */
  public void testLucenesSegmentsMergeWithOurs() throws IOException {
    Random random = random();
    int dims = 24;
    float[] v = randomVector(random, dims);
    try (Directory dir = newDirectory()) {
      KnnVectorsFormat lucene =
          new Lucene104HnswScalarQuantizedVectorsFormat(IqdbVectorFormats.encoding(8), 16, 100);
      IndexWriterConfig old = new IndexWriterConfig().setCodec(TestUtil.alwaysKnnVectorsFormat(lucene));
      try (IndexWriter writer = new IndexWriter(dir, old)) {
        add(writer, "v", v);
        for (int i = 0; i < 30; i++) {
          add(writer, "r" + i, randomVector(random, dims));
        }
      }
      IndexWriterConfig ours =
          new IndexWriterConfig().setCodec(TestUtil.alwaysKnnVectorsFormat(IqdbVectorFormats.hnsw(16, 100, 8)));
      try (IndexWriter writer = new IndexWriter(dir, ours)) {
        add(writer, "-v", negate(v));
        writer.commit();
        assertEquals("v", topId(dir, v, 3));
        writer.deleteDocuments(new Term("id", "r0"));
        writer.forceMerge(1);
        assertNull(writer.getTragicException());
      }
      assertEquals("v", topId(dir, v, 3));
      assertEquals("-v", topId(dir, negate(v), 3));
    }
  }
}
