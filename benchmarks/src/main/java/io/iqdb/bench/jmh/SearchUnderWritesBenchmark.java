package io.iqdb.bench.jmh;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Hit;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.RefreshPolicy;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.bench.data.Dataset;
import io.iqdb.bench.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.util.IOUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
 * Search throughput (k=10, one searching thread) on a collection of {@code size} vectors (the
 * seeded clustered unit vectors of {@link Datasets#syntheticCosine}, cosine; half its query vectors
 * are the queries, the other half, under new ids, the records the writers write), alone ({@code alone}) and while writer threads upsert new records continuously
 * in SYNC mode ({@code withWriters}; the writer count is {@code -tg 1,N}, default one). Reads never
 * refresh: the writes since the last background refresh are searched from the tail.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
public class SearchUnderWritesBenchmark {

  /** The index kind, see {@link BenchIndexes#spec}. */
  @Param({"hnsw"})
  public String index;

  /** Vector dimension. */
  @Param({"384"})
  public int dim;

  /** Records in the collection before the run. */
  @Param({"20000"})
  public int size;

  /** The refresh policy's age trigger in milliseconds (its tail size trigger stays the default). */
  @Param({"1000"})
  public long refreshAgeMs;

  private Path dir;
  private Iqdb db;
  private VectorCollection collection;
  private float[][] queries;
  private float[][] vectors;
  private final AtomicLong next = new AtomicLong();

  /** Creates the benchmark state (JMH calls this). */
  public SearchUnderWritesBenchmark() {}

  /**
   * Builds the collection.
   *
   * @throws IOException if the directory cannot be created
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    Files.createDirectories(BenchIndexes.cacheDir());
    dir = Files.createTempDirectory(BenchIndexes.cacheDir(), "search-writes-");
    Dataset data = Datasets.syntheticCosine(size, dim, 8192, BenchIndexes.SEED);
    queries = java.util.Arrays.copyOfRange(data.queries(), 0, 4096);
    vectors = java.util.Arrays.copyOfRange(data.queries(), 4096, 8192);
    db = Iqdb.builder().path(dir).durability(Durability.sync())
        .refreshPolicy(new RefreshPolicy(Duration.ofMillis(refreshAgeMs), RefreshPolicy.DEFAULT_MAX_TAIL_RECORDS))
        .open();
    collection = db.createCollection("searches",
        CollectionConfig.builder(dim, Metric.COSINE).index(BenchIndexes.spec(index)).build());
    BenchIndexes.load(collection, data.train(), size);
  }

  /**
   * Closes and deletes the database.
   *
   * @throws IOException if it cannot be deleted
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    db.close();
    IOUtils.rm(dir);
  }

  private List<Hit> search() {
    float[] q = queries[(int) ((System.nanoTime() >>> 4) & (queries.length - 1))];
    return collection.search(SearchRequest.of(q, 10).includePayload(false));
  }

  /**
   * A search, nothing else running.
   *
   * @return the hits
   */
  @Benchmark
  @Group("alone")
  @GroupThreads(1)
  public List<Hit> searchAlone() {
    return search();
  }

  /**
   * A search while the group's writers write.
   *
   * @return the hits
   */
  @Benchmark
  @Group("withWriters")
  @GroupThreads(1)
  public List<Hit> search1() {
    return search();
  }

  /** A writer: upserts one new record. */
  @Benchmark
  @Group("withWriters")
  @GroupThreads(1)
  public void write() {
    long id = next.getAndIncrement();
    collection.upsert("n" + id, vectors[(int) (id & (vectors.length - 1))]);
  }
}
