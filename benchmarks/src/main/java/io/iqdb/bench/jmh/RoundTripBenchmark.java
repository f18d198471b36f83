package io.iqdb.bench.jmh;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Hit;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.bench.data.Dataset;
import io.iqdb.bench.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
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
 * The read-your-writes round trip of issue 14: a collection of {@code size} vectors of {@code dim}
 * dimensions (the seeded clustered unit vectors of {@link Datasets#syntheticCosine}, cosine), then
 * rounds of "upsert one new record (the dataset's query vectors, in turn, under new ids), search
 * for it (k=5)", one thread. Rounds of "upsert one new record, search for it (k=5)", one
 * thread. iQDB writes in SYNC mode (the log fsynced before the upsert returns; or NONE) and serves the new
 * record from its in-memory tail; raw Lucene HNSW (M=16, beam width 100, the codec's default) adds
 * the document and reopens its near-real-time reader after each write, which is what a
 * read-your-writes round costs without a tail. The score is rounds per second.
 *
 * <p>Both start from one segment (force-merged after the load). Each trial builds its index in a temporary directory under the cache directory (the file
 * system where fsync cost is realistic) and deletes it afterwards. Teardown prints how many rounds
 * found the record just written as the best hit (every round should).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 3)
public class RoundTripBenchmark {

  /** {@code flat}, {@code hnsw}, {@code ivf} (iQDB) or {@code lucene-hnsw} (raw Lucene, NRT reopen per write). */
  @Param({"flat", "hnsw", "ivf", "lucene-hnsw"})
  public String system;

  /** iQDB's durability: {@code sync} (the target) or {@code none}; raw Lucene ignores it (no fsync). */
  @Param({"sync"})
  public String durability;

  /** Vector dimension. */
  @Param({"384"})
  public int dim;

  /** Records in the collection before the rounds. */
  @Param({"20000"})
  public int size;

  private Path dir;
  private Iqdb db;
  private VectorCollection collection;
  private IndexWriter writer;
  private DirectoryReader reader;
  /**
   * How many distinct new vectors the rounds write, in turn. A round that writes a vector again
   * (under a new id) ties with its earlier copy, so it may not find its own id first.
   */
  private static final int FRESH = 20_000;

  private float[][] fresh;
  private long next;
  private long rounds;
  private long found;

  /** Creates the benchmark state (JMH calls this). */
  public RoundTripBenchmark() {}

  /**
   * Builds the collection or the raw Lucene index.
   *
   * @throws IOException if the directory cannot be created or indexed
   */
  @Setup(Level.Trial)
  public void setup() throws IOException {
    Files.createDirectories(BenchIndexes.cacheDir());
    dir = Files.createTempDirectory(BenchIndexes.cacheDir(), "roundtrip-");
    Dataset data = Datasets.syntheticCosine(size, dim, FRESH, BenchIndexes.SEED);
    fresh = data.queries();
    if (system.equals("lucene-hnsw")) {
      writer = new IndexWriter(FSDirectory.open(dir), new IndexWriterConfig().setRAMBufferSizeMB(64));
      for (int i = 0; i < size; i++) {
        writer.addDocument(document("b" + i, data.train()[i]));
      }
      writer.forceMerge(1);
      writer.commit();
      reader = DirectoryReader.open(writer);
    } else {
      db = Iqdb.builder().path(dir)
          .durability(durability.equals("none") ? Durability.none() : Durability.sync()).open();
      collection = db.createCollection("roundtrip",
          CollectionConfig.builder(dim, Metric.COSINE).index(BenchIndexes.spec(system)).build());
      BenchIndexes.load(collection, data.train(), size);
    }
  }

  private Document document(String id, float[] v) {
    Document doc = new Document();
    doc.add(new StringField("id", id, Field.Store.NO));
    doc.add(new StoredField("id", id));
    doc.add(new KnnFloatVectorField("v", v, VectorSimilarityFunction.COSINE));
    return doc;
  }

  /**
   * Closes and deletes everything; prints how many rounds found their record first.
   *
   * @throws IOException if it cannot be deleted
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    System.out.println();
    System.out.println("RoundTripBenchmark " + system + " " + durability + ": " + found + " of " + rounds
        + " rounds found the record just written as the best hit");
    if (db != null) {
      db.close();
    }
    IOUtils.close(reader, writer);
    IOUtils.rm(dir);
  }

  /**
   * One round: upsert a new record, then search for its vector, k=5.
   *
   * @return the best hit's id
   * @throws IOException from raw Lucene
   */
  @Benchmark
  public String round() throws IOException {
    float[] v = fresh[(int) (next % fresh.length)];
    String id = "n" + next++;
    String best;
    if (collection != null) {
      collection.upsert(id, v);
      List<Hit> hits = collection.search(SearchRequest.of(v, 5).includePayload(false));
      best = hits.isEmpty() ? null : hits.get(0).id();
    } else {
      writer.updateDocument(new Term("id", id), document(id, v));
      DirectoryReader fresh = DirectoryReader.openIfChanged(reader, writer);
      if (fresh != null) {
        reader.close();
        reader = fresh;
      }
      IndexSearcher searcher = new IndexSearcher(reader);
      ScoreDoc[] hits = searcher.search(new KnnFloatVectorQuery("v", v, 5), 5).scoreDocs;
      best = hits.length == 0 ? null : searcher.storedFields().document(hits[0].doc).get("id");
    }
    rounds++;
    if (id.equals(best)) {
      found++;
    }
    return best;
  }
}
