package io.iqdb.bench.ann;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes the harness's results: {@code results.csv}, {@code results.md} (machine, method, headline
 * and full tables) and the machine description.
 */
public final class Reports {

  private Reports() {}

  /**
   * Describes the machine and software of this run, one {@code key: value} per entry.
   *
   * @param extra more entries (e.g. Python library versions)
   * @return the description, in display order
   */
  public static Map<String, String> machine(Map<String, String> extra) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceAll("\\.\\d+", ""));
    m.put("cpu", cpuModel());
    m.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("memory", memTotal());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("jvm flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    m.put("lucene", org.apache.lucene.util.Version.LATEST.toString());
    m.putAll(extra);
    return m;
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String memTotal() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines.filter(l -> l.startsWith("MemTotal")).findFirst()
          .map(l -> l.replaceAll("\\D+", "")).map(kb -> (Long.parseLong(kb) >> 20) + " GiB").orElse("unknown");
    } catch (IOException | NumberFormatException e) {
      return "unknown";
    }
  }

  /**
   * Writes the target-recall table ({@link #appendTargets}) of several runs' {@code results.csv}
   * files together, for systems measured in separate runs (each system in its own JVM): {@code
   * Reports OUT.md RESULTS.csv...}.
   *
   * @param args the output file, then the CSV files
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: Reports OUT.md RESULTS.csv...");
    }
    List<ResultRow> rows = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      List<String> lines = Files.readAllLines(Path.of(args[i]));
      lines.subList(1, lines.size()).forEach(line -> rows.add(ResultRow.parse(line)));
    }
    StringBuilder md = new StringBuilder();
    appendTargets(md, rows);
    Files.writeString(Path.of(args[0]), md);
  }

  /**
   * Writes {@code results.csv}.
   *
   * @param file the file
   * @param rows the rows
   * @throws IOException if the file cannot be written
   */
  public static void writeCsv(Path file, List<ResultRow> rows) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(String.join(",", ResultRow.COLUMNS));
    rows.forEach(r -> lines.add(r.csv()));
    Files.write(file, lines);
  }

  /**
   * Returns, per system, the fastest single-thread point that reaches the target recall.
   *
   * @param rows all rows
   * @param system the system
   * @param targetRecall the recall to reach, e.g. 0.95
   * @return the point, or empty if the system never reached it
   */
  public static Optional<ResultRow> best(List<ResultRow> rows, String system, double targetRecall) {
    return rows.stream().filter(r -> r.ok() && r.system().equals(system) && r.recall() >= targetRecall)
        .max((a, b) -> Double.compare(a.qps1(), b.qps1()));
  }

  /**
   * Writes {@code results.md}: machine, method, the headline table (each system's fastest point at
   * the target recall, and each iQDB system's QPS ratio against each peer), then every row.
   *
   * @param file the file
   * @param title the title, e.g. the dataset description
   * @param rows all rows
   * @param descriptions how each system was configured
   * @param machine the machine description
   * @param targetRecall the headline recall, e.g. 0.95
   * @param plot the plot's file name, or null if there is none
   * @throws IOException if the file cannot be written
   */
  public static void writeMarkdown(Path file, String title, List<ResultRow> rows, Map<String, String> descriptions,
      Map<String, String> machine, double targetRecall, String plot) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    md.append("## Machine\n\n");
    machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v.isEmpty() ? "-" : v).append('\n'));
    md.append("\n## Method\n\n")
        .append("- recall@k against exact ground truth (brute force); `qps1`: one query at a time on one thread;"
            + " `qps_all`: queries spread over `threads` concurrent searchers (FAISS and hnswlib: one batch call"
            + " with that many threads); p50/p99: single-thread latency per query.\n")
        .append("- `peak_mem_mb` / `retained_mem_mb`: Java systems: the largest heap in use after any GC during"
            + " the build (GC notifications, and a full GC at its end), and the heap after a full GC once built,"
            + " both above a post-GC baseline; memory-mapped index files are not counted (see `disk_mb`). Python"
            + " systems: peak RSS sampled every 5 ms during the build, and RSS after it, above the RSS before it."
            + " So Java counts live heap only while Python counts everything the process touched: compare"
            + " within a language.\n")
        .append("- `disk_mb`: index files on disk (JVector and hnswlib: the graph saved after the timed build;"
            + " FAISS: `write_index`).\n")
        .append("- The machine is shared and noisy: ratios between systems measured in the same run are the"
            + " result, absolute numbers are context.\n\n");
    if (plot != null) {
      md.append("![recall vs QPS](").append(plot).append(")\n\n");
    }
    appendHeadline(md, rows, targetRecall);
    appendTargets(md, rows);
    md.append("## Systems\n\n");
    descriptions.forEach((k, v) -> md.append("- `").append(k).append("`: ").append(v).append('\n'));
    md.append("\n## All points\n\n| ");
    md.append(String.join(" | ", ResultRow.COLUMNS.subList(1, ResultRow.COLUMNS.size()))).append(" |\n|");
    md.append("---|".repeat(ResultRow.COLUMNS.size() - 1)).append('\n');
    for (ResultRow r : rows) {
      String[] cells = r.csv().split(",", ResultRow.COLUMNS.size());
      md.append("| ").append(String.join(" | ", java.util.Arrays.asList(cells).subList(1, cells.length))
          .replace("\"", "")).append(" |\n");
    }
    Files.writeString(file, md);
  }

  private static void ratioTable(StringBuilder md, List<ResultRow> rows, List<String> iqdb, List<String> peers,
      double targetRecall, String what, java.util.function.ToDoubleFunction<ResultRow> qps) {
    md.append(String.format(Locale.ROOT,
        "\n%s ratio at recall >= %.2f, each system at its fastest such point (iQDB / peer; > 1 means iQDB is"
            + " faster):\n\n| iQDB \\ peer | ", what, targetRecall));
    md.append(String.join(" | ", peers)).append(" |\n|---|").append("---|".repeat(peers.size())).append('\n');
    for (String i : iqdb) {
      double q = bestBy(rows, i, targetRecall, qps);
      md.append("| ").append(i);
      for (String p : peers) {
        md.append(String.format(Locale.ROOT, " | %.2f", q / bestBy(rows, p, targetRecall, qps)));
      }
      md.append(" |\n");
    }
  }

  private static double bestBy(List<ResultRow> rows, String system, double targetRecall,
      java.util.function.ToDoubleFunction<ResultRow> qps) {
    return rows.stream().filter(r -> r.ok() && r.system().equals(system) && r.recall() >= targetRecall)
        .mapToDouble(qps).max().orElse(Double.NaN);
  }

  /**
   * The target-recall table: each point of a system searched by target recall only (a name ending
   * in {@code -target}, the value in thousandths) beside each peer's fastest single-thread point
   * whose recall is at least the recall that point reached. Nothing if no such system ran.
   */
  static void appendTargets(StringBuilder md, List<ResultRow> rows) {
    List<ResultRow> targets = rows.stream().filter(r -> r.ok() && r.system().endsWith("-target")).toList();
    List<String> peers = rows.stream().map(ResultRow::system).filter(s -> !s.startsWith("iqdb")).distinct().toList();
    if (targets.isEmpty()) {
      return;
    }
    md.append("## Target recall beside the peers\n\n")
        .append("Each iQDB point is a search with `SearchRequest.targetRecall(target)` and nothing else; each peer"
            + " column is that peer's fastest single-thread point reaching at least the recall iQDB reached"
            + " (its parameter, then iQDB's QPS over the peer's; > 1 means iQDB is faster), `-` if it never"
            + " reached it.\n\n| system | target | recall reached | qps1 |");
    peers.forEach(p -> md.append(' ').append(p).append(" |"));
    md.append("\n|---|---|---|---|").append("---|".repeat(peers.size())).append('\n');
    for (ResultRow t : targets) {
      md.append(String.format(Locale.ROOT, "| %s | %.2f | %.4f | %.0f |", t.system(), t.value() / 1000.0,
          t.recall(), t.qps1()));
      for (String p : peers) {
        Optional<ResultRow> peer = best(rows, p, t.recall());
        md.append(peer.map(r -> String.format(Locale.ROOT, " %s=%d: %.2f |", r.parameter(), r.value(), t.qps1() / r.qps1()))
            .orElse(" - |"));
      }
      md.append('\n');
    }
    md.append('\n');
  }

  private static void appendHeadline(StringBuilder md, List<ResultRow> rows, double targetRecall) {
    List<String> systems = rows.stream().map(ResultRow::system).distinct().toList();
    md.append(String.format(Locale.ROOT, "## Headline: fastest point at recall >= %.2f\n\n", targetRecall));
    md.append("| system | parameter | recall | qps1 | qps_all | p50_us | p99_us | build_s | disk_mb |\n");
    md.append("|---|---|---|---|---|---|---|---|---|\n");
    for (String s : systems) {
      Optional<ResultRow> best = best(rows, s, targetRecall);
      if (best.isPresent()) {
        ResultRow r = best.get();
        String parameter = r.parameter().equals("-") ? "-" : r.parameter() + "=" + r.value();
        md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f |\n",
            s, parameter, r.recall(), r.qps1(), r.qpsAll(), r.p50Micros(), r.p99Micros(),
            r.buildSeconds(), r.diskMb()));
      } else {
        String why = rows.stream().filter(r -> r.system().equals(s) && !r.ok()).map(ResultRow::status)
            .findFirst().orElseGet(() -> String.format(Locale.ROOT, "not reached (best recall %.4f)",
                rows.stream().filter(r -> r.system().equals(s) && r.ok()).mapToDouble(ResultRow::recall).max().orElse(0)));
        md.append("| ").append(s).append(" | ").append(why.replace('|', '/')).append(" | | | | | | | |\n");
      }
    }
    List<String> iqdb = systems.stream().filter(s -> s.startsWith("iqdb") && best(rows, s, targetRecall).isPresent()).toList();
    List<String> peers = systems.stream().filter(s -> !s.startsWith("iqdb") && best(rows, s, targetRecall).isPresent()).toList();
    if (!iqdb.isEmpty() && !peers.isEmpty()) {
      ratioTable(md, rows, iqdb, peers, targetRecall, "Single-thread QPS", ResultRow::qps1);
      ratioTable(md, rows, iqdb, peers, targetRecall, "All-cores QPS", ResultRow::qpsAll);
    }
    md.append('\n');
  }
}
