package io.iqdb.bench;

import io.iqdb.IndexSpec;
import io.iqdb.Quantization;
import io.iqdb.bench.ann.IqdbSystem;
import io.iqdb.bench.data.Dataset;
import io.iqdb.bench.data.GroundTruth;
import io.iqdb.bench.data.TieAwareRecall;
import io.iqdb.codecs.Calibrated;
import io.iqdb.codecs.RecallCurve;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Does {@code SearchRequest.targetRecall} reach its target, and how fast is it against the
 * hand-tuned parameter for that recall? For one dataset (the ANN harness's options: {@code
 * --dataset}, {@code --queries}, {@code --embedding-cache}, ...) and one iQDB index ({@code
 * --index hnsw|ivf|ivf-int8}), it builds the index once through the public API, measures the
 * recall of every value of a fine sweep of {@code ef} or {@code probes} ({@code --ef} or {@code
 * --probes}) and of every target ({@code --targets}, thousandths), picks for each target the
 * smallest swept value whose recall reaches it (the hand-tuned parameter) and times the target
 * search against it <em>interleaved</em>: {@code --rounds} alternations of one pass over the
 * queries each, one thread, the faster half of the passes' medians kept. A shared machine's load
 * shifts over minutes; alternating pass by pass exposes both searches to the same load, so their
 * ratio means something even where absolute QPS does not.
 *
 * <p>The table also gives, per segment, the parameter the calibration chose for the target and the
 * recall it measured there (in parentheses).
 *
 * <p>Output: a Markdown table on standard output, progress on standard error. Recall is tie-aware
 * ({@link TieAwareRecall}).
 */
public final class TargetRecallCheck {

  private TargetRecallCheck() {}

