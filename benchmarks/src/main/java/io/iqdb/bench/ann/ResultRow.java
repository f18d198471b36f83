package io.iqdb.bench.ann;

import java.util.List;

/**
 * One measured point of the harness: a system at one value of its search parameter.
 *
 * @param dataset the dataset name
 * @param system the system name
 * @param parameter the search parameter name
 * @param value the search parameter value
 * @param recall recall@k averaged over the queries
 * @param qps1 queries per second, one query at a time on one thread
 * @param qpsAll queries per second with {@code threads} concurrent searchers
 * @param threads the number of threads used for {@code qpsAll}
 * @param p50Micros median single-thread latency in microseconds
 * @param p99Micros 99th-percentile single-thread latency in microseconds
 * @param buildSeconds wall-clock build time in seconds
 * @param buildThreads threads used by the build
 * @param diskMb index size on disk in MiB, or -1 if in memory only
 * @param peakMemMb peak memory during the build in MiB above the baseline (see the report for
 *     how each kind of system measures it)
 * @param retainedMemMb memory held by the built index in MiB above the baseline
 * @param status {@code ok}, or {@code unsupported: ...} / {@code failed: ...}
 */
public record ResultRow(
    String dataset, String system, String parameter, int value, double recall, double qps1,
    double qpsAll, int threads, double p50Micros, double p99Micros, double buildSeconds,
    int buildThreads, double diskMb, double peakMemMb, double retainedMemMb, String status) {

  /** CSV header, in the order of {@link #csv()}. */
  public static final List<String> COLUMNS = List.of(
      "dataset", "system", "parameter", "value", "recall", "qps1", "qps_all", "threads",
      "p50_us", "p99_us", "build_s", "build_threads", "disk_mb", "peak_mem_mb", "retained_mem_mb",
      "status");

  /**
   * Returns a row that records that a system could not be measured.
   *
   * @param dataset the dataset name
   * @param system the system name
   * @param status why, e.g. {@code unsupported: IVF is not implemented yet}
   * @return a row with NaN metrics
   */
  public static ResultRow failed(String dataset, String system, String status) {
    return new ResultRow(dataset, system, "-", 0, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN,
        Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, status);
  }

  /**
   * Returns whether this row holds measurements.
   *
   * @return true if the status is {@code ok}
   */
  public boolean ok() {
    return "ok".equals(status);
  }

  /**
   * Formats the row as one CSV line (no newline), quoting the status.
   *
   * @return the line
   */
  public String csv() {
    return String.join(",", dataset, system, parameter, Integer.toString(value), num(recall, 4),
        num(qps1, 1), num(qpsAll, 1), Integer.toString(threads), num(p50Micros, 1),
        num(p99Micros, 1), num(buildSeconds, 2), Integer.toString(buildThreads), num(diskMb, 1),
        num(peakMemMb, 1), num(retainedMemMb, 1), '"' + status.replace("\"", "'") + '"');
  }

  /**
   * Parses a line written by {@link #csv()}.
   *
   * @param line the line
   * @return the row
   */
  public static ResultRow parse(String line) {
    String[] f = line.split(",", COLUMNS.size());
    return new ResultRow(f[0], f[1], f[2], Integer.parseInt(f[3]), dbl(f[4]), dbl(f[5]), dbl(f[6]),
        Integer.parseInt(f[7]), dbl(f[8]), dbl(f[9]), dbl(f[10]), Integer.parseInt(f[11]), dbl(f[12]),
        dbl(f[13]), dbl(f[14]), f[15].replaceAll("^\"|\"$", ""));
  }

  private static double dbl(String s) {
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }

  static String num(double v, int decimals) {
    return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
  }
}
