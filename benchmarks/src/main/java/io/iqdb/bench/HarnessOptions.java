package io.iqdb.bench;

import io.iqdb.bench.ann.PythonPeers;
import io.iqdb.bench.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Options of the {@link AnnHarness}, parsed from {@code --name value} arguments (see {@link #USAGE}).
 *
 * @param dataset {@code fashion-mnist}, {@code synthetic} or {@code synthetic-cosine}
 * @param fashionMnistDir where the Fashion-MNIST idx files are, or null for the Debian location
 * @param n synthetic: number of vectors
 * @param dimension synthetic: dimension
 * @param seed synthetic: seed
 * @param queries the number of queries to run (the first ones of the dataset)
 * @param systems the systems to run, by name
 * @param k neighbours per query and the recall cut-off
 * @param m HNSW {@code M} of every graph system
 * @param efConstruction HNSW build beam width of every graph system
 * @param ivfLists IVF list count (FAISS {@code nlist}); 0 lets iQDB choose (FAISS then uses 256)
 * @param efSweep values of the graph search parameter
 * @param probeSweep values of the IVF probe count
 * @param threads threads of the all-cores pass
 * @param warmupMillis milliseconds of untimed warm-up queries before each point
 * @param runs rounds of measurement over all systems; each point keeps its fastest round
 * @param targetRecall the recall of the headline table
 * @param benchmarksDir the {@code benchmarks/} directory (for {@code python/*.py})
 * @param dataDir where ground truth, vector files and indexes go
 * @param outDir where the results go
 * @param python the Python interpreter for the peers and the plot
 * @param runPython whether to run the Python peers
 * @param plot whether to draw the plot
 * @param help whether only the usage was asked for
 */
public record HarnessOptions(
    String dataset, Path fashionMnistDir, int n, int dimension, long seed, int queries, List<String> systems,
    int k, int m, int efConstruction, int ivfLists, List<Integer> efSweep, List<Integer> probeSweep,
    int threads, int warmupMillis, int runs, double targetRecall, Path benchmarksDir, Path dataDir, Path outDir, Path python,
    boolean runPython, boolean plot, boolean help) {

  /** Every system the harness knows, in the order it runs them. */
  public static final List<String> ALL_SYSTEMS = List.of(
      "lucene-hnsw", "jvector", "iqdb-flat", "iqdb-flat-int8", "iqdb-ivf", "iqdb-ivf-int8", "iqdb-hnsw",
      "iqdb-hnsw-int8", "iqdb-hnsw-int4", "iqdb-flat-bit1", "iqdb-ivf-bit1", "iqdb-hnsw-bit1", "faiss-flat", "faiss-ivf", "faiss-hnsw", "hnswlib");

  /** Default sweep of {@code ef}. */
  public static final List<Integer> DEFAULT_EF = List.of(10, 20, 40, 80, 120, 200, 400);

  /** Default sweep of IVF probes. */
  public static final List<Integer> DEFAULT_PROBES = List.of(1, 2, 4, 8, 16, 32, 64);

  /** The command-line help. */
  public static final String USAGE = """
      usage: AnnHarness [options]
        --dataset NAME        fashion-mnist (default) | synthetic | synthetic-cosine
        --fashion-mnist DIR   idx files (default /usr/share/datasets/fashion-mnist)
        --n N --dim D --seed S  synthetic size (default 1000000 x 128, seed 42)
        --queries N           use the first N queries (default: all)
        --systems LIST        comma-separated names, or all | java | python (default all):
                              %s
        --k K                 neighbours per query, recall@K (default 10)
        --m M --ef-construction B   HNSW graph parameters of every graph system (default 16, 100)
        --ivf-lists L         IVF lists for iQDB and FAISS nlist (default 256)
        --ef LIST --probes LIST   sweeps (default %s and %s)
        --threads T           threads of the all-cores pass (default: available processors)
        --warmup-ms T         untimed warm-up queries before each point, in ms (default 1000)
        --runs N              rounds over all systems; each point keeps its fastest (default 1)
        --target-recall R     recall of the headline table (default 0.95)
        --benchmarks DIR      the benchmarks/ directory (default: found from the working directory)
        --data DIR            ground truth, vector files, indexes (default <benchmarks>/data)
        --out DIR             results (default <benchmarks>/results/<dataset>)
        --python PATH         interpreter for peers.py and plot.py (default /usr/bin/python3)
        --no-python           skip the FAISS and hnswlib peers
        --no-plot             skip the PNG plot
      """.formatted(String.join(", ", ALL_SYSTEMS), DEFAULT_EF, DEFAULT_PROBES);

  /**
   * Parses command-line arguments.
   *
   * @param args the arguments
   * @return the options
   * @throws IllegalArgumentException naming the bad or unknown argument
   */
  public static HarnessOptions parse(String... args) {
    String dataset = "fashion-mnist";
    Path fashionDir = null;
    int n = Datasets.DEFAULT_SYNTHETIC_SIZE;
    int dim = Datasets.DEFAULT_SYNTHETIC_DIMENSION;
    long seed = Datasets.DEFAULT_SEED;
    int queries = Integer.MAX_VALUE;
    List<String> systems = ALL_SYSTEMS;
    int k = 10;
    int m = 16;
    int efc = 100;
    int lists = 256;
    List<Integer> ef = DEFAULT_EF;
    List<Integer> probes = DEFAULT_PROBES;
    int threads = Runtime.getRuntime().availableProcessors();
    int warmup = 1000;
    int runs = 1;
    double target = 0.95;
    Path bench = null;
    Path data = null;
    Path out = null;
    Path python = Path.of("/usr/bin/python3");
    boolean runPython = true;
    boolean plot = true;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> help = true;
        case "--no-python" -> runPython = false;
        case "--no-plot" -> plot = false;
        default -> {
          if (i + 1 >= args.length || !a.startsWith("--")) {
            throw new IllegalArgumentException("unknown or incomplete argument: " + a);
          }
          String v = args[++i];
          switch (a) {
            case "--dataset" -> dataset = oneOf(a, v, "fashion-mnist", "synthetic", "synthetic-cosine");
            case "--fashion-mnist" -> fashionDir = Path.of(v);
            case "--n" -> n = positive(a, v);
            case "--dim" -> dim = positive(a, v);
            case "--seed" -> seed = Long.parseLong(v);
            case "--queries" -> queries = positive(a, v);
            case "--systems" -> systems = systems(v);
            case "--k" -> k = positive(a, v);
            case "--m" -> m = positive(a, v);
            case "--ef-construction" -> efc = positive(a, v);
            case "--ivf-lists" -> lists = nonNegative(a, v);
            case "--ef" -> ef = ints(a, v);
            case "--probes" -> probes = ints(a, v);
            case "--threads" -> threads = positive(a, v);
            case "--warmup-ms" -> warmup = nonNegative(a, v);
            case "--runs" -> runs = positive(a, v);
            case "--target-recall" -> target = Double.parseDouble(v);
            case "--benchmarks" -> bench = Path.of(v);
            case "--data" -> data = Path.of(v);
            case "--out" -> out = Path.of(v);
            case "--python" -> python = Path.of(v);
            default -> throw new IllegalArgumentException("unknown argument: " + a);
          }
        }
      }
    }
    if (k > 100) {
      throw new IllegalArgumentException("--k must be at most 100 (the ground truth depth); --k " + k);
    }
    if (bench == null) {
      bench = Files.isDirectory(Path.of("benchmarks", "python")) ? Path.of("benchmarks") : Path.of(".");
    }
    data = data != null ? data : bench.resolve("data");
    out = out != null ? out : bench.resolve("results").resolve(dataset);
    return new HarnessOptions(dataset, fashionDir, n, dim, seed, queries, systems, k, m, efc, lists, ef, probes,
        threads, warmup, runs, target, bench, data, out, python, runPython, plot, help);
  }

  private static List<String> systems(String v) {
    List<String> out = new ArrayList<>();
    for (String s : v.split(",")) {
      switch (s.trim()) {
        case "all" -> out.addAll(ALL_SYSTEMS);
        case "python" -> out.addAll(PythonPeers.SYSTEMS);
        case "java" -> out.addAll(ALL_SYSTEMS.stream().filter(x -> !PythonPeers.SYSTEMS.contains(x)).toList());
        default -> {
          if (!ALL_SYSTEMS.contains(s.trim())) {
            throw new IllegalArgumentException("unknown system " + s + "; known: " + ALL_SYSTEMS);
          }
          out.add(s.trim());
        }
      }
    }
    // Run in the canonical order whatever the order given.
    return ALL_SYSTEMS.stream().filter(out::contains).toList();
  }

  private static String oneOf(String name, String v, String... allowed) {
    if (!Arrays.asList(allowed).contains(v)) {
      throw new IllegalArgumentException(name + " must be one of " + Arrays.toString(allowed) + "; got " + v);
    }
    return v;
  }

  private static int positive(String name, String v) {
    int x = parseInt(name, v);
    if (x <= 0) {
      throw new IllegalArgumentException(name + " must be positive; got " + v);
    }
    return x;
  }

  private static int nonNegative(String name, String v) {
    int x = parseInt(name, v);
    if (x < 0) {
      throw new IllegalArgumentException(name + " must be >= 0; got " + v);
    }
    return x;
  }

  private static int parseInt(String name, String v) {
    try {
      return Integer.parseInt(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs an integer; got " + v);
    }
  }

  private static List<Integer> ints(String name, String v) {
    List<Integer> out = new ArrayList<>();
    for (String s : v.split(",")) {
      out.add(positive(name, s.trim()));
    }
    return List.copyOf(out);
  }
}
