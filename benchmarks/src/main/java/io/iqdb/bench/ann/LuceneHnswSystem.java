package io.iqdb.bench.ann;

import io.iqdb.Metric;
import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogByteSizeMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Raw Lucene HNSW: one {@link KnnFloatVectorField} per document in an index written with
 * {@link Lucene99HnswVectorsFormat}, searched with {@link KnnFloatVectorQuery}.
 *
 * <p>The index is force-merged into one segment, so document ids equal dataset positions (a
 * {@link LogByteSizeMergePolicy} only merges adjacent segments, which keeps insertion order) and
 * the search walks one graph, as the single-graph peers do. The swept parameter {@code ef} is the
 * {@code k} given to the query (Lucene's beam width at search time); the first {@code k} hits are
 * kept, as Lucene's own KnnGraphTester does with its {@code fanout}.
 */
public final class LuceneHnswSystem implements AnnSystem {

  static final String FIELD = "v";

  private final int m;
  private final int beamWidth;
  private final List<Integer> sweep;
  private Directory directory;
  private DirectoryReader reader;
  private IndexSearcher searcher;
  private Path indexDir;

  /**
   * Creates the system.
   *
   * @param m HNSW max connections per node on upper layers (twice that on layer 0)
   * @param beamWidth HNSW beam width at build time
   * @param sweep the values of {@code ef} to measure
   */
  public LuceneHnswSystem(int m, int beamWidth, List<Integer> sweep) {
    this.m = m;
    this.beamWidth = beamWidth;
    this.sweep = List.copyOf(sweep);
  }

  @Override
  public String name() {
    return "lucene-hnsw";
  }

  @Override
  public String parameterName() {
    return "ef";
  }

  @Override
  public List<Integer> sweep() {
    return sweep;
  }

  @Override
  public int buildThreads() {
    return 1;
  }

  @Override
  public String description() {
    return "Lucene " + org.apache.lucene.util.Version.LATEST + " Lucene99HnswVectorsFormat(M=" + m
        + ", beamWidth=" + beamWidth + "), one segment, indexed by one thread, KnnFloatVectorQuery(k=ef)";
  }

  /**
   * Maps a dataset metric to Lucene's similarity.
   *
   * @param metric the metric
   * @return the similarity function
   */
  static VectorSimilarityFunction similarity(Metric metric) {
    return switch (metric) {
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
      case COSINE -> VectorSimilarityFunction.COSINE;
      case DOT -> VectorSimilarityFunction.DOT_PRODUCT;
      case MAX_INNER_PRODUCT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    };
  }

  @Override
  public void build(Dataset dataset, Path workDir) throws IOException {
    indexDir = workDir;
    directory = FSDirectory.open(workDir);
    KnnVectorsFormat format = new Lucene99HnswVectorsFormat(m, beamWidth);
    IndexWriterConfig config = new IndexWriterConfig()
        .setCodec(new Lucene104Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return format;
          }
        })
        .setMergePolicy(new LogByteSizeMergePolicy())
        // A large buffer flushes few segments, so little of the graph is rebuilt by the merge.
        .setRAMBufferSizeMB(ramBufferMb());
    VectorSimilarityFunction similarity = similarity(dataset.metric());
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      for (float[] v : dataset.train()) {
        Document doc = new Document();
        doc.add(new KnnFloatVectorField(FIELD, v, similarity));
        writer.addDocument(doc);
      }
      writer.forceMerge(1);
      writer.commit();
    }
    reader = DirectoryReader.open(directory);
    if (reader.maxDoc() != dataset.train().length || reader.leaves().size() != 1) {
      throw new IllegalStateException("expected one segment of " + dataset.train().length
          + " documents; got " + reader.leaves().size() + " segments, maxDoc=" + reader.maxDoc());
    }
    searcher = new IndexSearcher(reader);
  }

  static double ramBufferMb() {
    long maxHeapMb = Runtime.getRuntime().maxMemory() >> 20;
    return Math.max(16, Math.min(1900, maxHeapMb / 3));
  }

  @Override
  public int[] search(float[] query, int k, int ef) throws IOException {
    TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, query, Math.max(k, ef)), Math.max(k, ef));
    int n = Math.min(k, top.scoreDocs.length);
    int[] ids = new int[n];
    ScoreDoc[] docs = top.scoreDocs;
    for (int i = 0; i < n; i++) {
      ids[i] = docs[i].doc;
    }
    return ids;
  }

  @Override
  public long sizeOnDisk() throws IOException {
    return directorySize(indexDir);
  }

  /**
   * Returns the total size of the regular files under a directory.
   *
   * @param dir the directory
   * @return the size in bytes
   * @throws IOException if the directory cannot be listed
   */
  static long directorySize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // a file removed while walking (e.g. a merged-away segment) no longer counts
        }
      }).sum();
    }
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
    }
    if (directory != null) {
      directory.close();
    }
  }
}
