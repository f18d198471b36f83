package io.iqdb.cli;

import io.iqdb.CollectionConfig;
import io.iqdb.Filter;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.util.IOUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iqdb demo}: the tour. Loads Fashion-MNIST (or generated data), builds a flat, an IVF and an
 * HNSW collection of it, and compares their latency and recall against exact search, with and
 * without a payload filter on the label.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    subcommands = TextDemoCommand.class,
    description = {
      "Build flat, IVF and HNSW collections of Fashion-MNIST (or of generated data when the"
          + " dataset-fashion-mnist package is not installed), search them with and without a payload"
          + " filter, and print hits, recall@k against exact search, and latencies.",
      "The demo's collections (demo_flat, demo_ivf, demo_hnsw) are dropped and rebuilt on each run;"
          + " other collections in DB are left alone. Takes about a minute with the default 20,000 vectors.",
      "'iqdb demo text' is semantic search on real text instead (see 'iqdb demo text --help')."
    })
final class DemoCommand extends BaseCommand {

  static final String[] INDEXES = {"flat", "ivf", "hnsw"};

  @Parameters(index = "0", arity = "0..1", paramLabel = "DB", description = "The database directory (default ./demo.iqdb).")
  Path db = Path.of("demo.iqdb");

  @Option(names = "--temp", description = "Use a temporary database, deleted at the end, instead of DB.")
  boolean temp;

  @Option(names = "--size", paramLabel = "N", description = "Vectors to store (default 20000).")
  int size = 20_000;

  @Option(names = "--all", description = "Store the whole dataset (60,000 for Fashion-MNIST).")
  boolean all;

  @Option(names = "--queries", paramLabel = "N", description = "Queries to time (default 200).")
  int queries = 200;

  @Option(names = "-k", paramLabel = "K", description = "Neighbours per query (default 10).")
  int k = 10;

  @Option(names = "--generated", description = "Use generated data even if Fashion-MNIST is installed.")
  boolean generated;

  @Option(names = "--dataset-dir", paramLabel = "DIR", hidden = true, description = "Where to look for Fashion-MNIST.")
  Path datasetDir = DemoData.FASHION_MNIST;

  @Option(names = "--progress", negatable = true, description = "Draw progress bars (default: on a terminal).")
  Boolean progress;

  /** One index's results. */
  private record Row(String index, String error, double buildSeconds, Stats plain, Stats filtered) {}

  /** Latencies and recall of one query set. */
  private record Stats(double p50Ms, double p99Ms, double recall) {}

  @Override
  int run() throws IOException {
    if (size < 1 || queries < 1 || k < 1) {
      throw new CliException(ExitCode.USAGE, "--size, --queries and -k must be positive");
    }
    DemoData data = load();
    out().println("data: " + data.description());
    Path dir = temp ? Files.createTempDirectory("iqdb-demo") : db;
    try {
      run(dir, data);
    } finally {
      if (temp) {
        IOUtils.rm(dir);
      }
    }
    return ExitCode.OK;
  }

  private DemoData load() throws IOException {
    if (!generated && DemoData.fashionMnistPresent(datasetDir)) {
      out().println("loading Fashion-MNIST ...");
      out().flush();
      return DemoData.fashionMnist(datasetDir, all ? 0 : size, queries);
    }
    if (!generated) {
      out().println("Fashion-MNIST is not installed at " + datasetDir
          + " (apt-get install dataset-fashion-mnist); using generated data instead.");
    }
    return DemoData.generated(all ? 60_000 : size, queries, 128, 42);
  }

