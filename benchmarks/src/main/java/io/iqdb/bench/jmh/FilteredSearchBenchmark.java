package io.iqdb.bench.jmh;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Filter;
import io.iqdb.Hit;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Filtered search latency per plan and selectivity: iQDB's default (the per-segment planner),
 * forced exact ({@code exact(true)}), forced to the index ({@code forceIndex(true)}), and a raw
 * Lucene {@link KnnFloatVectorQuery} with the same filter as a {@link LongPoint} range query on the
 * very same Lucene index. Each record {@code i} has the payload {@code r = i % 10,000}; a filter
 * {@code r < selectivity * 10,000} matches that share of the records, spread evenly over them (a
 * random filter: it does not follow the query's neighbourhood). The database is built per trial in
 * a temporary directory and compacted to one segment.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FilteredSearchBenchmark {

  /** The index kind, see {@link BenchIndexes#spec}. */
  @Param({"hnsw", "ivf"})
  public String index;

  /** The share of records the filter matches. */
  @Param({"0.5", "0.1", "0.01", "0.001"})
  public double selectivity;

  /** {@code default} (planner), {@code exact} or {@code index}; raw Lucene is its own method. */
  @Param({"default", "exact", "index"})
  public String plan;

  /** Vector dimension. */
  @Param({"128"})
  public int dim;

  /** Vectors in the collection. */
  @Param({"20000"})
  public int size;

  private Path dir;
  private Iqdb db;
  private VectorCollection collection;
  private float[][] queries;
  private DirectoryReader reader;
  private IndexSearcher searcher;
  private String field;
  private long below;

  /** Creates the benchmark state (JMH calls this). */
  public FilteredSearchBenchmark() {}

  /**
   * Builds the collection and opens a raw reader on its index.
   *
   * @throws IOException if the index cannot be built or opened
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    Dataset data = BenchIndexes.data(size, dim);
    queries = data.queries();
    below = Math.max(1, Math.round(selectivity * 10_000));
    dir = Files.createTempDirectory("iqdb-filtered-jmh");
    db = Iqdb.builder().path(dir).durability(Durability.none()).open();
    collection = db.createCollection(BenchIndexes.COLLECTION,
        CollectionConfig.builder(dim, Metric.L2).index(BenchIndexes.spec(index)).build());
    List<VectorRecord> batch = new ArrayList<>();
    for (int i = 0; i < data.train().length; i++) {
      batch.add(VectorRecord.of(Integer.toString(i), data.train()[i], Payload.of("r", (long) (i % 10_000))));
      if (batch.size() == 1000) {
        collection.upsertAll(batch);
        batch.clear();
      }
    }
    collection.upsertAll(batch);
    collection.flush();
    collection.compact(1);
    reader = DirectoryReader.open(FSDirectory.open(BenchIndexes.luceneIndexDir(dir)));
    searcher = new IndexSearcher(reader);
    field = BenchIndexes.vectorField(reader);
  }

  /**
   * Closes the reader and the database and deletes them.
   *
   * @throws IOException if closing fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    reader.close();
    db.close();
    IOUtils.rm(dir);
  }

  /**
   * One filtered iQDB search with the benchmark's plan.
   *
   * @param cursor the thread's query cursor
   * @return the hits
   */
  @Benchmark
  public List<Hit> iqdbFiltered(SearchBenchmark.Cursor cursor) {
    return collection.search(SearchRequest.of(cursor.query(queries), 10).includePayload(false)
        .filter(Filter.range("r", 0, below - 1)).exact(plan.equals("exact")).forceIndex(plan.equals("index")));
  }

  /**
   * One raw Lucene filtered {@link KnnFloatVectorQuery} ({@code k = 100}, iQDB's default {@code ef})
   * on the same index; independent of {@code plan}.
   *
   * @param cursor the thread's query cursor
   * @return the top docs
   * @throws IOException if the search fails
   */
  @Benchmark
  public TopDocs luceneFiltered(SearchBenchmark.Cursor cursor) throws IOException {
    return searcher.search(
        new KnnFloatVectorQuery(field, cursor.query(queries), 100, LongPoint.newRangeQuery("r", 0, below - 1)), 10);
  }
}
