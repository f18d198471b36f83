package io.iqdb.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;
import org.junit.jupiter.api.Test;

/**
 * The database's rescoring of quantized HNSW hits: needed for segments in Lucene's own quantized
 * format (written before the dedup format), which it rescores to the exact top k; not needed for
 * segments of the dedup format, whose reader rescores.
 */
class FullPrecisionRescorerTest {

  private static final int DIM = 16;
  private static final VectorSimilarityFunction SIM = VectorSimilarityFunction.EUCLIDEAN;

  @Test
  void rescoresSegmentsOfLucenesQuantizedFormat() throws IOException {
    Random random = new Random(42);
    float[][] vectors = new float[500][];
    try (Directory dir = new ByteBuffersDirectory()) {
      write(dir, new Lucene104HnswScalarQuantizedVectorsFormat(ScalarEncoding.PACKED_NIBBLE, 16, 100), vectors, random);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        assertTrue(FullPrecisionRescorer.needed(searcher, "v"));
        for (int q = 0; q < 20; q++) {
          float[] query = randomVector(random);
          ScoreDoc[] candidates = searcher.search(new KnnFloatVectorQuery("v", query, 40), 40).scoreDocs;
          ScoreDoc[] top = FullPrecisionRescorer.rescore(searcher, "v", query, candidates.clone(), 10);
          // the exact best 10 of the same candidates, best first, ties by doc id
          Integer[] expected = Arrays.stream(candidates).map(sd -> sd.doc).toArray(Integer[]::new);
          Arrays.sort(expected, Comparator.<Integer>comparingDouble(d -> -SIM.compare(query, vectors[d]))
              .thenComparingInt(d -> d));
          assertEquals(10, top.length);
          for (int i = 0; i < 10; i++) {
            assertEquals(expected[i], top[i].doc);
            assertEquals(SIM.compare(query, vectors[top[i].doc]), top[i].score, 1e-6f);
          }
        }
        assertArrayEquals(new ScoreDoc[0], FullPrecisionRescorer.rescore(searcher, "v", randomVector(random), new ScoreDoc[0], 10));
      }
    }
  }

  @Test
  void dedupFormatRescoresItself() throws IOException {
    Random random = new Random(7);
    try (Directory dir = new ByteBuffersDirectory()) {
      write(dir, IqdbVectorFormats.hnsw(16, 100, 8), new float[200][], random);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertFalse(FullPrecisionRescorer.needed(new IndexSearcher(reader), "v"));
      }
    }
  }

  private static void write(Directory dir, KnnVectorsFormat format, float[][] vectors, Random random) throws IOException {
    IndexWriterConfig iwc =
        new IndexWriterConfig().setCodec(new IqdbCodec(f -> format)).setMergePolicy(new LogDocMergePolicy());
    try (IndexWriter w = new IndexWriter(dir, iwc)) {
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = randomVector(random);
        Document doc = new Document();
        doc.add(new KnnFloatVectorField("v", vectors[i], SIM));
        w.addDocument(doc);
        if (i == vectors.length / 2) {
          w.commit(); // two segments
        }
      }
    }
  }

  private static float[] randomVector(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
