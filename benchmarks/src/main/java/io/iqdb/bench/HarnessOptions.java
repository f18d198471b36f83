package io.iqdb.bench;

import io.iqdb.bench.ann.PythonPeers;
import io.iqdb.bench.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Options of the {@link AnnHarness}, parsed by picocli; {@link #usage()} is the help text. After
 * {@link #parse}, every field holds its final value (defaults resolved, values checked).
 */
@Command(
    name = "AnnHarness",
    sortOptions = false,
    description = "Runs iQDB and its peers on one dataset against one exact ground truth.")
final class HarnessOptions {

  /** Every system the harness knows, in the order it runs them. */
  static final List<String> ALL_SYSTEMS = List.of(
      "lucene-hnsw", "jvector", "iqdb-flat", "iqdb-flat-int8", "iqdb-ivf", "iqdb-ivf-int8", "iqdb-hnsw",
      "iqdb-hnsw-int8", "iqdb-hnsw-int4", "iqdb-flat-bit1", "iqdb-ivf-bit1", "iqdb-hnsw-bit1", "faiss-flat",
      "faiss-ivf", "faiss-hnsw", "hnswlib");

  /**
   * iQDB systems held in memory ({@code Iqdb.openInMemory()}), to compare with the same ones on
   * disk: chosen by name or {@code memory}, not part of {@code all}.
   */
  static final List<String> MEMORY_SYSTEMS = List.of("iqdb-flat-mem", "iqdb-ivf-mem", "iqdb-ivf-int8-mem", "iqdb-hnsw-mem");

  /**
   * iQDB systems searched with {@code SearchRequest.targetRecall} only (no {@code ef} or
   * {@code probes}), at each of {@code --targets}: chosen by name or {@code targets}, not part of
   * {@code all}. Each has the index of the system of the same name without {@code -target}.
   */
  static final List<String> TARGET_SYSTEMS = List.of("iqdb-hnsw-target", "iqdb-ivf-target", "iqdb-ivf-int8-target");

  private static final List<String> KNOWN_SYSTEMS = java.util.stream.Stream.of(
      ALL_SYSTEMS.stream(), MEMORY_SYSTEMS.stream(), TARGET_SYSTEMS.stream()).flatMap(x -> x).toList();

  @Option(names = "--dataset", paramLabel = "NAME",
      description = "fashion-mnist (default), synthetic, synthetic-cosine, real-text (sentence embeddings with"
          + " their duplicates) or real-text-dedup (the same without exact copies, same queries)")
  String dataset = "fashion-mnist";

  @Option(names = "--texts", paramLabel = "N",
      description = "real-text: texts in the corpus (default 60000, at most what the machine has)")
  int texts = io.iqdb.bench.data.RealTextDataset.DEFAULT_SIZE;

  @Option(names = "--embedding-cache", paramLabel = "DIR",
      description = "real-text: the embedding cache (default <benchmarks>/target/corpus-cache)")
  Path embeddingCache;

  static final List<String> DATASETS =
      List.of("fashion-mnist", "synthetic", "synthetic-cosine", "real-text", "real-text-dedup");

  @Option(names = "--fashion-mnist", paramLabel = "DIR", description = "idx files (default /usr/share/datasets/fashion-mnist)")
  Path fashionMnistDir;

  @Option(names = "--n", paramLabel = "N", description = "synthetic: vectors (default 1000000)")
  int n = Datasets.DEFAULT_SYNTHETIC_SIZE;

  @Option(names = "--dim", paramLabel = "D", description = "synthetic: dimension (default 128)")
  int dimension = Datasets.DEFAULT_SYNTHETIC_DIMENSION;

  @Option(names = "--seed", paramLabel = "S", description = "synthetic and real-text: seed (default 42)")
  long seed = Datasets.DEFAULT_SEED;

  @Option(names = "--queries", paramLabel = "N", description = "use the first N queries (default: all)")
  int queries = Integer.MAX_VALUE;

  @Option(names = "--systems", paramLabel = "LIST", split = ",",
      description = "names (listed below), or all, java, python or memory (default all)")
  List<String> systemNames = List.of("all");

  /** The systems to run, resolved from {@code --systems}, in the canonical order. */
  List<String> systems;

  @Option(names = "--k", paramLabel = "K", description = "neighbours per query, recall@K (default 10, at most 100)")
  int k = 10;

  @Option(names = "--m", paramLabel = "M", description = "HNSW M of every graph system (default 16)")
  int m = 16;

  @Option(names = "--ef-construction", paramLabel = "B", description = "HNSW build beam width of every graph system (default 100)")
  int efConstruction = 100;

  @Option(names = "--ivf-lists", paramLabel = "L", description = "IVF lists for iQDB and FAISS nlist; 0: iQDB chooses (default 256)")
  int ivfLists = 256;

  @Option(names = "--ef", paramLabel = "LIST", split = ",", description = "sweep of the graph search width (default 10,20,40,80,120,200,400)")
  List<Integer> efSweep = List.of(10, 20, 40, 80, 120, 200, 400);

  @Option(names = "--probes", paramLabel = "LIST", split = ",", description = "sweep of the IVF probe count (default 1,2,4,8,16,32,64)")
  List<Integer> probeSweep = List.of(1, 2, 4, 8, 16, 32, 64);

  @Option(names = "--targets", paramLabel = "LIST", split = ",",
      description = "-target systems: target recalls in thousandths (default 900,950,990)")
  List<Integer> targets = List.of(900, 950, 990);

  @Option(names = "--threads", paramLabel = "T", description = "threads of the all-cores pass (default: available processors)")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--warmup-ms", paramLabel = "T", description = "untimed warm-up queries before each point, in ms (default 1000)")
  int warmupMillis = 1000;

  @Option(names = "--runs", paramLabel = "N", description = "rounds over all systems; each point keeps its fastest (default 1)")
  int runs = 1;

  @Option(names = "--target-recall", paramLabel = "R", description = "recall of the headline table (default 0.95)")
  double targetRecall = 0.95;

  @Option(names = "--benchmarks", paramLabel = "DIR", description = "the benchmarks/ directory (default: found from the working directory)")
  Path benchmarksDir;

  @Option(names = "--data", paramLabel = "DIR", description = "ground truth, vector files, indexes (default <benchmarks>/data)")
  Path dataDir;

  @Option(names = "--out", paramLabel = "DIR", description = "results (default <benchmarks>/results/<dataset>)")
  Path outDir;

  @Option(names = "--python", paramLabel = "PATH", description = "interpreter for peers.py and plot.py (default /usr/bin/python3)")
  Path python = Path.of("/usr/bin/python3");

  @Option(names = "--no-python", negatable = false, description = "skip the FAISS and hnswlib peers")
  boolean noPython;

  @Option(names = "--no-plot", negatable = false, description = "skip the PNG plot")
  boolean noPlot;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
  boolean help;

  /**
   * Parses command-line arguments.
   *
   * @throws IllegalArgumentException naming the bad or unknown argument
   */
  static HarnessOptions parse(String... args) {
    HarnessOptions o = new HarnessOptions();
    try {
      new CommandLine(o).parseArgs(args);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    o.resolve();
    return o;
  }

  /** The help text. */
  static String usage() {
    CommandLine cl = new CommandLine(new HarnessOptions());
    cl.getCommandSpec().usageMessage().footer("%nSystems: " + String.join(", ", KNOWN_SYSTEMS));
    return cl.getUsageMessage();
  }

  boolean runPython() {
    return !noPython;
  }

  boolean plot() {
    return !noPlot;
  }

  private void resolve() {
    if (!DATASETS.contains(dataset)) {
      throw new IllegalArgumentException("--dataset must be one of " + DATASETS + "; got " + dataset);
    }
    positive("--texts", texts);
    positive("--n", n);
    positive("--dim", dimension);
    positive("--queries", queries);
    positive("--k", k);
    positive("--m", m);
    positive("--ef-construction", efConstruction);
    positive("--threads", threads);
    positive("--runs", runs);
    if (ivfLists < 0 || warmupMillis < 0) {
      throw new IllegalArgumentException("--ivf-lists and --warmup-ms must be >= 0; got " + ivfLists + " and " + warmupMillis);
    }
    for (int v : efSweep) {
      positive("--ef", v);
    }
    for (int v : probeSweep) {
      positive("--probes", v);
    }
    for (int v : targets) {
      if (v < 1 || v > 1000) {
        throw new IllegalArgumentException("--targets must be in 1..1000 (thousandths); got " + v);
      }
    }
    if (k > 100) {
      throw new IllegalArgumentException("--k must be at most 100 (the ground truth depth); --k " + k);
    }
    systems = systems(systemNames);
    if (benchmarksDir == null) {
      benchmarksDir = Files.isDirectory(Path.of("benchmarks", "python")) ? Path.of("benchmarks") : Path.of(".");
    }
    dataDir = dataDir != null ? dataDir : benchmarksDir.resolve("data");
    embeddingCache = embeddingCache != null ? embeddingCache : benchmarksDir.resolve("target").resolve("corpus-cache");
    outDir = outDir != null ? outDir : benchmarksDir.resolve("results").resolve(dataset);
  }

  private static void positive(String name, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive; got " + v);
    }
  }

  private static List<String> systems(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String s : names) {
      switch (s.trim()) {
        case "all" -> out.addAll(ALL_SYSTEMS);
        case "python" -> out.addAll(PythonPeers.SYSTEMS);
        case "memory" -> out.addAll(MEMORY_SYSTEMS);
        case "targets" -> out.addAll(TARGET_SYSTEMS);
        case "java" -> out.addAll(ALL_SYSTEMS.stream().filter(x -> !PythonPeers.SYSTEMS.contains(x)).toList());
        default -> {
          if (!KNOWN_SYSTEMS.contains(s.trim())) {
            throw new IllegalArgumentException("unknown system " + s + "; known: " + KNOWN_SYSTEMS);
          }
          out.add(s.trim());
        }
      }
    }
    // Run in the canonical order whatever the order given.
    return KNOWN_SYSTEMS.stream().filter(out::contains).toList();
  }
}
