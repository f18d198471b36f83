package io.iqdb.bench.jmh;

import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Quantization;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.bench.data.Dataset;
import io.iqdb.codecs.Oversampling;
import io.iqdb.codecs.ivf.IvfSearchStrategy;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.store.FSDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Search latency per index kind, {@code k} and dimension: iQDB's {@code search} beside a raw
 * Lucene {@link KnnFloatVectorQuery} on the very same Lucene index (the collection's own index
 * directory, opened read-only with a plain {@link DirectoryReader}).
 *
 * <p>The raw query asks Lucene for {@code max(k, ef)} hits, the candidate count iQDB passes for a
 * float HNSW index, so the difference between the two is iQDB's own overhead (request checks,
 * searcher acquisition, id lookup, hit objects). For flat indexes iQDB runs an exact scan while the
 * raw query does whatever the index's vector format does. Run with {@code -prof gc} for bytes
 * allocated per search ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SearchBenchmark {

  /** The index kind, see {@link BenchIndexes#spec}. */
  @Param({"flat", "ivf", "hnsw", "hnsw-int8", "hnsw-int4", "ivf-int8"})
  public String index;

  /** Neighbours per search. */
  @Param({"10", "100"})
  public int k;

  /** Vector dimension. */
  @Param({"128", "784", "1536"})
  public int dim;

  /** Vectors in the collection. */
  @Param({"20000"})
  public int size;

  /** HNSW candidate count for both iQDB and raw Lucene. */
  @Param({"100"})
  public int ef;

  private Iqdb db;
  private VectorCollection collection;
  private float[][] queries;
  private DirectoryReader reader;
  private IndexSearcher searcher;
  private String field;
  private int candidates;
  private KnnSearchStrategy strategy;

  /** Creates the benchmark state (JMH calls this). */
  public SearchBenchmark() {}

  /** Per-thread position in the query list, so that consecutive calls search different vectors. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    /** Creates the cursor (JMH calls this). */
    public Cursor() {}

    float[] query(float[][] queries) {
      float[] q = queries[next];
      next = next + 1 == queries.length ? 0 : next + 1;
      return q;
    }
  }

  /**
   * Opens (building on first use) the collection and a raw reader on its index.
   *
   * @throws IOException if the index cannot be opened
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    Dataset data = BenchIndexes.data(size, dim);
    queries = data.queries();
    db = BenchIndexes.open(index, data);
    collection = db.collection(BenchIndexes.COLLECTION);
    reader = DirectoryReader.open(FSDirectory.open(BenchIndexes.luceneIndexDir(db.path().orElseThrow())));
    searcher = new IndexSearcher(reader);
    field = BenchIndexes.vectorField(reader);
    IndexSpec spec = BenchIndexes.spec(index);
    candidates = k;
    strategy = spec instanceof IndexSpec.Ivf
        ? new IvfSearchStrategy(0, 0f, SearchRequest.DEFAULT_TARGET_RECALL)
        : KnnSearchStrategy.Hnsw.DEFAULT;
    if (spec instanceof IndexSpec.Hnsw) {
      float oversample = spec.quantization() == Quantization.NONE ? 1f : Oversampling.hnsw(bits(spec.quantization()));
      candidates = Math.max((int) Math.ceil(k * (double) oversample), Math.max(k, ef));
    }
  }

  private static int bits(Quantization q) {
    return switch (q) {
      case NONE -> 32;
      case INT8 -> 8;
      case INT7 -> 7;
      case INT4 -> 4;
      case BIT1 -> 1;
    };
  }

  /**
   * Closes the reader and the database.
   *
   * @throws IOException if closing fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    reader.close();
    db.close();
  }

  /**
   * One iQDB search, ids and scores only.
   *
   * @param cursor the thread's query cursor
   * @return the hits (returned so JMH consumes them)
   */
  @Benchmark
  public List<Hit> iqdbSearch(Cursor cursor) {
    SearchRequest request = SearchRequest.of(cursor.query(queries), k).includePayload(false);
    if (BenchIndexes.spec(index) instanceof IndexSpec.Hnsw) {
      request = request.ef(ef);
    }
    return collection.search(request);
  }

  /**
   * The raw Lucene query that does iQDB's search: a {@link KnnFloatVectorQuery} for as many
   * candidates as iQDB asks the index for ({@code max(k, ef)} on float HNSW, {@code max(k x
   * oversample, ef)} on quantized HNSW, {@code k} on flat and IVF), collecting the best {@code k};
   * on IVF with the search strategy iQDB passes (the probes each segment calibrated for the default
   * target recall; Lucene's default strategy would probe the format's default count, another
   * search). The baseline of bytes per query for {@code k} hits: iQDB's search should allocate
   * little more.
   * On quantized HNSW the index's reader rescores the candidates against the float vectors for
   * both (segments of the dedup format); {@link #luceneKnnQuery} keeps all the candidates.
   *
   * @param cursor the thread's query cursor
   * @return the top docs
   * @throws IOException if the search fails
   */
  @Benchmark
  public TopDocs luceneTopK(Cursor cursor) throws IOException {
    return searcher.search(new KnnFloatVectorQuery(field, cursor.query(queries), candidates, null, strategy), k);
  }

  /**
   * One raw Lucene {@link KnnFloatVectorQuery} on the same index.
   *
   * @param cursor the thread's query cursor
   * @return the top docs
   * @throws IOException if the search fails
   */
  @Benchmark
  public TopDocs luceneKnnQuery(Cursor cursor) throws IOException {
    int candidates = Math.max(k, ef);
    return searcher.search(new KnnFloatVectorQuery(field, cursor.query(queries), candidates), candidates);
  }
}
