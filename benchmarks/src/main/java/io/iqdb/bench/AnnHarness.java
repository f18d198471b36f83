package io.iqdb.bench;

import io.iqdb.bench.ann.AnnSystem;
import io.iqdb.bench.ann.IqdbSystem;
import io.iqdb.bench.ann.JVectorSystem;
import io.iqdb.bench.ann.LuceneHnswSystem;
import io.iqdb.bench.ann.PythonPeers;
import io.iqdb.bench.ann.Reports;
import io.iqdb.bench.ann.ResultRow;
import io.iqdb.bench.ann.Comparison;
import io.iqdb.bench.ann.SearchRunner;
import io.iqdb.bench.data.Dataset;
import io.iqdb.bench.data.Datasets;
import io.iqdb.bench.data.GroundTruth;
import io.iqdb.bench.data.RealTextDataset;
import io.iqdb.bench.data.TieAwareRecall;
import io.iqdb.cli.data.VectorFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ANN harness: runs iQDB and its peers on one dataset, in one process, against one exact ground
 * truth, and writes {@code results.csv}, {@code results.md} and {@code recall-qps.png} under
 * {@code benchmarks/results/<dataset>/}.
 *
 * <p>Run {@code AnnHarness --help} for the options. It builds every system's index once, then
 * measures each value of each system's search parameter in interleaved rounds (see
 * {@link Comparison}): recall@k, single-thread QPS and latency percentiles, and QPS with all cores
 * (see {@link SearchRunner}). The FAISS and hnswlib peers run in a Python server process driven
 * by the same rounds. A system that fails or is not supported yet is recorded with its message and
 * the run goes on.
 */
public final class AnnHarness {

  private AnnHarness() {}

  /**
   * Runs the harness from the command line.
   *
   * @param args the options; {@code --help} lists them
   * @throws Exception if the dataset cannot be loaded or the results cannot be written
   */
  public static void main(String[] args) throws Exception {
    HarnessOptions options;
    try {
      options = HarnessOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("AnnHarness: " + e.getMessage());
      System.err.println(HarnessOptions.usage());
      System.exit(2);
      return;
    }
    if (options.help) {
      System.out.println(HarnessOptions.usage());
      return;
    }
    run(options);
  }

  /**
   * Runs the comparison described by the options and writes its reports.
   *
   * @param options the options
   * @return every result row, in the order measured
   * @throws IOException if the dataset cannot be loaded or the results cannot be written
   * @throws InterruptedException if interrupted while the Python peers run
   */
  static List<ResultRow> run(HarnessOptions options) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    logCalibrations();
    Dataset dataset = loadDataset(options).withQueries(options.queries);
    log("dataset %s: %d x %d, %d queries, %s", dataset.name(), dataset.train().length, dataset.dimension(),
        dataset.queries().length, dataset.metric());
    Files.createDirectories(options.dataDir);
    Files.createDirectories(options.outDir);
    int[][] truth = GroundTruth.loadOrCompute(dataset, GroundTruth.DEFAULT_K, options.dataDir);
    log("ground truth ready (%.1f s)", (System.nanoTime() - t0) / 1e9);

    Map<String, String> versions = new LinkedHashMap<>();
    Path workRoot = options.dataDir.resolve("indexes").resolve(dataset.name());
    Comparison comparison = new Comparison(dataset, options.threads);
    // One pass per point per round; Comparison repeats the rounds.
    SearchRunner runner = new SearchRunner(dataset.queries(), new TieAwareRecall(dataset, truth, options.k), options.threads,
        options.warmupMillis, 1);
    for (AnnSystem system : javaSystems(options)) {
      comparison.add(system, runner, workRoot.resolve(system.name()));
    }
    List<String> pythonSystems = options.systems.stream().filter(PythonPeers.SYSTEMS::contains).toList();
    List<ResultRow> rows = new ArrayList<>();
    PythonPeers.Server server = null;
    try {
      if (!pythonSystems.isEmpty()) {
        server = startPython(options, dataset, truth, versions);
        if (server == null) {
          String missing = versions.remove("python peers");
          pythonSystems.forEach(s -> rows.add(ResultRow.failed(dataset.name(), s, "unsupported: " + missing)));
        } else {
          for (String s : pythonSystems) {
            comparison.add(server, s);
          }
        }
      }
      rows.addAll(0, comparison.run(options.runs));
    } finally {
      if (server != null) {
        server.close();
      }
    }
    Map<String, String> descriptions = comparison.descriptions();

