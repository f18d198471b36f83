package io.iqdb.examples;

import io.iqdb.CollectionConfig;
import io.iqdb.Filter;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.IOException;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The README's quick start as a program that checks its own results: it writes a database with a
 * flat, an HNSW and an IVF collection, searches, filters, reads back and deletes, then closes and
 * reopens it (which loads iQDB's codec and vector formats through Lucene's service lookup) and
 * checks everything again. Any wrong result ends the process with exit status 1.
 *
 * <p>The single argument says how it was launched, {@code class-path} or {@code module-path}, and
 * is checked too: on the module path iQDB must run as the named modules {@code io.iqdb} and
 * {@code io.iqdb.codecs}.
 */
public final class QuickStart {
  private static final int DIM = 32;
  private static final int RECORDS = 500;

  private QuickStart() {}

  /**
   * Runs the checks.
   *
   * @param args {@code class-path} or {@code module-path}
   */
  public static void main(String[] args) {
    if (args.length != 1 || !List.of("class-path", "module-path").contains(args[0])) {
      System.err.println("usage: QuickStart class-path|module-path");
      System.exit(2);
    }
    try {
      checkLaunch(args[0]);
      Path dir = Files.createTempDirectory("iqdb-quickstart");
      try {
        run(dir.resolve("vectors.iqdb"));
      } finally {
        deleteTree(dir);
      }
    } catch (CheckFailed | IOException | RuntimeException e) {
      System.err.println("QuickStart (" + args[0] + ") FAILED: " + e);
      e.printStackTrace();
      System.exit(1);
    }
    System.out.println("QuickStart (" + args[0] + "): all checks passed");
  }

  private static void checkLaunch(String mode) throws CheckFailed {
    Module core = Iqdb.class.getModule();
    if (mode.equals("module-path")) {
      check("io.iqdb".equals(core.getName()), "iQDB should run as module io.iqdb, runs in " + core);
      check(QuickStart.class.getModule().isNamed(), "QuickStart should run as a named module");
      Module codecs = ModuleLayer.boot().findModule("io.iqdb.codecs").orElse(null);
      check(codecs != null, "module io.iqdb.codecs is not in the boot layer");
      check(ModuleLayer.boot().findModule("org.apache.lucene.core").isPresent(),
          "module org.apache.lucene.core is not in the boot layer");
    }
    // Lucene finds iQDB's codec by name through ServiceLoader: META-INF/services on the class path,
    // the `provides` clause of module io.iqdb.codecs on the module path.
    check(Codec.availableCodecs().contains("Iqdb100"), "Lucene does not find the codec Iqdb100: " + Codec.availableCodecs());
    check(KnnVectorsFormat.availableKnnVectorsFormats().contains("IqdbIvf100"),
        "Lucene does not find the vector format IqdbIvf100: " + KnnVectorsFormat.availableKnnVectorsFormats());
    if (mode.equals("module-path")) {
      check(Codec.forName("Iqdb100").getClass().getModule().getName().equals("io.iqdb.codecs"),
          "the codec Iqdb100 is not loaded from module io.iqdb.codecs");
    } else {
      check(!core.isNamed(), "on the class path iQDB should be in the unnamed module, is in " + core);
    }
    System.out.println("QuickStart (" + mode + "): iQDB runs in " + core);
  }

  private static void run(Path path) throws CheckFailed {
    Map<String, CollectionConfig> configs = Map.of(
        "flat", CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.flat()).build(),
        "hnsw", CollectionConfig.builder(DIM, Metric.COSINE).index(IndexSpec.hnsw()).build(),
        "ivf", CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.ivf()).build());

    try (Iqdb db = Iqdb.open(path)) {
      for (var e : configs.entrySet()) {
        VectorCollection docs = db.createCollection(e.getKey(), e.getValue());
        // One batch: one log write and one fsync for all records.
        docs.upsertAll(IntStream.range(0, RECORDS)
            .mapToObj(i -> VectorRecord.of(id(i), vector(i), payload(i))).toList());
        docs.upsert(id(RECORDS - 1), vector(RECORDS - 1), payload(RECORDS - 1)); // an upsert of an existing id replaces it
        check(docs.delete(id(7)), e.getKey() + ": delete of an existing id returned false");
        checkCollection(docs);
      }
      db.flush();
    }

    // Reopening reads the segments back: Lucene finds the codec "Iqdb100" and the vector formats by
    // name through ServiceLoader, which on the module path goes through io.iqdb.codecs' `provides`.
    try (Iqdb db = Iqdb.open(path)) {
      check(db.listCollections().stream().sorted().toList().equals(List.of("flat", "hnsw", "ivf")),
          "collections after reopen: " + db.listCollections());
      for (String name : configs.keySet()) {
        VectorCollection docs = db.collection(name);
        check(docs.config().equals(configs.get(name)), name + ": config after reopen " + docs.config());
        checkCollection(docs);
      }
      check(db.check().isEmpty(), "check() reported problems: " + db.check());
    }
  }

  private static void checkCollection(VectorCollection docs) throws CheckFailed {
    String name = docs.name();
    check(docs.count() == RECORDS - 1, name + ": count " + docs.count() + ", expected " + (RECORDS - 1));
    check(docs.get(id(7)).isEmpty(), name + ": deleted record still readable");

    VectorRecord r = docs.get(id(42)).orElseThrow(() -> new CheckFailed(name + ": r42 missing"));
    check(java.util.Arrays.equals(r.vector(), vector(42)), name + ": r42 read back a different vector");
    check(r.payload().equals(payload(42)), name + ": r42 payload " + r.payload());

    // Every query is a stored vector: the nearest neighbour is the record itself, exact or not.
    for (int i = 0; i < RECORDS; i += 50) {
      if (i == 7) {
        continue;
      }
      List<Hit> exact = docs.search(SearchRequest.of(vector(i), 5).exact(true));
      check(exact.size() == 5 && exact.get(0).id().equals(id(i)), name + ": exact search for " + id(i) + " -> " + exact);
      List<Hit> approximate = docs.search(vector(i), 5);
      check(!approximate.isEmpty() && approximate.get(0).id().equals(id(i)),
          name + ": search for " + id(i) + " -> " + approximate);
    }

    // A payload filter: only German records from 2020 on, and the closest of them is found.
    Filter filter = Filter.eq("lang", "de").and(Filter.range("year", 2020, 2030));
    List<Hit> filtered = docs.search(vector(21), 10, filter);
    check(filtered.size() == 10, name + ": filtered search returned " + filtered.size() + " hits");
    for (Hit h : filtered) {
      check(h.payload().getString("lang").equals("de") && h.payload().getLong("year") >= 2020,
          name + ": hit outside the filter: " + h);
    }
    check(filtered.get(0).id().equals(id(21)), name + ": filtered search for r21 -> " + filtered.get(0));
  }

  private static String id(int i) {
    return "r" + i;
  }

  private static Payload payload(int i) {
    return Payload.of("lang", i % 2 == 0 ? "en" : "de", "year", 2000 + i % 30);
  }

  /** A seeded Gaussian vector: the same for a given i in every run and JVM. */
  private static float[] vector(int i) {
    Random random = new Random(i);
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
  }

  private static void check(boolean ok, String message) throws CheckFailed {
    if (!ok) {
      throw new CheckFailed(message);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A result that differs from what the program wrote. */
  private static final class CheckFailed extends Exception {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }
}