  private void run(Path dir, DemoData data) {
    out().println("database: " + dir.toAbsolutePath() + (temp ? " (temporary)" : ""));
    try (Iqdb iqdb = Iqdb.open(dir)) {
      for (String kind : INDEXES) {
        iqdb.dropCollection("demo_" + kind);
      }
      List<VectorRecord> records = records(data);
      List<Row> rows = new ArrayList<>();
      VectorCollection flat = null;
      List<List<Hit>> truth = null;
      List<List<Hit>> filteredTruth = null;
      for (String kind : INDEXES) {
        String name = "demo_" + kind;
        out().println("building " + name + " (" + kind + ") ...");
        out().flush();
        long start = System.nanoTime();
        VectorCollection c;
        try {
          c = iqdb.createCollection(name, CollectionConfig.builder(data.vectors()[0].length, data.metric())
              .index(spec(kind)).build());
          load(c, records, kind);
        } catch (RuntimeException e) {
          // An index that this build cannot make yet is reported in the table, not fatal.
          rows.add(new Row(kind, Main.sentence(e), 0, null, null));
          if (verbose) {
            e.printStackTrace(err());
          }
          continue;
        }
        double build = (System.nanoTime() - start) / 1e9;
        if (truth == null) {
          // Ground truth: exact search on the first collection built (flat).
          flat = c;
          truth = exact(c, data, false);
          filteredTruth = exact(c, data, true);
        }
        try {
          Stats plain = measure(c, data, false, truth);
          Stats filtered = measure(c, data, true, filteredTruth);
          rows.add(new Row(kind, null, build, plain, filtered));
        } catch (RuntimeException e) {
          rows.add(new Row(kind, Main.sentence(e), build, null, null));
        }
      }
      printTable(rows, data);
      printExample(iqdb, flat, data);
    }
  }

  private List<VectorRecord> records(DemoData data) {
    List<VectorRecord> out = new ArrayList<>(data.vectors().length);
    for (int i = 0; i < data.vectors().length; i++) {
      int label = data.labels()[i];
      out.add(new VectorRecord(Integer.toString(i), data.vectors()[i],
          Payload.of("label", label, "name", data.labelName(label))));
    }
    return out;
  }

  private static IndexSpec spec(String kind) {
    return switch (kind) {
      case "flat" -> IndexSpec.flat();
      case "ivf" -> IndexSpec.ivf();
      default -> IndexSpec.hnsw();
    };
  }

  private void load(VectorCollection c, List<VectorRecord> records, String kind) {
    boolean draw = progress != null ? progress : Progress.onTerminal();
    Progress bar = new Progress(err(), draw, String.format(Locale.ROOT, "  %-5s", kind), records.size(), System.nanoTime());
    for (int from = 0; from < records.size(); from += 1000) {
      int to = Math.min(records.size(), from + 1000);
      c.upsertAll(records.subList(from, to));
      bar.update(to);
    }
    c.flush();
    bar.finish(records.size());
  }

  private Filter labelFilter(DemoData data, int query) {
    return Filter.eq("label", data.queryLabels()[query]);
  }

  /** The demo's request for query {@code q}, with its label as filter if {@code filtered}. */
  private SearchRequest request(DemoData data, int q, boolean filtered) {
    SearchRequest r = SearchRequest.of(data.queries()[q], k).includePayload(false);
    return filtered ? r.filter(labelFilter(data, q)) : r;
  }

  private List<List<Hit>> exact(VectorCollection c, DemoData data, boolean filtered) {
    List<List<Hit>> out = new ArrayList<>();
    for (int q = 0; q < data.queries().length; q++) {
      out.add(c.search(request(data, q, filtered).exact(true)));
    }
    return out;
  }

  private Stats measure(VectorCollection c, DemoData data, boolean filtered, List<List<Hit>> truth) {
    int n = data.queries().length;
    // Warm-up so that the timings are of compiled code, not of the JIT.
    for (int q = 0; q < Math.min(n, 50); q++) {
      c.search(request(data, q, filtered));
    }
    double[] ms = new double[n];
    double recall = 0;
    for (int q = 0; q < n; q++) {
      SearchRequest r = request(data, q, filtered);
      long start = System.nanoTime();
      List<Hit> hits = c.search(r);
      ms[q] = (System.nanoTime() - start) / 1e6;
      recall += recall(hits, truth.get(q));
    }
    Arrays.sort(ms);
    return new Stats(percentile(ms, 0.50), percentile(ms, 0.99), recall / n);
  }

