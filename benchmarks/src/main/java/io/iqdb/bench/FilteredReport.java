package io.iqdb.bench;

import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@link FilteredHarness}'s results as {@code results.md} (one table per index and kind of
 * filter) and {@code qps-selectivity.svg} (QPS against selectivity per plan, log-log, one panel per
 * index and kind). The SVG is written directly so that the plot needs no plotting library.
 */
final class FilteredReport {
  /** The plotted plans; {@code lucene-equal} is {@link #atLeast}'s choice, per cell. */
  private static final String[] PLANS = {"default", "exact", "index", "lucene", "lucene-equal"};
  private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#7f7f7f", "#9467bd"};

  private FilteredReport() {}

  /** One CSV row, parsed. */
  private record Row(String index, String kind, double selectivity, long matches, String plan, double recall,
      double qps, double minHits, long exactSegments, long indexSegments, double scored) {
    static Row parse(String line) {
      String[] f = line.split(",");
      return new Row(f[0], f[1], Double.parseDouble(f[2]), Long.parseLong(f[3]), f[4], Double.parseDouble(f[5]),
          Double.parseDouble(f[6]), Double.parseDouble(f[7]), Long.parseLong(f[8]), Long.parseLong(f[9]),
          Double.parseDouble(f[10]));
    }
  }

  static void write(Path out, String name, Dataset data, int queries, List<String> csv, long seconds)
      throws IOException {
    Map<String, Map<Double, Map<String, Row>>> panels = new LinkedHashMap<>();
    for (String line : csv.subList(1, csv.size())) {
      Row r = Row.parse(line);
      panels.computeIfAbsent(r.index() + " / " + r.kind(), x -> new LinkedHashMap<>())
          .computeIfAbsent(r.selectivity(), x -> new LinkedHashMap<>()).put(r.plan(), r);
    }
    for (var panel : panels.values()) {
      for (Map<String, Row> cell : panel.values()) {
        Row equal = atLeast(cell);
        if (equal != null) {
          cell.put("lucene-equal", equal);
        }
      }
    }
    StringBuilder md = new StringBuilder();
    md.append("# Filtered search: ").append(name).append("\n\n");
    md.append(String.format(Locale.ROOT,
        "%s, %d x %d (%s), %d queries, k = 10, one segment per index, one thread; run of %d s ending %s.%n%n",
        name, data.train().length, data.dimension(), data.metric(), queries, seconds, Instant.now()));
    md.append("Made by `io.iqdb.bench.FilteredHarness` (method in its class comment): plans are iQDB's default "
        + "(the planner), `exact` (`exact(true)`), `index` (`forceIndex(true)`: the index in every segment, with "
        + "Lucene's own fallbacks) and raw Lucene HNSW (M=16, beam 100, `KnnFloatVectorQuery(k = 100)` with the "
        + "same filter as a `LongPoint` range query). QPS is queries over the sum of each query's fastest "
        + "of runs 2 and 3 of 3 in a row over two passes (the first run is untimed), after a warm-up over every cell; iQDB (default, exact, index) and raw Lucene (every k) each ran in a JVM of its own over the same index files. `plan mix` is how many (segment, query) pairs the default scored exactly / by the index. "
        + "`vs best` = default QPS / max(exact, index); `vs lucene` = default QPS / raw Lucene's at k = 100. "
        + "Raw Lucene also ran the same queries at k = 10, 20, 50, 200, 400 and 800: `lucene at >= default's recall` "
        + "is the fastest of those runs whose recall is at least the default's (or, marked `never` and `*`, the most "
        + "accurate one), and `vs lucene at >= recall` the default's QPS over its QPS. The plot's `lucene-equal` is that run.\n\n");
    md.append("![QPS against selectivity](qps-selectivity.svg)\n\n");
    for (var panel : panels.entrySet()) {
      md.append("## ").append(panel.getKey()).append("\n\n");
      md.append("| selectivity | matches | recall default | recall index | recall lucene | QPS default | QPS exact "
          + "| QPS index | QPS lucene | vs best | vs lucene | lucene at >= default's recall: k, recall, QPS "
          + "| vs lucene at >= recall | plan mix (exact/index) | min hits/expected |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (var cell : panel.getValue().entrySet()) {
        Map<String, Row> p = cell.getValue();
        Row d = p.get("default");
        Row e = p.get("exact");
        Row i = p.get("index");
        Row l = p.get("lucene");
        Row eq = p.get("lucene-equal");
        md.append(String.format(Locale.ROOT,
            "| %s%% | %d | %.3f | %.3f | %s | %,.0f | %,.0f | %,.0f | %s | %.2f | %s | %s | %s | %d/%d | %.2f |%n",
            fmt(cell.getKey() * 100), d.matches(), d.recall(), i.recall(), l == null ? "-" : String.format(Locale.ROOT, "%.3f", l.recall()),
            d.qps(), e.qps(), i.qps(), l == null ? "-" : String.format(Locale.ROOT, "%,.0f", l.qps()),
            d.qps() / Math.max(e.qps(), i.qps()), l == null ? "-" : String.format(Locale.ROOT, "%.2f", d.qps() / l.qps()),
            eq == null ? "-" : String.format(Locale.ROOT, "%s%s, %.3f, %,.0f", eq.recall() >= d.recall() ? "" : "never; best: ",
                eq.plan().equals("lucene") ? "k=100" : eq.plan().replace("lucene-", ""), eq.recall(), eq.qps()),
            eq == null ? "-" : String.format(Locale.ROOT, "%.2f%s", d.qps() / eq.qps(), eq.recall() >= d.recall() ? "" : "*"),
            d.exactSegments(), d.indexSegments(), d.minHits()));
      }
      md.append('\n');
    }
    Files.writeString(out.resolve("results.md"), md.toString());
    Files.writeString(out.resolve("qps-selectivity.svg"), svg(panels));
  }

