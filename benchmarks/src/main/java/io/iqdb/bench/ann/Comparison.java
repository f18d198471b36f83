package io.iqdb.bench.ann;

import io.iqdb.bench.AnnHarness;
import io.iqdb.bench.data.Dataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures several systems on one dataset in interleaved rounds.
 *
 * <p>First every system is built, one after the other (build time, memory and size are measured
 * then). Then, in each of {@code rounds} rounds, every built system is measured at every value of
 * its sweep; for each point the fastest single-thread pass and the fastest all-cores pass over the
 * rounds are kept. On a shared machine a burst of load from other processes then slows one round
 * of every system instead of the whole of whichever system ran at that moment, and taking the
 * fastest round filters it out, as ann-benchmarks' best-of-N does.
 *
 * <p>A system whose build or search throws is recorded with a row whose status starts with
 * {@code unsupported:} (for {@link UnsupportedOperationException} or a message saying "not
 * supported" / "not implemented") or {@code failed:}, and the others go on.
 */
public final class Comparison {

  private final Dataset dataset;
  private final int threads;
  private final List<Contender> contenders = new ArrayList<>();
  private final Map<String, String> descriptions = new LinkedHashMap<>();

  /**
   * Creates a comparison.
   *
   * @param dataset the dataset (its queries are the ones measured)
   * @param threads the threads of the all-cores pass, reported in the rows
   */
  public Comparison(Dataset dataset, int threads) {
    this.dataset = dataset;
    this.threads = threads;
  }

  /**
   * Adds a Java system.
   *
   * @param system the system
   * @param runner measures it
   * @param workDir its index directory (deleted before the build and after the run)
   */
  public void add(AnnSystem system, SearchRunner runner, Path workDir) {
    contenders.add(new JavaContender(system, dataset, runner, workDir));
  }

  /**
   * Adds a system of the Python peers server.
   *
   * @param server the running server
   * @param name the system's name, from {@link PythonPeers#SYSTEMS}
   */
  public void add(PythonPeers.Server server, String name) {
    contenders.add(new PythonContender(server, name));
  }

  /**
   * Returns how each built system was configured, by name.
   *
   * @return the descriptions
   */
  public Map<String, String> descriptions() {
    return descriptions;
  }

  /**
   * Builds every system, measures them in rounds, closes them.
   *
   * @param rounds the number of rounds (at least 1)
   * @return one row per measured point, or per system that failed, in the order systems were added
   */
  public List<ResultRow> run(int rounds) {
    Map<Contender, Contender.BuildInfo> built = new LinkedHashMap<>();
    Map<Contender, String> failures = new LinkedHashMap<>();
    Map<Contender, Map<Integer, SearchRunner.Point>> best = new LinkedHashMap<>();
    try {
      for (Contender c : contenders) {
        AnnHarness.log("%s: building", c.name());
        try {
          Contender.BuildInfo info = c.build();
          built.put(c, info);
          best.put(c, new LinkedHashMap<>());
          descriptions.put(c.name(), info.description());
          AnnHarness.log("%s: built in %.1f s with %d threads, %.1f MiB on disk, peak +%.1f MiB, retained +%.1f MiB (%s)",
              c.name(), info.seconds(), info.threads(), info.diskMb(), info.peakMb(), info.retainedMb(), info.description());
        } catch (Exception | OutOfMemoryError | AssertionError | LinkageError e) {
          failures.put(c, status(e));
          AnnHarness.log("%s: %s", c.name(), failures.get(c));
          closeQuietly(c);
        }
      }
      for (int round = 1; round <= Math.max(1, rounds); round++) {
        for (Map.Entry<Contender, Contender.BuildInfo> e : built.entrySet()) {
          Contender c = e.getKey();
          if (failures.containsKey(c)) {
            continue;
          }
          Contender.BuildInfo info = e.getValue();
          for (int value : info.sweep()) {
            try {
              SearchRunner.Point p = c.measure(value);
              AnnHarness.log("round %d %s %s=%d: recall %.4f, qps1 %.0f, qps(%d threads) %.0f, p50 %.0f us, p99 %.0f us",
                  round, c.name(), info.parameter(), value, p.recall(), p.qps1(), threads, p.qpsAll(), p.p50Micros(),
                  p.p99Micros());
              best.get(c).merge(value, p, Comparison::faster);
            } catch (Exception | OutOfMemoryError | AssertionError | LinkageError ex) {
              failures.put(c, status(ex));
              AnnHarness.log("%s: %s", c.name(), failures.get(c));
              break;
            }
          }
        }
      }
    } finally {
      for (Contender c : built.keySet()) {
        closeQuietly(c);
      }
    }
    List<ResultRow> rows = new ArrayList<>();
    for (Contender c : contenders) {
      Contender.BuildInfo info = built.get(c);
      if (info != null) {
        best.get(c).forEach((value, p) -> rows.add(new ResultRow(dataset.name(), c.name(), info.parameter(), value,
            p.recall(), p.qps1(), p.qpsAll(), threads, p.p50Micros(), p.p99Micros(), info.seconds(), info.threads(),
            info.diskMb(), info.peakMb(), info.retainedMb(), "ok")));
      }
      if (failures.containsKey(c)) {
        rows.add(ResultRow.failed(dataset.name(), c.name(), failures.get(c)));
      }
    }
    return rows;
  }

  /** The faster single-thread pass with its latencies, and the faster all-cores pass. */
  private static SearchRunner.Point faster(SearchRunner.Point a, SearchRunner.Point b) {
    SearchRunner.Point single = b.qps1() > a.qps1() ? b : a;
    return new SearchRunner.Point(single.recall(), single.qps1(), Math.max(a.qpsAll(), b.qpsAll()),
        single.p50Micros(), single.p99Micros());
  }

  static String status(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    boolean unsupported = e instanceof UnsupportedOperationException || message.contains("not supported")
        || message.contains("not implemented");
    return (unsupported ? "unsupported: " : "failed: ") + e.getClass().getSimpleName() + ": " + message;
  }

  private static void closeQuietly(Contender c) {
    try {
      c.close();
    } catch (Exception e) {
      AnnHarness.log("%s: close failed: %s", c.name(), e);
    }
  }
}
