package io.iqdb.bench;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * How long opening a large database takes, with each checksum setting (issue 16, "open at scale").
 *
 * <ul>
 *   <li>{@code build <dir> <records> <dim> <flat|ivf|hnsw>}: writes {@code records} random vectors
 *       into collection {@code c} (Durability.none(), batches of 10,000, then {@code flush()}), as
 *       Lucene merges them: several segments, as a database that grew would have.
 *   <li>{@code open <dir> <default|no-background|verify-on-open>}: times {@code Iqdb.open} and the
 *       first search after it, then, for {@code default}, when the background verification thread
 *       ({@code iqdb-verifier}) ends. Run each in its own JVM.
 * </ul>
 */
public final class OpenTime {
  private OpenTime() {}

  /**
   * Entry point.
   *
   * @param args see the class documentation
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 5 && args[0].equals("build")) {
      build(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]);
    } else if (args.length == 3 && args[0].equals("open")) {
      open(Path.of(args[1]), args[2]);
    } else {
      System.err.println("usage: OpenTime build <dir> <records> <dim> <flat|ivf|hnsw> | open <dir> <default|no-background|verify-on-open>");
      System.exit(2);
    }
  }

  private static void build(Path dir, int records, int dim, String index) {
    IndexSpec spec = switch (index) {
      case "flat" -> IndexSpec.flat();
      case "ivf" -> IndexSpec.ivf();
      case "hnsw" -> IndexSpec.hnsw();
      default -> throw new IllegalArgumentException("index must be flat, ivf or hnsw; index=" + index);
    };
    long start = System.nanoTime();
    try (Iqdb db = Iqdb.builder().path(dir).durability(Durability.none()).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(dim, Metric.L2).index(spec).build());
      Random r = new Random(42);
      List<VectorRecord> batch = new ArrayList<>();
      for (int i = 0; i < records; i++) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
          v[j] = r.nextFloat();
        }
        batch.add(VectorRecord.of(Integer.toString(i), v));
        if (batch.size() == 10_000 || i == records - 1) {
          c.upsertAll(batch);
          batch.clear();
        }
      }
      db.flush();
      System.out.printf("built %,d x %d (%s) in %.1f s: %d segments, %,d index bytes%n", records, dim, index,
          (System.nanoTime() - start) / 1e9, c.stats().segments(), c.stats().indexBytes());
    }
  }

  private static void open(Path dir, String mode) throws Exception {
    Iqdb.Builder b = Iqdb.builder().path(dir).createIfMissing(false);
    b = switch (mode) {
      case "default" -> b;
      case "no-background" -> b.verifyChecksumsInBackground(false);
      case "verify-on-open" -> b.verifyChecksumsOnOpen(true);
      default -> throw new IllegalArgumentException("mode must be default, no-background or verify-on-open; mode=" + mode);
    };
    long bytes;
    try (Stream<Path> files = Files.walk(dir)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    if (Boolean.getBoolean("opentime.warm")) {
      // Opens and closes once first: what remains is the work proportional to the database, not
      // the JVM's class loading and compilation of a first open.
      b.open().close();
    }
    long start = System.nanoTime();
    try (Iqdb db = b.open()) {
      long opened = System.nanoTime();
      VectorCollection c = db.collection("c");
      // A first read that costs little whatever the index (a search of a flat index scans it all).
      boolean found = c.get("0").isPresent();
      long read = System.nanoTime();
      System.out.printf("mode=%s: %,d bytes on disk; open %.0f ms, first get after %.0f ms (found %s)%n",
          mode, bytes, (opened - start) / 1e6, (read - start) / 1e6, found);
      if (mode.equals("default")) {
        Thread verifier = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("iqdb-verifier")).findFirst().orElse(null);
        if (verifier != null) {
          verifier.join();
        }
        System.out.printf("mode=%s: background verification done %.0f ms after open started%n",
            mode, (System.nanoTime() - start) / 1e6);
      }
    }
  }
}
