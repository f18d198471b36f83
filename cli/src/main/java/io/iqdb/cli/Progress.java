package io.iqdb.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA, redrawn in place with carriage returns. It draws only
 * when enabled, which by default means standard error is a terminal: piped or redirected output
 * gets no control characters. With an {@link #UNKNOWN} total (a pass that is counting what it
 * reads) it draws the count and the rate, without a bar or an ETA.
 */
final class Progress {
  /** The total of a pass that does not know how many items it will see. */
  static final long UNKNOWN = -1;

  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 30;

  private final PrintWriter err;
  private final boolean enabled;
  private final String label;
  private final long total;
  private final long startNanos;
  private long lastDrawNanos;
  private int lastLength;

  Progress(PrintWriter err, boolean enabled, String label, long total, long startNanos) {
    this.err = err;
    this.enabled = enabled;
    this.label = label;
    this.total = total;
    this.startNanos = startNanos;
  }

  /**
   * Whether the process runs on a terminal. Before JDK 22, {@link System#console()} is null when a
   * stream is redirected; from JDK 22 it may return a console anyway and {@code isTerminal()} (not
   * in the Java 21 API we compile against, hence reflection) tells.
   */
  static boolean onTerminal() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(c);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  void update(long done) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDrawNanos < REDRAW_NANOS && (total == UNKNOWN || done < total)) {
      return;
    }
    lastDrawNanos = now;
    draw(render(label, done, total, now - startNanos));
  }

  void finish(long done) {
    if (!enabled) {
      return;
    }
    draw(render(label, done, total, System.nanoTime() - startNanos));
    err.println();
    err.flush();
  }

  private void draw(String line) {
    // Pad over the remains of a longer previous line.
    String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
    lastLength = line.length();
    err.print("\r" + padded);
    err.flush();
  }

  /** The bar for {@code done} of {@code total} after {@code elapsedNanos}: pure, for tests. */
  static String render(String label, long done, long total, long elapsedNanos) {
    if (total == UNKNOWN) {
      double seconds = elapsedNanos / 1e9;
      return String.format(Locale.ROOT, "%s %,d %,.0f/s", label, done, seconds > 0 ? done / seconds : 0);
    }
    double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    double seconds = elapsedNanos / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    String eta = rate > 0 && done < total ? clock((total - done) / rate) : done >= total ? "done" : "--:--";
    return String.format(Locale.ROOT, "%s [%s%s] %3d%% %,d/%,d %,.0f/s ETA %s",
        label, "#".repeat(filled), "-".repeat(BAR_WIDTH - filled), (int) Math.floor(fraction * 100), done, total, rate, eta);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