    Path out = options.outDir;
    Files.createDirectories(out);
    Reports.writeCsv(out.resolve("results.csv"), rows);
    String plot = options.plot() ? plot(options, out, dataset) : null;
    Map<String, String> machine = Reports.machine(versions);
    Reports.writeMarkdown(out.resolve("results.md"), title(dataset), rows, descriptions, machine,
        options.targetRecall, plot);
    Files.write(out.resolve("machine.txt"), machine.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
    log("wrote %s (%.1f s in all)", out.resolve("results.md"), (System.nanoTime() - t0) / 1e9);
    return rows;
  }

  private static String title(Dataset d) {
    return String.format("ANN comparison: %s (%,d x %d, %,d queries, %s)", d.name(), d.train().length, d.dimension(),
        d.queries().length, d.metric());
  }

  static Dataset loadDataset(HarnessOptions o) throws IOException {
    return switch (o.dataset) {
      case "fashion-mnist" -> o.fashionMnistDir == null ? Datasets.fashionMnist() : Datasets.fashionMnist(o.fashionMnistDir);
      case "synthetic" -> Datasets.synthetic(o.n, o.dimension, o.queries == Integer.MAX_VALUE
          ? Datasets.DEFAULT_SYNTHETIC_QUERIES : o.queries, o.seed);
      case "synthetic-cosine" -> Datasets.syntheticCosine(o.n, o.dimension, o.queries == Integer.MAX_VALUE
          ? Datasets.DEFAULT_SYNTHETIC_QUERIES : o.queries, o.seed);
      case "real-text", "real-text-dedup" -> {
        RealTextDataset.Loaded loaded = RealTextDataset.load(o.texts,
            o.queries == Integer.MAX_VALUE ? RealTextDataset.DEFAULT_QUERIES : o.queries, o.seed,
            o.dataset.equals("real-text-dedup"), o.embeddingCache);
        log("%s", loaded.description());
        yield loaded.dataset();
      }
      default -> throw new IllegalArgumentException("unknown dataset " + o.dataset);
    };
  }

  static List<AnnSystem> javaSystems(HarnessOptions o) {
    Map<String, AnnSystem> all = new LinkedHashMap<>();
    all.put("lucene-hnsw", new LuceneHnswSystem(o.m, o.efConstruction, o.efSweep));
    all.put("jvector", new JVectorSystem(o.m, o.efConstruction, o.efSweep));
    for (IqdbSystem s : IqdbSystem.all(o.m, o.efConstruction, o.ivfLists, o.efSweep, o.probeSweep)) {
      all.put(s.name(), s);
    }
    for (IqdbSystem s : IqdbSystem.targets(o.m, o.efConstruction, o.ivfLists, o.targets)) {
      all.put(s.name(), s);
    }
    List<AnnSystem> chosen = new ArrayList<>();
    for (String name : o.systems) {
      if (all.containsKey(name)) {
        chosen.add(all.get(name));
      }
    }
    return chosen;
  }

