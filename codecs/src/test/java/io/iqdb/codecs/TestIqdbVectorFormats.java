package io.iqdb.codecs;

import io.iqdb.codecs.flat.IqdbFlatVectorsFormat;
import io.iqdb.codecs.flat.IqdbQuantizedFlatVectorsFormat;
import io.iqdb.codecs.ivf.IvfSearchStrategy;
import io.iqdb.codecs.ivf.IvfVectorsFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.tests.store.BaseDirectoryWrapper;
import org.apache.lucene.tests.util.LuceneTestCase;

/** The format factory: every kind and width, 4096 dimensions, SPI names, bad arguments. */
public class TestIqdbVectorFormats extends LuceneTestCase {

  private static final int[] BITS = {32, 8, 7, 4, 1};

  private static List<KnnVectorsFormat> allFormats() {
    List<KnnVectorsFormat> formats = new ArrayList<>();
    for (int bits : BITS) {
      formats.add(IqdbVectorFormats.flat(bits));
      formats.add(IqdbVectorFormats.hnsw(16, 100, bits));
      formats.add(IqdbVectorFormats.ivf(0, bits));
    }
    return formats;
  }

  public void testEveryFormatTakes4096DimensionsAndKeepsRawVectors() throws IOException {
    int dims = IqdbCodec.MAX_DIMENSIONS;
    Random random = random();
    float[][] vectors = new float[40][dims];
    for (float[] v : vectors) {
      for (int d = 0; d < dims; d++) {
        v[d] = random.nextFloat() - 0.5f;
      }
    }
    for (KnnVectorsFormat format : allFormats()) {
      assertTrue(format.toString(), format.getMaxDimensions("v") >= 4096);
      try (Directory dir = newDirectory()) {
        IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new IqdbCodec(f -> format));
        try (IndexWriter w = new IndexWriter(dir, iwc)) {
          for (float[] v : vectors) {
            Document doc = new Document();
            doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.EUCLIDEAN));
            w.addDocument(doc);
          }
          w.forceMerge(1);
        }
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          LeafReader leaf = getOnlyLeafReader(reader);
          FloatVectorValues values = leaf.getFloatVectorValues("v");
          KnnVectorValues.DocIndexIterator it = values.iterator();
          for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
            assertArrayEquals(format.toString(), vectors[doc], values.vectorValue(it.index()), 0f);
          }
          TopDocs hits =
              new IndexSearcher(reader).search(new KnnFloatVectorQuery("v", vectors[7], 3), 3);
          assertEquals(format.toString(), 3, hits.scoreDocs.length);
          assertEquals(format.toString(), 7, hits.scoreDocs[0].doc);
        }
      }
    }
  }

  public void testFormatsAreFoundBySpiName() {
    assertTrue(
        KnnVectorsFormat.forName(IqdbFlatVectorsFormat.NAME) instanceof IqdbFlatVectorsFormat);
    assertTrue(
        KnnVectorsFormat.forName(IqdbQuantizedFlatVectorsFormat.NAME)
            instanceof IqdbQuantizedFlatVectorsFormat);
    assertTrue(KnnVectorsFormat.forName(IvfVectorsFormat.NAME) instanceof IvfVectorsFormat);
    assertEquals(IqdbCodec.NAME, org.apache.lucene.codecs.Codec.forName(IqdbCodec.NAME).getName());
  }

  public void testBadArgumentsNameTheValue() {
    IllegalArgumentException e =
        expectThrows(IllegalArgumentException.class, () -> IqdbVectorFormats.flat(5));
    assertTrue(e.getMessage(), e.getMessage().contains("bits=5"));
    e = expectThrows(IllegalArgumentException.class, () -> IqdbVectorFormats.hnsw(16, 100, 2));
    assertTrue(e.getMessage(), e.getMessage().contains("bits=2"));
    e = expectThrows(IllegalArgumentException.class, () -> IqdbVectorFormats.ivf(-1, 8));
    assertTrue(e.getMessage(), e.getMessage().contains("lists=-1"));
    e = expectThrows(IllegalArgumentException.class, () -> IqdbVectorFormats.ivf(0, 16));
    assertTrue(e.getMessage(), e.getMessage().contains("bits=16"));
    e = expectThrows(IllegalArgumentException.class, () -> new IvfSearchStrategy(-1));
    assertTrue(e.getMessage(), e.getMessage().contains("probes=-1"));
    e = expectThrows(IllegalArgumentException.class, () -> new IvfSearchStrategy(4, 0.5f));
    assertTrue(e.getMessage(), e.getMessage().contains("oversample=0.5"));
    e =
        expectThrows(
            IllegalArgumentException.class,
            () -> IqdbVectorFormats.hnsw(IqdbVectorFormats.MIN_HNSW_M - 1, 100, 32));
    assertTrue(e.getMessage(), e.getMessage().contains("m=" + (IqdbVectorFormats.MIN_HNSW_M - 1)));
    e =
        expectThrows(
            IllegalArgumentException.class,
            () -> IqdbVectorFormats.hnsw(16, IqdbVectorFormats.MAX_HNSW_BEAM_WIDTH + 1, 32));
    assertTrue(e.getMessage(), e.getMessage().contains("beamWidth=3201"));
    e = expectThrows(IllegalArgumentException.class, () -> Oversampling.flat(32));
    assertTrue(e.getMessage(), e.getMessage().contains("bits=32"));
  }

  /** The codec asks each field's own format for its limit: Lucene's plain HNSW stops at 1024. */
  public void testCodecConsultsTheFieldsFormatForMaxDimensions() throws IOException {
    IqdbCodec codec =
        new IqdbCodec(
            f ->
                f.equals("wide")
                    ? IqdbVectorFormats.hnsw(16, 100, 32)
                    : new org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat());
    assertEquals(IqdbCodec.MAX_DIMENSIONS, codec.knnVectorsFormat().getMaxDimensions("wide"));
    assertEquals(1024, codec.knnVectorsFormat().getMaxDimensions("narrow"));
    try (Directory dir = newDirectory();
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig().setCodec(codec))) {
      Document doc = new Document();
      doc.add(new KnnFloatVectorField("narrow", new float[2048], VectorSimilarityFunction.EUCLIDEAN));
      IllegalArgumentException e =
          expectThrows(IllegalArgumentException.class, () -> w.addDocument(doc));
      assertTrue(e.getMessage(), e.getMessage().contains("1024"));
    }
  }

  public void testCorruptIvfFilesAreDetected() throws IOException {
    for (String extension : new String[] {"ivm", "ivl"}) {
      try (BaseDirectoryWrapper dir = newDirectory()) {
        dir.setCheckIndexOnClose(false); // the index is corrupt on purpose
        IndexWriterConfig iwc =
            new IndexWriterConfig()
                .setCodec(new IqdbCodec(f -> IqdbVectorFormats.ivf(0, 8)))
                .setUseCompoundFile(false);
        try (IndexWriter w = new IndexWriter(dir, iwc)) {
          for (int i = 0; i < 300; i++) {
            Document doc = new Document();
            float[] v = {random().nextFloat(), random().nextFloat(), random().nextFloat()};
            doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.EUCLIDEAN));
            w.addDocument(doc);
          }
          w.forceMerge(1);
        }
        String file = null;
        for (org.apache.lucene.index.SegmentCommitInfo info :
            org.apache.lucene.index.SegmentInfos.readLatestCommit(dir)) {
          for (String name : info.files()) {
            if (name.endsWith("." + extension)) {
              file = name;
            }
          }
        }
        assertNotNull("no ." + extension + " file", file);
        flipByteInBody(dir, file);
        Exception e =
            expectThrowsAnyOf(
                List.of(CorruptIndexException.class, IllegalStateException.class),
                () -> {
                  try (DirectoryReader reader = DirectoryReader.open(dir)) {
                    ((CodecReader) getOnlyLeafReader(reader)).checkIntegrity();
                  }
                });
        assertNotNull(e);
        try (CheckIndex checker = new CheckIndex(dir)) {
          assertFalse(checker.checkIndex().clean);
        }
      }
    }
  }

  /** Flips one bit between the header and the footer, keeping the file's length. */
  private static void flipByteInBody(Directory dir, String file) throws IOException {
    byte[] bytes;
    try (IndexInput in = dir.openInput(file, IOContext.READONCE)) {
      bytes = new byte[(int) in.length()];
      in.readBytes(bytes, 0, bytes.length);
    }
    int headerAndFooter = 60;
    assertTrue(bytes.length > 2 * headerAndFooter);
    bytes[headerAndFooter + random().nextInt(bytes.length - 2 * headerAndFooter)] ^= 0x10;
    dir.deleteFile(file);
    try (IndexOutput out = dir.createOutput(file, IOContext.DEFAULT)) {
      out.writeBytes(bytes, bytes.length);
    }
  }
}
