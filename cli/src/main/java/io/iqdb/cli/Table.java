package io.iqdb.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A text table with a header row; numeric-looking cells are right-aligned. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... header) {
    this.columns = header.length;
    rows.add(header);
  }

  Table row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException("row has " + cells.length + " cells; table has " + columns);
    }
    String[] r = new String[columns];
    for (int i = 0; i < columns; i++) {
      r[i] = String.valueOf(cells[i]);
    }
    rows.add(r);
    return this;
  }

  int size() {
    return rows.size() - 1;
  }

  void print(PrintWriter out) {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (int n = 0; n < rows.size(); n++) {
      String[] r = rows.get(n);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        if (i > 0) {
          line.append("  ");
        }
        boolean right = n > 0 && numeric(r[i]);
        String pad = " ".repeat(width[i] - r[i].length());
        line.append(right ? pad + r[i] : r[i] + (i == columns - 1 ? "" : pad));
      }
      out.println(line.toString().stripTrailing());
      if (n == 0) {
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < columns; i++) {
          rule.append(i > 0 ? "  " : "").append("-".repeat(width[i]));
        }
        out.println(rule);
      }
    }
  }

  private static boolean numeric(String s) {
    return !s.isEmpty() && s.matches("[-+]?[0-9][0-9,._]*(e[-+]?[0-9]+)?( ?(%|ms|s|B|KiB|MiB|GiB|x))?");
  }

  /** A byte count for humans: {@code 1.5 MiB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