  /**
   * Runs the check.
   *
   * @param args harness options plus {@code --index NAME} and {@code --rounds N}
   * @throws Exception if the dataset cannot be loaded or a search fails
   */
  public static void main(String[] args) throws Exception {
    String index = "hnsw";
    int rounds = 10;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--index" -> index = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> rest.add(args[i]);
      }
    }
    HarnessOptions o = HarnessOptions.parse(rest.toArray(new String[0]));
    AnnHarness.logCalibrations();
    Dataset dataset = AnnHarness.loadDataset(o).withQueries(o.queries);
    Files.createDirectories(o.dataDir);
    int[][] truth = GroundTruth.loadOrCompute(dataset, GroundTruth.DEFAULT_K, o.dataDir);
    TieAwareRecall recall = new TieAwareRecall(dataset, truth, o.k);
    boolean hnsw = index.equals("hnsw");
    IndexSpec spec =
        switch (index) {
          case "hnsw" -> IndexSpec.hnsw(o.m, o.efConstruction);
          case "ivf" -> IndexSpec.ivf().withLists(o.ivfLists).withQuantization(Quantization.NONE);
          case "ivf-int8" -> IndexSpec.ivf().withLists(o.ivfLists).withQuantization(Quantization.INT8);
          default -> throw new IllegalArgumentException("--index must be hnsw, ivf or ivf-int8; got " + index);
        };
    List<Integer> sweep = hnsw ? o.efSweep : o.probeSweep;
    Path work = o.dataDir.resolve("indexes").resolve(dataset.name()).resolve("target-check-" + index);
    deleteTree(work);
    Files.createDirectories(work);
    float[][] queries = dataset.queries();
    String knobName = hnsw ? "ef" : "probes";
    try (IqdbSystem byParam = new IqdbSystem("p", spec, hnsw ? IqdbSystem.Knob.EF : IqdbSystem.Knob.PROBES, sweep, 0f)) {
      long t0 = System.nanoTime();
      byParam.build(dataset, work);
      log("built %s in %.1f s", spec, (System.nanoTime() - t0) / 1e9);
      IqdbSystem byTarget = byParam.sharing(IqdbSystem.Knob.TARGET);
      double[] sweepRecall = new double[sweep.size()];
      for (int i = 0; i < sweep.size(); i++) {
        sweepRecall[i] = recall(byParam, queries, recall, o.k, sweep.get(i));
        log("%s=%d: recall %.4f", knobName, sweep.get(i), sweepRecall[i]);
      }
      System.out.printf(Locale.ROOT, "| dataset | index | target | recall reached | met | calibrated %s (per segment) "
          + "| hand-tuned %s (smallest swept reaching the target) | its recall "
          + "| QPS target | QPS hand-tuned | ratio (median of paired passes) |%n", knobName, knobName);
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
      for (int t : o.targets) {
        double target = t / 1000.0;
        double reached = recall(byTarget, queries, recall, o.k, t);
        int hand = -1;
        for (int i = 0; i < sweep.size(); i++) {
          if (sweepRecall[i] >= target) {
            hand = i;
            break;
          }
        }
        String cells;
        if (hand < 0) {
          cells = "none reached it | | | | ";
        } else {
          double[] qps = interleaved(byTarget, t, byParam, sweep.get(hand), queries, o.k, rounds);
          cells = String.format(Locale.ROOT, "%d | %.4f | %.0f | %.0f | %.2f", sweep.get(hand), sweepRecall[hand], qps[0],
              qps[1], qps[2]);
        }
        System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.4f | %s | %s | %s |%n", dataset.name(), index, target, reached,
            reached >= target ? "yes" : "**no**", calibrated(work, target), cells);
        System.out.flush();
      }
    }
  }

  /**
   * The parameter each segment of the collection's index calibrated for the target (what a
   * search uses there), read from the index through the codec's {@link Calibrated}.
   */
  private static String calibrated(Path work, double target) throws java.io.IOException {
    Path index = work.resolve("collections").resolve("bench").resolve("index");
    List<String> values = new ArrayList<>();
    try (org.apache.lucene.store.Directory dir = org.apache.lucene.store.FSDirectory.open(index);
        org.apache.lucene.index.DirectoryReader reader = org.apache.lucene.index.DirectoryReader.open(dir)) {
      for (org.apache.lucene.index.LeafReaderContext leaf : reader.leaves()) {
        RecallCurve curve = Calibrated.of(leaf.reader(), "_vec");
        values.add(curve == null
            ? "none"
            : String.format(Locale.ROOT, "%d (%.3f)", curve.parameterFor(target), curve.recallFor(target)));
      }
    }
    return String.join(", ", values);
  }

  private static double recall(IqdbSystem system, float[][] queries, TieAwareRecall truth, int k, int parameter)
      throws Exception {
    double sum = 0;
    for (int q = 0; q < queries.length; q++) {
      sum += truth.recall(q, system.search(queries[q], k, parameter));
    }
    return sum / queries.length;
  }

  /**
   * Single-thread QPS of two searches, alternating passes over the queries: per search, the mean
   * of the faster half of its passes (slow passes are other processes' load), and the median over
   * rounds of the ratio of the two passes of a round (adjacent passes share the machine's load).
   */
  private static double[] interleaved(IqdbSystem a, int pa, IqdbSystem b, int pb, float[][] queries, int k, int rounds)
      throws Exception {
    // warm-up: a second of each
    for (IqdbSystem s : new IqdbSystem[] {a, b}) {
      long end = System.nanoTime() + 1_000_000_000L;
      for (int q = 0; System.nanoTime() < end; q = (q + 1) % queries.length) {
        s.search(queries[q], k, s == a ? pa : pb);
      }
    }
    double[][] qps = new double[2][rounds];
    for (int r = 0; r < rounds; r++) {
      // ABBA: the order alternates, so a drifting load favours neither
      for (int step = 0; step < 2; step++) {
        int which = (r % 2 == 0) ? step : 1 - step;
        IqdbSystem s = which == 0 ? a : b;
        int p = which == 0 ? pa : pb;
        long start = System.nanoTime();
        for (float[] query : queries) {
          s.search(query, k, p);
        }
        qps[which][r] = queries.length / ((System.nanoTime() - start) / 1e9);
      }
    }
    double[] ratios = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      ratios[r] = qps[0][r] / qps[1][r];
    }
    Arrays.sort(ratios);
    double median = rounds % 2 == 1 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2;
    return new double[] {fasterHalfMean(qps[0]), fasterHalfMean(qps[1]), median};
  }

  private static double fasterHalfMean(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double sum = 0;
    int n = Math.max(1, sorted.length / 2);
    for (int i = sorted.length - n; i < sorted.length; i++) {
      sum += sorted[i];
    }
    return sum / n;
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static void log(String format, Object... args) {
    System.err.printf("[%tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format, args));
  }
}
