package io.iqdb.bench.jmh;

import io.iqdb.CollectionConfig;
import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.RefreshPolicy;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * Upsert latency (JMH {@code SampleTime}: the distribution of single calls, p99 included) while
 * {@code flush()} commits {@code flushRecords} buffered IVF records, against the same upserts with
 * nothing else running.
 *
 * <p>Each iteration gets a new collection (so every iteration flushes the same amount and no merge
 * of earlier iterations runs): its setup loads {@code flushRecords} records of the seeded clustered
 * dataset, in batches of 1,000 from {@code loaders} threads (as concurrent writers would; Lucene
 * gives each thread indexing at the same moment a buffer of its own), into the index writer's
 * buffers (512 MiB, and a refresh policy that does not refresh during the load, so the flush turns
 * them into IVF segments: k-means over all of them, posting lists, fsyncs), then, with {@code
 * flushing=true},
 * starts {@code flush()} on a thread of its own. The measured method upserts one new record (one
 * call, {@code durability} as given). The iteration's teardown waits for the flush and prints how
 * long it took and whether it was still running when the iteration ended: keep the iteration ({@code
 * -r}) shorter than the flush, or the later samples are upserts after the flush, not during it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class UpsertDuringFlushBenchmark {

  /** Whether a flush runs during the iteration ({@code false}: the same upserts alone). */
  @Param({"true", "false"})
  public boolean flushing;

  /** The index kind, see {@link BenchIndexes#spec}. */
  @Param({"ivf"})
  public String index;

  /** Vector dimension. */
  @Param({"128"})
  public int dim;

  /** Records buffered before the flush. */
  @Param({"100000"})
  public int flushRecords;

  /** Threads that load the records before the flush. */
  @Param({"2"})
  public int loaders;

  /** Durability of the upserts: {@code sync} or {@code none}. */
  @Param({"sync"})
  public String durability;

  private Path dir;
  private Iqdb db;
  private float[][] vectors;
  private final AtomicInteger iteration = new AtomicInteger();
  private final AtomicLong nextId = new AtomicLong();
  private volatile VectorCollection collection;
  private Thread flusher;
  private volatile long flushNanos;
  private volatile Throwable flushFailure;
  private long iterationStart;

  /** Creates the benchmark state (JMH calls this). */
  public UpsertDuringFlushBenchmark() {}

  /**
   * Opens an empty database: no background commit, no refresh during the load.
   *
   * @throws IOException if the directory cannot be created
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    Files.createDirectories(BenchIndexes.cacheDir());
    dir = Files.createTempDirectory(BenchIndexes.cacheDir(), "upsert-flush-");
    Durability mode = switch (durability) {
      case "sync" -> Durability.sync();
      case "none" -> Durability.none();
      default -> throw new IllegalArgumentException("durability must be sync or none; durability=" + durability);
    };
    db = Iqdb.builder().path(dir).durability(mode).ramBufferMb(512)
        .commitPolicy(CommitPolicy.never())
        .refreshPolicy(new RefreshPolicy(Duration.ofHours(1), RefreshPolicy.MAX_TAIL_RECORDS))
        .open();
    vectors = BenchIndexes.data(flushRecords, dim).train();
  }

  /**
   * Creates this iteration's collection, buffers its records and starts the flush.
   *
   * @throws InterruptedException if interrupted while loading
   */
  @Setup(Level.Iteration)
  public void startFlush() throws InterruptedException {
    VectorCollection c = db.createCollection("c" + iteration.incrementAndGet(),
        CollectionConfig.builder(dim, Metric.L2).index(BenchIndexes.spec(index)).build());
    Thread[] threads = new Thread[loaders];
    AtomicReference<Throwable> loadFailure = new AtomicReference<>();
    for (int t = 0; t < loaders; t++) {
      int first = (int) ((long) flushRecords * t / loaders);
      int end = (int) ((long) flushRecords * (t + 1) / loaders);
      threads[t] = new Thread(() -> {
        try {
          List<VectorRecord> batch = new ArrayList<>(1000);
          for (int i = first; i < end; i++) {
            batch.add(VectorRecord.of("b" + i, vectors[i]));
            if (batch.size() == 1000 || i == end - 1) {
              c.upsertAll(batch);
              batch.clear();
            }
          }
        } catch (RuntimeException e) {
          loadFailure.set(e);
        }
      }, "loader-" + t);
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (loadFailure.get() != null) {
      throw new IllegalStateException("the load failed", loadFailure.get());
    }
    collection = c;
    flushNanos = -1;
    flushFailure = null;
    iterationStart = System.nanoTime();
    if (flushing) {
      flusher = new Thread(() -> {
        long start = System.nanoTime();
        try {
          c.flush();
        } catch (RuntimeException e) {
          flushFailure = e;
        }
        flushNanos = System.nanoTime() - start;
      }, "flusher");
      flusher.start();
    }
  }

  /**
   * Waits for the flush, reports it, and drops the collection.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  @TearDown(Level.Iteration)
  public void endFlush() throws InterruptedException {
    long iterationNanos = System.nanoTime() - iterationStart;
    if (flusher != null) {
      boolean runningAtEnd = flushNanos < 0;
      flusher.join();
      flusher = null;
      System.out.printf(" [flush of %,d records: %,d ms; iteration %,d ms; flush %s when the iteration ended]%n",
          flushRecords, flushNanos / 1_000_000, iterationNanos / 1_000_000, runningAtEnd ? "still running" : "done");
      if (flushFailure != null) {
        throw new IllegalStateException("the flush failed", flushFailure);
      }
    }
    db.dropCollection(collection.name());
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

  /** One writer: upserts one new record. */
  @Benchmark
  @Threads(1)
  public void upsert() {
    long id = nextId.getAndIncrement();
    collection.upsert("n" + id, vectors[(int) (id % vectors.length)]);
  }
}
