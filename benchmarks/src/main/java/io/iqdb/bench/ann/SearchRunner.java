package io.iqdb.bench.ann;

import io.iqdb.bench.data.TieAwareRecall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a system's queries at one parameter value and measures recall, latency and throughput.
 *
 * <p>Protocol: a warm-up that cycles through the queries for a fixed time (not timed; it lets the
 * JIT compile the search path at this parameter value), then every query once, one at a
 * time on the calling thread, timing each with {@link System#nanoTime()} (recall and latency
 * percentiles come from this pass; QPS is queries over the pass's total time); then every query
 * once more, spread over {@code threads} threads that pull the next query from a shared counter
 * (QPS with all cores is queries over that pass's wall time). With {@code runs > 1} both passes
 * are repeated and the fastest of each is kept, as ann-benchmarks does: on a shared machine the
 * fastest run is the one least disturbed by other processes.
 */
public final class SearchRunner {

  /**
   * What one parameter value measured.
   *
   * @param recall recall@k averaged over the queries
   * @param qps1 queries per second on one thread
   * @param qpsAll queries per second with all threads
   * @param p50Micros median latency in microseconds
   * @param p99Micros 99th-percentile latency in microseconds
   */
  public record Point(double recall, double qps1, double qpsAll, double p50Micros, double p99Micros) {}

  private final float[][] queries;
  private final TieAwareRecall truth;
  private final int k;
  private final int threads;
  private final long warmupNanos;
  private final int runs;

  /**
   * Creates a runner.
   *
   * @param queries the query vectors
   * @param truth the tie-aware recall of the queries; its {@code k} is the number of neighbours
   *     asked for and the recall cut-off
   * @param threads the number of threads of the throughput pass
   * @param warmupMillis how long to run untimed warm-up queries before each measurement
   * @param runs how many times to repeat each pass (the fastest is kept)
   */
  public SearchRunner(float[][] queries, TieAwareRecall truth, int threads, int warmupMillis, int runs) {
    this.queries = queries;
    this.truth = truth;
    this.k = truth.k();
    this.threads = threads;
    this.warmupNanos = warmupMillis * 1_000_000L;
    this.runs = Math.max(1, runs);
  }

  Point measure(AnnSystem system, int parameter) throws Exception {
    long warmupEnd = System.nanoTime() + warmupNanos;
    for (int i = 0; System.nanoTime() < warmupEnd; i = (i + 1) % queries.length) {
      system.search(queries[i], k, parameter);
    }
    long[] best = null;
    double bestSeconds = Double.MAX_VALUE;
    double recall = 0;
    for (int run = 0; run < runs; run++) {
      long[] latencies = new long[queries.length];
      double recallSum = 0;
      long start = System.nanoTime();
      for (int q = 0; q < queries.length; q++) {
        long t0 = System.nanoTime();
        int[] found = system.search(queries[q], k, parameter);
        latencies[q] = System.nanoTime() - t0;
        recallSum += truth.recall(q, found);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      recall = recallSum / queries.length;
      if (seconds < bestSeconds) {
        bestSeconds = seconds;
        best = latencies;
      }
    }
    Arrays.sort(best);
    double qpsAll = 0;
    for (int run = 0; run < runs; run++) {
      qpsAll = Math.max(qpsAll, throughput(system, parameter));
    }
    return new Point(recall, queries.length / bestSeconds, qpsAll,
        percentile(best, 0.50) / 1e3, percentile(best, 0.99) / 1e3);
  }

  private double throughput(AnnSystem system, int parameter) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int q; (q = next.getAndIncrement()) < queries.length; ) {
            system.search(queries[q], k, parameter);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      return queries.length / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
