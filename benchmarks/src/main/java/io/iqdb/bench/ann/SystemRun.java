package io.iqdb.bench.ann;

import io.iqdb.bench.AnnHarness;
import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Builds one Java system, sweeps its parameter and turns what it measured into result rows. */
public final class SystemRun {

  private SystemRun() {}

  /**
   * Builds the system in a fresh directory, measures every value of its sweep, closes it and
   * deletes its directory. A failure is recorded as a row whose status starts with
   * {@code unsupported:} (for {@link UnsupportedOperationException} or a message saying
   * "not supported" / "not implemented") or {@code failed:}, and the
   * points measured before it are kept.
   *
   * @param system the system
   * @param dataset the dataset (its queries are the ones measured)
   * @param truth exact neighbours of each query
   * @param k neighbours per query and the recall cut-off
   * @param threads threads of the throughput pass
   * @param warmupMillis time spent on untimed queries before each point
   * @param runs repetitions of each timed pass, the fastest kept
   * @param workDir the directory for the index; deleted before and after
   * @return the rows
   * @throws IOException if the work directory cannot be prepared or removed
   */
  public static List<ResultRow> measure(AnnSystem system, Dataset dataset, int[][] truth, int k, int threads,
      int warmupMillis, int runs, Path workDir) throws IOException {
    List<ResultRow> rows = new ArrayList<>();
    String name = system.name();
    deleteTree(workDir);
    Files.createDirectories(workDir);
    AnnHarness.log("%s: building (%s)", name, system.description());
    try (AnnSystem s = system) {
      double buildSeconds;
      long peak;
      long retained;
      try (HeapMeter meter = HeapMeter.start(5)) {
        long t0 = System.nanoTime();
        s.build(dataset, workDir);
        buildSeconds = (System.nanoTime() - t0) / 1e9;
        peak = meter.peakBytes();
        retained = meter.retainedBytes();
      }
      long disk = s.sizeOnDisk();
      AnnHarness.log("%s: built in %.1f s, %.1f MiB on disk, peak heap +%.1f MiB, retained +%.1f MiB",
          name, buildSeconds, mb(disk), mb(peak), mb(retained));
      SearchRunner runner = new SearchRunner(dataset.queries(), truth, k, threads, warmupMillis, runs);
      for (int value : s.sweep()) {
        SearchRunner.Point p = runner.measure(s, value);
        AnnHarness.log("%s %s=%d: recall %.4f, qps1 %.0f, qps(%d threads) %.0f, p50 %.0f us, p99 %.0f us",
            name, s.parameterName(), value, p.recall(), p.qps1(), threads, p.qpsAll(), p.p50Micros(), p.p99Micros());
        rows.add(new ResultRow(dataset.name(), name, s.parameterName(), value, p.recall(), p.qps1(), p.qpsAll(),
            threads, p.p50Micros(), p.p99Micros(), buildSeconds, s.buildThreads(), disk < 0 ? -1 : mb(disk),
            mb(peak), mb(retained), "ok"));
      }
    } catch (Exception | OutOfMemoryError | AssertionError | LinkageError e) {
      String message = firstLine(e.getMessage());
      boolean unsupported = e instanceof UnsupportedOperationException || message.contains("not supported")
          || message.contains("not implemented");
      String status = (unsupported ? "unsupported: " : "failed: ") + e.getClass().getSimpleName() + ": " + message;
      AnnHarness.log("%s: %s", name, status);
      rows.add(ResultRow.failed(dataset.name(), name, status));
    } finally {
      deleteTree(workDir);
    }
    return rows;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
