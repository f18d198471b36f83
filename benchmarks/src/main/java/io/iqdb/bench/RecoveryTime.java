package io.iqdb.bench;

import io.iqdb.CollectionConfig;
import io.iqdb.CommitPolicy;
import io.iqdb.Iqdb;
import io.iqdb.IndexSpec;
import io.iqdb.Metric;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.lucene.util.IOUtils;

/**
 * How long a database takes to reopen after its process was killed, having written many records
 * without ever calling {@code flush()} (issue 20's scenario), and how long writers wait while
 * background commits run.
 *
 * <p>{@code recovery <records> <dim> <batch> <policy: default|never|<N>m> [dir]}: a child JVM writes
 * {@code records} random vectors into an HNSW collection (SYNC durability, batches of {@code
 * batch}), prints each upsert call's latency percentiles, then is SIGKILLed; this JVM reopens the
 * database, timing {@code Iqdb.open}, and checks that every record is there. {@code
 * -Drecovery.keep=<dir>} keeps a copy of the killed database there (to profile its reopen).
 */
public final class RecoveryTime {
  private RecoveryTime() {}

  /**
   * Entry point.
   *
   * @param args see the class documentation
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("child")) {
      child(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          args[5]);
      return;
    }
    if (args.length < 5 || !args[0].equals("recovery")) {
      System.err.println("usage: RecoveryTime recovery <records> <dim> <batch> <default|never|<MiB>m> [dir]");
      System.exit(2);
    }
    int records = Integer.parseInt(args[1]);
    int dim = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    String policy = args[4];
    Path dir = args.length > 5 ? Path.of(args[5]) : Files.createTempDirectory("iqdb-recovery");
    IOUtils.rm(dir);
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g",
        "-cp", System.getProperty("java.class.path"), RecoveryTime.class.getName(), "child", dir.toString(),
        Integer.toString(records), Integer.toString(dim), Integer.toString(batch), policy));
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    long writeStart = System.nanoTime();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        System.out.println("child: " + line);
        if (line.startsWith("DONE")) {
          break;
        }
      }
    }
    double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
    child.destroyForcibly(); // SIGKILL: no close, no flush
    child.waitFor(1, TimeUnit.MINUTES);
    long walBytes = size(dir.resolve("collections/c/wal"));
    long indexBytes = size(dir.resolve("collections/c/index"));
    if (Boolean.getBoolean("recovery.noVerify")) {
      // the same reopen without verifying every index file's checksum first, on a copy
      Path copy = Path.of(dir + "-copy");
      copyTree(dir, copy);
      long t0 = System.nanoTime();
      Iqdb unverified = Iqdb.builder().path(copy).verifyChecksumsOnOpen(false).open();
      System.out.printf("reopen without checksum verification: %.2f s%n", (System.nanoTime() - t0) / 1e9);
      unverified.close();
      IOUtils.rm(copy);
    }
    String keep = System.getProperty("recovery.keep");
    if (keep != null) {
      copyTree(dir, Path.of(keep)); // the killed database as it was, to profile its reopen
    }
    long start = System.nanoTime();
    try (Iqdb db = Iqdb.open(dir)) {
      double openSeconds = (System.nanoTime() - start) / 1e9;
      long count = db.collection("c").count();
      System.out.printf(
          "records=%d dim=%d batch=%d policy=%s: wrote in %.1f s; at the kill: log %.1f MB, index %.1f MB;"
              + " reopen %.2f s; records after reopen %d (%s)%n",
          records, dim, batch, policy, writeSeconds, walBytes / 1e6, indexBytes / 1e6, openSeconds, count,
          count == records ? "all there" : "MISSING " + (records - count));
      if (count != records) {
        System.exit(1);
      }
    }
    IOUtils.rm(dir);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    IOUtils.rm(to);
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static long size(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void child(Path dir, int records, int dim, int batch, String policy) {
    CommitPolicy p = switch (policy) {
      case "never" -> CommitPolicy.never();
      case "default" -> CommitPolicy.defaults();
      default -> new CommitPolicy(Long.parseLong(policy.replace("m", "")) << 20, CommitPolicy.DEFAULT_MAX_AGE);
    };
    Random r = new Random(42);
    long[] latencies = new long[(records + batch - 1) / batch];
    Iqdb db = Iqdb.builder().path(dir).commitPolicy(p).open();
    VectorCollection c = db.createCollection("c", CollectionConfig.builder(dim, Metric.L2).index(IndexSpec.hnsw()).build());
    int calls = 0;
    for (int i = 0; i < records; i += batch) {
      List<VectorRecord> b = new ArrayList<>(batch);
      for (int j = i; j < Math.min(records, i + batch); j++) {
        float[] v = new float[dim];
        for (int k = 0; k < dim; k++) {
          v[k] = r.nextFloat();
        }
        b.add(VectorRecord.of("r" + j, v));
      }
      long t0 = System.nanoTime();
      c.upsertAll(b);
      latencies[calls++] = System.nanoTime() - t0;
      if (i % (records / 10 / batch * batch + batch) == 0) {
        System.out.println("written " + i + "; commits so far " + c.stats().commits());
      }
    }
    long[] sorted = Arrays.copyOf(latencies, calls);
    Arrays.sort(sorted);
    System.out.printf("upsertAll latency (ms): p50 %.2f p99 %.2f p99.9 %.2f max %.2f; commits %d%n",
        sorted[calls / 2] / 1e6, sorted[(int) (calls * 0.99)] / 1e6, sorted[(int) (calls * 0.999)] / 1e6,
        sorted[calls - 1] / 1e6, c.stats().commits());
    System.out.println("DONE");
    System.out.flush();
    try {
      Thread.sleep(Long.MAX_VALUE); // wait to be killed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