  /**
   * Tie-aware recall (as ann-benchmarks counts it): a hit counts when it is a true neighbour or
   * scores at least as well as the last one (a copy of a true neighbour is as right as the one the
   * exact search happened to list); a relative tolerance of 1e-6 absorbs last-bit differences
   * between the plans' score arithmetic.
   */
  static double recall(List<Hit> hits, List<Hit> truth) {
    if (truth.isEmpty()) {
      return 1;
    }
    Set<String> expected = new HashSet<>();
    truth.forEach(h -> expected.add(h.id()));
    float kth = truth.get(truth.size() - 1).score();
    double cut = kth - 1e-6 * Math.max(1.0, Math.abs(kth));
    long found = hits.stream().limit(truth.size())
        .filter(h -> expected.contains(h.id()) || h.score() >= cut).count();
    return (double) found / truth.size();
  }

  static double percentile(double[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private void printTable(List<Row> rows, DemoData data) {
    out().println();
    out().println(String.format(Locale.ROOT,
        "%,d vectors, %d queries, k=%d; recall@%d against exact search; latency of one query on one thread;"
            + " 'filtered' adds the payload filter label = <the query's label>.",
        data.vectors().length, data.queries().length, k, k));
    Table t = new Table("index", "build", "p50", "p99", "recall@" + k, "filtered p50", "filtered p99", "filtered recall@" + k);
    List<String> notes = new ArrayList<>();
    for (Row r : rows) {
      if (r.error != null) {
        notes.add(r.index + ": " + r.error);
        t.row(r.index, "n/a (" + notes.size() + ")", "", "", "", "", "", "");
      } else {
        t.row(r.index, String.format(Locale.ROOT, "%.1f s", r.buildSeconds),
            ms(r.plain.p50Ms), ms(r.plain.p99Ms), String.format(Locale.ROOT, "%.3f", r.plain.recall),
            ms(r.filtered.p50Ms), ms(r.filtered.p99Ms), String.format(Locale.ROOT, "%.3f", r.filtered.recall));
      }
    }
    t.print(out());
    for (int i = 0; i < notes.size(); i++) {
      out().println("(" + (i + 1) + ") not available in this build: " + notes.get(i));
    }
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, v < 10 ? "%.2f ms" : "%.1f ms", v);
  }

  private void printExample(Iqdb iqdb, VectorCollection flat, DemoData data) {
    // Show hits from the best index that works: HNSW if it was built, else any.
    VectorCollection c = Stream.of("demo_hnsw", "demo_ivf", "demo_flat")
        .map(iqdb::findCollection).flatMap(java.util.Optional::stream)
        .filter(x -> x.count() > 0).findFirst().orElse(flat);
    if (c == null) {
      return;
    }
    int label = data.queryLabels()[0];
    List<Hit> hits = c.search(SearchRequest.of(data.queries()[0], 5));
    List<Hit> filtered = c.search(SearchRequest.of(data.queries()[0], 5).filter(Filter.eq("label", (label + 1) % data.labelNames().length)));
    out().println();
    out().println("query 0 (label " + label + ", " + data.labelName(label) + ") in " + c.name() + ", top 5:");
    hitTable(hits, data).print(out());
    int other = (label + 1) % data.labelNames().length;
    out().println();
    out().println("the same query with the filter label = " + other + " (" + data.labelName(other) + "), top 5:");
    hitTable(filtered, data).print(out());
    out().println();
    if (!temp) {
      out().println("try: iqdb search " + db + " " + c.name() + " --id 0 -k 5 --filter 'label = " + other + "'");
      out().println("     iqdb stats " + db);
    }
  }

  private static Table hitTable(List<Hit> hits, DemoData data) {
    // Under L2 the score is 1 / (1 + d^2), tiny for pixel vectors; the distance reads better.
    boolean l2 = data.metric() == io.iqdb.Metric.L2;
    Table t = new Table("rank", "id", l2 ? "distance" : "score", "label", "name");
    int rank = 1;
    for (Hit h : hits) {
      double shown = l2 ? Math.sqrt(Math.max(0, 1 / (double) h.score() - 1)) : h.score();
      t.row(rank++, h.id(), String.format(Locale.ROOT, l2 ? "%.1f" : "%.6f", shown), h.payload().getLong("label"),
          h.payload().getString("name"));
    }
    return t;
  }
}
