package io.iqdb.codecs;

import io.iqdb.codecs.dedup.TargetRecallStrategy;
import io.iqdb.codecs.ivf.IvfSearchStrategy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Segments of the HNSW and IVF formats measure their recall curve when written, store it, and a
 * search with a target recall uses it.
 */
public class TestRecallCalibration extends LuceneTestCase {

  private static final int DIMS = 24;

  public void testCurveLookupAndRoundTrip() throws IOException {
    RecallCurve curve = new RecallCurve(new int[] {10, 12, 20, 40}, new float[] {0.8f, 0.9f, 0.95f, 0.99f});
    assertEquals(10, curve.parameterFor(0.5));
    assertEquals(12, curve.parameterFor(0.9));
    assertEquals(20, curve.parameterFor(0.91));
    assertEquals(40, curve.parameterFor(0.99));
    // never reached: the smallest parameter with the best recall measured
    assertEquals(40, curve.parameterFor(0.999));
    RecallCurve plateau =
        new RecallCurve(new int[] {1, 2, 4, 8, 16}, new float[] {0.7f, 0.95f, 0.98f, 0.98f, 0.979f});
    assertEquals(4, plateau.parameterFor(0.99));
    assertEquals(2, plateau.parameterFor(0.95));
    assertEquals(0.95f, curve.recallFor(0.95), 0f);

    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    curve.write(out);
    RecallCurve read = RecallCurve.read(new ByteBuffersDataInput(out.toBufferList()), "test");
    assertEquals(curve, read);
  }

  public void testCorruptCurveIsReported() throws IOException {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    out.writeVInt(2);
    out.writeVInt(20);
    out.writeInt(Float.floatToIntBits(0.9f));
    out.writeVInt(10); // not increasing
    out.writeInt(Float.floatToIntBits(0.95f));
    CorruptIndexException e =
        expectThrows(
            CorruptIndexException.class,
            () -> RecallCurve.read(new ByteBuffersDataInput(out.toBufferList()), "test"));
    assertTrue(e.getMessage(), e.getMessage().contains("increasing"));

    ByteBuffersDataOutput empty = new ByteBuffersDataOutput();
    empty.writeVInt(0);
    expectThrows(
        CorruptIndexException.class,
        () -> RecallCurve.read(new ByteBuffersDataInput(empty.toBufferList()), "test"));
  }

  /**
   * Recall is measured over documents: a search that finds only each query's two nearest distinct
   * vectors has recall@10 0.2 over vectors, but 1 over documents when each vector stands for five
   * documents (the ten nearest documents are those two vectors' copies and the query's vector's
   * other copies, and the ten copies found are as near as the tenth).
   */
  public void testRecallIsCountedOverDocumentsWhenVectorsHaveCopies() throws IOException {
    int n = 200;
    float[][] vectors = new float[n][];
    for (int i = 0; i < n; i++) {
      vectors[i] = new float[] {i, 0}; // the nearest vectors of i are i-1 and i+1, then i-2, i+2
    }
    org.apache.lucene.index.FloatVectorValues values =
        org.apache.lucene.index.FloatVectorValues.fromFloats(Arrays.asList(vectors), 2);
    VectorSimilarityFunction sim = VectorSimilarityFunction.EUCLIDEAN;
    // finds the held-out query's two nearest other vectors, whatever the parameter, and a far one
    RecallCalibrator.Search twoNearest =
        (query, parameter, self) -> {
          int i = (int) query[0];
          return i == 0 ? new int[] {1, 2, n - 1} : i == n - 1 ? new int[] {n - 2, n - 3, 0} : new int[] {i - 1, i + 1, (i + n / 2) % n};
        };
    int[] grid = {10, 20};
    RecallCurve vectorsOnly = RecallCalibrator.calibrate(values, sim, grid, 100, twoNearest, null, 7L, "test");
    assertEquals(0.2f, vectorsOnly.recalls()[1], 0.01f);
    int[] five = new int[n];
    Arrays.fill(five, 5);
    RecallCurve documents = RecallCalibrator.calibrate(values, sim, grid, 100, twoNearest, five, 7L, "test");
    assertEquals(1f, documents.recalls()[0], 0f);
    assertEquals(RecallCalibrator.calibrate(values, sim, grid, 100, twoNearest, 7L, "test"), vectorsOnly);

    // Only the query's own document is held out: its vector's 4 other copies are true neighbours
    // (the best ones), so a search finding that vector and one nearest neighbour has 4 + 5 of the
    // 10 nearest documents; over distinct vectors, the query's vector held out, 1 of 10.
    RecallCalibrator.Search selfAndOne =
        (query, parameter, heldOut) -> {
          int i = (int) query[0];
          return new int[] {i, i == 0 ? 1 : i - 1, (i + n / 2) % n};
        };
    assertEquals(
        0.9f, RecallCalibrator.calibrate(values, sim, grid, 100, selfAndOne, five, 7L, "test").recalls()[1], 0.001f);
    assertEquals(
        0.1f, RecallCalibrator.calibrate(values, sim, grid, 100, selfAndOne, null, 7L, "test").recalls()[1], 0.001f);
  }

