package io.iqdb.bench.jmh;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.internal.FaultHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.util.IOUtils;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Upsert throughput per durability mode with 1 and 8 writer threads. Every call writes new ids
 * (a shared counter), {@code batch} records at a time ({@code upsert} for 1, {@code upsertAll}
 * otherwise); the score is calls per second, so records per second is score times batch.
 *
 * <p>Each trial starts from an empty database in a temporary directory under the cache directory
 * (so on the same file system as the indexes, where fsync cost is realistic); {@code ASYNC} syncs
 * every 100 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class UpsertBenchmark {

  /** Durability mode: {@code sync}, {@code async} (100 ms) or {@code none}. */
  @Param({"sync", "async", "none"})
  public String durability;

  /** The index kind, see {@link BenchIndexes#spec}. */
  @Param({"hnsw"})
  public String index;

  /** Vector dimension. */
  @Param({"128"})
  public int dim;

  /** Records per call. */
  @Param({"1", "100"})
  public int batch;

  /**
   * Microseconds added to every fsync of the write-ahead log (a {@link SlowFsyncWalFileSystem}
   * through the core's fault-injection hook), to see group commit on a disk slower to flush than
   * this machine's, such as a consumer SSD (0.5 to 2 ms); 0 for the disk as it is.
   */
  @Param({"0"})
  public int fsyncDelayMicros;

  private final AtomicLong nextId = new AtomicLong();
  private Path dir;
  private Iqdb db;
  private VectorCollection collection;
  private float[][] vectors;

  /** Creates the benchmark state (JMH calls this). */
  public UpsertBenchmark() {}

  /**
   * Creates an empty database with the chosen durability.
   *
   * @throws IOException if the directory cannot be created
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    Files.createDirectories(BenchIndexes.cacheDir());
    dir = Files.createTempDirectory(BenchIndexes.cacheDir(), "upsert-");
    Durability mode = switch (durability) {
      case "sync" -> Durability.sync();
      case "async" -> Durability.async(Duration.ofMillis(100));
      case "none" -> Durability.none();
      default -> throw new IllegalArgumentException("unknown durability " + durability);
    };
    Iqdb.Builder builder = Iqdb.builder().path(dir).durability(mode);
    if (fsyncDelayMicros < 0) {
      throw new IllegalArgumentException("fsyncDelayMicros must be >= 0; fsyncDelayMicros=" + fsyncDelayMicros);
    }
    if (fsyncDelayMicros > 0) {
      builder.faultHooks(FaultHooks.NONE.withWalFileSystem(
          new SlowFsyncWalFileSystem(Duration.ofNanos(fsyncDelayMicros * 1000L))));
    }
    db = builder.open();
    collection = db.createCollection("upserts", CollectionConfig.builder(dim, Metric.L2).index(BenchIndexes.spec(index)).build());
    SplittableRandom random = new SplittableRandom(3);
    vectors = new float[4096][dim];
    for (float[] v : vectors) {
      for (int i = 0; i < dim; i++) {
        v[i] = (float) random.nextDouble();
      }
    }
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

  private void write() {
    if (batch == 1) {
      long id = nextId.getAndIncrement();
      collection.upsert(Long.toString(id), vectors[(int) (id & (vectors.length - 1))]);
      return;
    }
    long first = nextId.getAndAdd(batch);
    List<VectorRecord> records = new ArrayList<>(batch);
    for (long id = first; id < first + batch; id++) {
      records.add(VectorRecord.of(Long.toString(id), vectors[(int) (id & (vectors.length - 1))]));
    }
    collection.upsertAll(records);
  }

  /** One writer thread. */
  @Benchmark
  @Threads(1)
  public void writers1() {
    write();
  }

  /** Eight writer threads sharing the collection. */
  @Benchmark
  @Threads(8)
  public void writers8() {
    write();
  }
}