  /**
   * Raw Lucene at no less recall than iQDB's default: the fastest of the cell's Lucene runs (k = 10
   * to 800) whose recall is at least the default's; if none reaches it, the most accurate one (the
   * fastest among equals), which the table marks.
   */
  private static Row atLeast(Map<String, Row> cell) {
    Row d = cell.get("default");
    Row fastest = null;
    Row accurate = null;
    for (Row r : cell.values()) {
      if (!r.plan().startsWith("lucene")) {
        continue;
      }
      if (r.recall() >= d.recall() && (fastest == null || r.qps() > fastest.qps())) {
        fastest = r;
      }
      if (accurate == null || r.recall() > accurate.recall()
          || (r.recall() == accurate.recall() && r.qps() > accurate.qps())) {
        accurate = r;
      }
    }
    return fastest != null ? fastest : accurate;
  }

  private static String fmt(double percent) {
    return percent >= 1 ? String.format(Locale.ROOT, "%.0f", percent) : String.format(Locale.ROOT, "%s", percent);
  }

  /** Log-log panels, x = selectivity (1 .. 1e-4), y = QPS. */
  private static String svg(Map<String, Map<Double, Map<String, Row>>> panels) {
    int w = 360;
    int h = 260;
    int cols = 3;
    int rowsN = (panels.size() + cols - 1) / cols;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>%n",
        w * cols, h * rowsN + 30));
    s.append("<rect width='100%' height='100%' fill='white'/>\n");
    for (int p = 0; p < PLANS.length; p++) {
      s.append(String.format(Locale.ROOT, "<rect x='%d' y='8' width='12' height='4' fill='%s'/><text x='%d' y='14'>%s</text>%n",
          20 + p * 110, COLOURS[p], 36 + p * 110, PLANS[p]));
    }
    int n = 0;
    for (var panel : panels.entrySet()) {
      int ox = (n % cols) * w + 50;
      int oy = (n / cols) * h + 40;
      int pw = w - 70;
      int ph = h - 60;
      n++;
      double maxQ = 1;
      double minQ = Double.MAX_VALUE;
      for (var cell : panel.getValue().values()) {
        for (Row r : cell.values()) {
          maxQ = Math.max(maxQ, r.qps());
          minQ = Math.min(minQ, r.qps());
        }
      }
      double lo = Math.floor(Math.log10(Math.max(1, minQ)));
      double hi = Math.ceil(Math.log10(maxQ));
      s.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-weight='bold'>%s</text>%n", ox, oy - 6, panel.getKey()));
      s.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='black'/>%n", ox, oy, pw, ph));
      for (double e = lo; e <= hi; e++) {
        double y = oy + ph - (e - lo) / Math.max(1, hi - lo) * ph;
        s.append(String.format(Locale.ROOT, "<text x='%d' y='%.0f' text-anchor='end'>%s</text>%n", ox - 4, y + 4, qpsLabel(e)));
      }
      for (int e = 0; e >= -4; e--) {
        double x = ox + (-e) / 4.0 * pw;
        s.append(String.format(Locale.ROOT, "<text x='%.0f' y='%d' text-anchor='middle'>%s</text>%n", x, oy + ph + 14,
            e == 0 ? "100%" : e == -1 ? "10%" : e == -2 ? "1%" : e == -3 ? "0.1%" : "0.01%"));
      }
      for (int p = 0; p < PLANS.length; p++) {
        List<String> points = new ArrayList<>();
        for (var cell : panel.getValue().entrySet()) {
          Row r = cell.getValue().get(PLANS[p]);
          if (r == null) {
            continue;
          }
          double x = ox + (-Math.log10(cell.getKey())) / 4.0 * pw;
          double y = oy + ph - (Math.log10(Math.max(1, r.qps())) - lo) / Math.max(1, hi - lo) * ph;
          points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
        }
        s.append(String.format(Locale.ROOT,
            "<polyline fill='none' stroke='%s' stroke-width='%s' points='%s'/>%n", COLOURS[p], p == 0 ? "2.5" : "1.5",
            String.join(" ", points)));
      }
    }
    s.append(String.format(Locale.ROOT, "<text x='10' y='%d'>x: selectivity (log); y: QPS, one thread (log)</text>%n", h * rowsN + 25));
    s.append("</svg>\n");
    return s.toString();
  }

  private static String qpsLabel(double exponent) {
    double v = Math.pow(10, exponent);
    return v >= 1000 ? String.format(Locale.ROOT, "%.0fk", v / 1000) : String.format(Locale.ROOT, "%.0f", v);
  }
}
