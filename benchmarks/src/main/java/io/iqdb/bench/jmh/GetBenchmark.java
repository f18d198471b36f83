package io.iqdb.bench.jmh;

import io.iqdb.Iqdb;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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

/** Latency of {@link VectorCollection#get} by a random existing id, per dimension. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GetBenchmark {

  /** The index kind, see {@link BenchIndexes#spec}. */
  @Param({"hnsw"})
  public String index;

  /** Vector dimension. */
  @Param({"128", "784", "1536"})
  public int dim;

  /** Vectors in the collection. */
  @Param({"20000"})
  public int size;

  private Iqdb db;
  private VectorCollection collection;
  private String[] ids;

  /** Creates the benchmark state (JMH calls this). */
  public GetBenchmark() {}

  /** Per-thread random source of ids. */
  @State(Scope.Thread)
  public static class Ids {
    final SplittableRandom random = new SplittableRandom(11);

    /** Creates the id source (JMH calls this). */
    public Ids() {}
  }

  /**
   * Opens (building on first use) the collection.
   *
   * @throws IOException if the cache cannot be prepared
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    db = BenchIndexes.open(index, BenchIndexes.data(size, dim));
    collection = db.collection(BenchIndexes.COLLECTION);
    ids = new String[size];
    for (int i = 0; i < size; i++) {
      ids[i] = Integer.toString(i);
    }
  }

  /** Closes the database. */
  @TearDown(Level.Trial)
  public void tearDown() {
    db.close();
  }

  /**
   * One get of an existing record (vector and payload).
   *
   * @param source the thread's random ids
   * @return the record
   */
  @Benchmark
  public Optional<VectorRecord> get(Ids source) {
    return collection.get(ids[source.random.nextInt(ids.length)]);
  }
}