  public void testGrids() {
    int[] ef = RecallCalibrator.efGrid();
    assertEquals(RecallCalibrator.K, ef[0]);
    assertEquals(1000, ef[ef.length - 1]);
    int[] probes = RecallCalibrator.probeGrid(100);
    assertEquals(1, probes[0]);
    assertEquals(100, probes[probes.length - 1]);
    for (int[] grid : new int[][] {ef, probes, RecallCalibrator.probeGrid(1)}) {
      for (int i = 1; i < grid.length; i++) {
        assertTrue(Arrays.toString(grid), grid[i] > grid[i - 1]);
      }
    }
  }

  public void testTargetRecallStrategyScalesEfAboveTen() {
    TargetRecallStrategy small = new TargetRecallStrategy(0.95, 5, 100);
    assertEquals(30, small.ef(30));
    assertEquals(100, small.ef(-1));
    assertEquals(90, new TargetRecallStrategy(0.95, 30, 100).ef(30));
    RecallCurve curve = new RecallCurve(new int[] {10, 12, 20, 40}, new float[] {0.8f, 0.9f, 0.95f, 0.99f});
    assertEquals(20, small.ef(curve, 5)); // the calibrated ef for 0.95
    assertEquals(25, small.ef(curve, 25)); // never fewer than the candidates
    assertEquals(100, small.ef(null, 5)); // no curve: the fallback
    expectThrows(IllegalArgumentException.class, () -> new TargetRecallStrategy(0, 10, 100));
    expectThrows(IllegalArgumentException.class, () -> new TargetRecallStrategy(1.5, 10, 100));
    expectThrows(IllegalArgumentException.class, () -> new IvfSearchStrategy(0, 0, -0.1));
  }

  public void testHnswSegmentsCalibrate() throws IOException {
    checkCalibrated(IqdbVectorFormats.hnsw(16, 100, 32), true);
  }

  public void testQuantizedHnswSegmentsCalibrate() throws IOException {
    checkCalibrated(IqdbVectorFormats.hnsw(16, 100, 8), true);
  }

  public void testIvfSegmentsCalibrate() throws IOException {
    checkCalibrated(IqdbVectorFormats.ivf(0, 8), false);
  }

