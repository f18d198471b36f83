package io.iqdb.bench.jmh;

import org.apache.lucene.util.IOUtils;
import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.bench.data.Dataset;
import io.iqdb.bench.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;

/**
 * Builds, caches and reopens the iQDB databases the JMH benchmarks search.
 *
 * <p>JMH runs every parameter combination in a fresh JVM, so a database is built once per
 * (index kind, dimension, size) into {@code <cache>/<kind>-<dim>d-<size>} and reopened by later
 * forks; a {@code complete} marker file written after the build tells a finished build from an
 * interrupted one, which is rebuilt. The cache directory is the system property
 * {@code iqdb.bench.cache}, else {@code benchmarks/data/jmh} when run from the repository root,
 * else {@code data/jmh}.
 */
public final class BenchIndexes {

  /** The collection name inside every benchmark database. */
  public static final String COLLECTION = "bench";

  /** Seed of the benchmark data. */
  public static final long SEED = 7L;

  private BenchIndexes() {}

  /**
   * Maps a benchmark index name to an {@link IndexSpec}.
   *
   * @param kind {@code flat}, {@code ivf}, {@code hnsw}, optionally followed by {@code -int8},
   *     {@code -int7}, {@code -int4} or {@code -bit1}
   * @return the spec (HNSW with M=16, beam width 100; IVF with iQDB's default list count)
   */
  public static IndexSpec spec(String kind) {
    String[] parts = kind.split("-", 2);
    Quantization q = parts.length == 1 ? Quantization.NONE : Quantization.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT));
    return switch (parts[0]) {
      case "flat" -> IndexSpec.flat(q);
      case "ivf" -> IndexSpec.ivf().withQuantization(q);
      case "hnsw" -> IndexSpec.hnsw().withQuantization(q);
      default -> throw new IllegalArgumentException("unknown index kind " + kind);
    };
  }

  /**
   * Returns the benchmark dataset: seeded clustered vectors, L2.
   *
   * @param size the number of vectors
   * @param dimension the dimension
   * @return the dataset, with 1,000 queries
   */
  public static Dataset data(int size, int dimension) {
    return Datasets.synthetic(size, dimension, 1000, SEED);
  }

  /**
   * Opens the cached database for an index kind, building it first if needed.
   *
   * @param kind the index kind, see {@link #spec}
   * @param dataset the data to index
   * @return the open database; its collection {@link #COLLECTION} holds the dataset, ids
   *     {@code "0"} to {@code "n-1"}
   * @throws IOException if the cache directory cannot be prepared
   */
  public static Iqdb open(String kind, Dataset dataset) throws IOException {
    Path dir = cacheDir().resolve(kind + "-" + dataset.dimension() + "d-" + dataset.train().length);
    Path marker = dir.resolve("complete");
    if (!Files.exists(marker)) {
      IOUtils.rm(dir);
      Files.createDirectories(dir.getParent());
      try (Iqdb db = Iqdb.builder().path(dir).durability(Durability.none()).open()) {
        VectorCollection c = db.createCollection(COLLECTION,
            CollectionConfig.builder(dataset.dimension(), Metric.L2).index(spec(kind)).build());
        float[][] train = dataset.train();
        List<VectorRecord> batch = new ArrayList<>();
        for (int i = 0; i < train.length; i++) {
          batch.add(VectorRecord.of(Integer.toString(i), train[i]));
          if (batch.size() == 1000 || i == train.length - 1) {
            c.upsertAll(batch);
            batch.clear();
          }
        }
        c.flush();
        c.compact(1);
      }
      Files.writeString(marker, "built\n");
    }
    return Iqdb.open(dir);
  }

  /**
   * Finds the Lucene index directory inside a database directory (the one holding a
   * {@code segments_N} file), to search it with raw Lucene beside iQDB.
   *
   * @param database the database directory
   * @return the index directory
   * @throws IOException if none is found
   */
  public static Path luceneIndexDir(Path database) throws IOException {
    try (Stream<Path> files = Files.walk(database)) {
      Optional<Path> dir = files.filter(p -> p.getFileName().toString().startsWith("segments_"))
          .map(Path::getParent).findFirst();
      return dir.orElseThrow(() -> new IOException("no Lucene index under " + database));
    }
  }

  /**
   * Returns the name of the float vector field of an index.
   *
   * @param reader the reader
   * @return the first field with vectors
   */
  public static String vectorField(DirectoryReader reader) {
    for (FieldInfo fi : FieldInfos.getMergedFieldInfos(reader)) {
      if (fi.getVectorDimension() > 0) {
        return fi.name;
      }
    }
    throw new IllegalStateException("no vector field in " + reader);
  }

  static Path cacheDir() {
    String configured = System.getProperty("iqdb.bench.cache");
    if (configured != null) {
      return Path.of(configured);
    }
    return Files.isDirectory(Path.of("benchmarks", "src")) ? Path.of("benchmarks", "data", "jmh") : Path.of("data", "jmh");
  }

  /**
   * Loads the first {@code n} vectors as records {@code b0, b1, ...} in batches of 1,000, then
   * compacts to one segment (as a raw index built whole), whatever background refreshes made.
   *
   * @param c the collection
   * @param vectors the vectors
   * @param n how many
   */
  static void load(io.iqdb.VectorCollection c, float[][] vectors, int n) {
    java.util.List<io.iqdb.VectorRecord> batch = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(io.iqdb.VectorRecord.of("b" + i, vectors[i]));
      if (batch.size() == 1000) {
        c.upsertAll(batch);
        batch.clear();
      }
    }
    c.upsertAll(batch);
    c.compact(1);
  }
}