  /** Starts the Python peers on the dataset's files, or returns null (reason in versions). */
  private static PythonPeers.Server startPython(HarnessOptions o, Dataset dataset, int[][] truth,
      Map<String, String> versions) throws IOException {
    PythonPeers peers = new PythonPeers(o.python, o.benchmarksDir.resolve("python/peers.py"));
    String missing = o.runPython() ? peers.missing() : "disabled with --no-python";
    if (missing != null) {
      log("python peers skipped: %s", missing);
      versions.put("python peers", missing);
      return null;
    }
    // The peers read the very vectors and ground truth the Java systems use.
    Path dir = o.dataDir.resolve(dataset.name());
    Files.createDirectories(dir);
    Path train = dir.resolve("train.fvecs");
    if (!Files.isRegularFile(train) || Files.size(train) != (long) dataset.train().length * (4 + 4L * dataset.dimension())) {
      VectorFiles.writeFvecs(train, dataset.train());
    }
    int nq = dataset.queries().length;
    Path queries = dir.resolve("queries-" + nq + ".fvecs");
    Path gt = dir.resolve("gt-" + nq + ".ivecs");
    VectorFiles.writeFvecs(queries, dataset.queries());
    int[][] gtK = new int[nq][];
    for (int q = 0; q < nq; q++) {
      gtK[q] = Arrays.copyOf(truth[q], o.k);
    }
    VectorFiles.writeIvecs(gt, gtK);
    Map<String, String> args = new LinkedHashMap<>();
    args.put("k", Integer.toString(o.k));
    args.put("threads", Integer.toString(o.threads));
    args.put("warmup-ms", Integer.toString(o.warmupMillis));
    args.put("runs", "1");
    args.put("hnsw-m", Integer.toString(o.m));
    args.put("ef-construction", Integer.toString(o.efConstruction));
    args.put("ivf-lists", Integer.toString(o.ivfLists > 0 ? o.ivfLists : 256));
    args.put("ef", join(o.efSweep));
    args.put("probes", join(o.probeSweep));
    args.put("work", o.dataDir.resolve("indexes").resolve(dataset.name()).toString());
    PythonPeers.Server server = peers.start(train, queries, gt,
        dataset.metric() == io.iqdb.Metric.L2 ? "l2" : "cosine", args);
    Map<String, Object> reply = server.request(Map.of("cmd", "versions"));
    ((Map<?, ?>) reply.get("versions")).forEach((k, v) -> versions.put(k.toString(), v.toString()));
    return server;
  }

  private static String join(List<Integer> values) {
    return String.join(",", values.stream().map(String::valueOf).toList());
  }

  private static String plot(HarnessOptions o, Path out, Dataset dataset) throws InterruptedException {
    Path script = o.benchmarksDir.resolve("python/plot.py");
    Path png = out.resolve("recall-qps.png");
    if (!Files.isRegularFile(script) || !Files.isExecutable(o.python)) {
      log("plot skipped: %s or %s missing", script, o.python);
      return null;
    }
    try {
      Process p = new ProcessBuilder(o.python.toString(), script.toString(), out.resolve("results.csv").toString(),
          png.toString(), title(dataset)).inheritIO().start();
      if (p.waitFor() != 0) {
        log("plot failed (exit %d); is python3-matplotlib installed?", p.exitValue());
        return null;
      }
      return png.getFileName().toString();
    } catch (IOException e) {
      log("plot failed: %s", e.getMessage());
      return null;
    }
  }

  /**
   * Shows the codec's calibration log lines (each segment's recall curve and the time it took:
   * {@code io.iqdb.codecs.RecallCalibrator} at {@code DEBUG}) on standard error.
   */
  static void logCalibrations() {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.iqdb.codecs.RecallCalibrator");
    logger.setLevel(java.util.logging.Level.FINE);
    java.util.logging.ConsoleHandler handler = new java.util.logging.ConsoleHandler();
    handler.setLevel(java.util.logging.Level.FINE);
    logger.addHandler(handler);
    CALIBRATION_LOGGER.set(logger); // held: JUL keeps loggers weakly
  }

  private static final java.util.concurrent.atomic.AtomicReference<java.util.logging.Logger> CALIBRATION_LOGGER =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * Prints a time-stamped progress line to standard output.
   *
   * @param format a {@link String#format} pattern
   * @param args its arguments
   */
  public static void log(String format, Object... args) {
    System.out.printf("[%tT] %s%n", System.currentTimeMillis(), String.format(format, args));
    System.out.flush();
  }
}