  private void checkCalibrated(KnnVectorsFormat format, boolean hnsw) throws IOException {
    Random random = random();
    int n = 2000 + random.nextInt(1000);
    int queries = 50;
    float[][] vectors = clustered(random, n + queries, 20);
    // some exact copies: the HNSW format gives them one graph node
    for (int i = 0; i < n / 10; i++) {
      vectors[random.nextInt(n)] = vectors[random.nextInt(n)].clone();
    }
    VectorSimilarityFunction similarity =
        random.nextBoolean() ? VectorSimilarityFunction.EUCLIDEAN : VectorSimilarityFunction.COSINE;
    try (Directory dir = newDirectory()) {
      IndexWriterConfig iwc =
          new IndexWriterConfig()
              .setCodec(new IqdbCodec(field -> format))
              .setMaxBufferedDocs(400 + random.nextInt(2000));
      try (IndexWriter w = new IndexWriter(dir, iwc)) {
        for (int i = 0; i < n; i++) {
          Document doc = new Document();
          doc.add(new KnnFloatVectorField("v", vectors[i], similarity));
          doc.add(new StoredField("id", i));
          w.addDocument(doc);
        }
        if (random.nextBoolean()) {
          w.forceMerge(1);
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        for (LeafReaderContext leaf : reader.leaves()) {
          RecallCurve curve = Calibrated.of(leaf.reader(), "v");
          assertNotNull("segment without a curve: " + leaf.reader(), curve);
          int[] params = curve.parameters();
          float[] recalls = curve.recalls();
          for (int i = 1; i < params.length; i++) {
            assertTrue(curve.toString(), params[i] > params[i - 1]);
          }
          // clustered data in 24 dimensions: both indices reach the top of the grid's targets
          assertTrue(curve.toString(), recalls[recalls.length - 1] >= 0.99f);
          assertTrue(curve.parameterFor(0.5) <= curve.parameterFor(0.99));
        }
        IndexSearcher searcher = newSearcher(reader, false, false, false);
        double[] targets = {0.9, 0.99};
        double[] recall = new double[targets.length];
        long[] visited = new long[targets.length];
        for (int t = 0; t < targets.length; t++) {
          KnnSearchStrategy strategy =
              hnsw
                  ? new TargetRecallStrategy(targets[t], 10, 100)
                  : new IvfSearchStrategy(0, 0, targets[t]);
          for (int q = 0; q < queries; q++) {
            float[] query = vectors[n + q];
            TopDocs hits =
                searcher.search(new KnnFloatVectorQuery("v", query, 10, null, strategy), 10);
            visited[t] += visits(reader, query, strategy);
            recall[t] += recall(searcher, hits, vectors, n, query, similarity);
          }
          recall[t] /= queries;
        }
        // queries from the indexed distribution but not indexed: the target holds within the
        // sampling error of 50 queries
        assertTrue("recall at target 0.9: " + recall[0], recall[0] >= 0.85);
        assertTrue("recall at target 0.99: " + recall[1], recall[1] >= 0.96);
        assertTrue(
            "a higher target must not search less: " + Arrays.toString(visited),
            visited[1] >= visited[0]);
      }
    }
  }

  /** The vectors a search visited in all segments (the total hits of the per-segment results). */
  private static long visits(DirectoryReader reader, float[] query, KnnSearchStrategy strategy)
      throws IOException {
    long visited = 0;
    for (LeafReaderContext leaf : reader.leaves()) {
      org.apache.lucene.search.TopKnnCollector collector =
          new org.apache.lucene.search.TopKnnCollector(10, Integer.MAX_VALUE, strategy);
      leaf.reader()
          .searchNearestVectors(
              "v",
              query,
              collector,
              org.apache.lucene.search.AcceptDocs.fromLiveDocs(
                  leaf.reader().getLiveDocs(), leaf.reader().maxDoc()));
      visited += collector.visitedCount();
    }
    return visited;
  }

  private static double recall(
      IndexSearcher searcher,
      TopDocs hits,
      float[][] vectors,
      int n,
      float[] query,
      VectorSimilarityFunction similarity)
      throws IOException {
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      scores[i] = similarity.compare(query, vectors[i]);
    }
    float[] sorted = scores.clone();
    Arrays.sort(sorted);
    float kth = sorted[n - 10];
    Set<Integer> seen = new HashSet<>();
    int found = 0;
    for (ScoreDoc hit : hits.scoreDocs) {
      int id = searcher.storedFields().document(hit.doc).getField("id").numericValue().intValue();
      if (seen.add(id) && scores[id] >= kth) {
        found++;
      }
    }
    return found / 10.0;
  }

  private static float[][] clustered(Random random, int n, int clusters) {
    float[][] centers = new float[clusters][DIMS];
    for (float[] c : centers) {
      for (int d = 0; d < DIMS; d++) {
        c[d] = (float) random.nextGaussian() * 3;
      }
    }
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] c = centers[random.nextInt(clusters)];
      float[] v = new float[DIMS];
      for (int d = 0; d < DIMS; d++) {
        v[d] = c[d] + (float) random.nextGaussian();
      }
      out.add(v);
    }
    return out.toArray(new float[0][]);
  }
}
