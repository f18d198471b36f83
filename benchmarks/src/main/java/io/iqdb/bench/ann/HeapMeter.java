package io.iqdb.bench.ann;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Measures Java heap use around a build.
 *
 * <p>Method: a daemon thread samples {@link MemoryMXBean#getHeapMemoryUsage()} every few
 * milliseconds; the peak is the largest sample minus the baseline taken after a full GC before the
 * build. Sampling can miss a spike shorter than the interval but, unlike summing the per-pool peaks
 * of the memory pool beans, never adds up peaks that happened at different times. The retained
 * size is the heap in use after a full GC once the build is done, minus the same baseline. Off-heap
 * memory (Lucene's memory-mapped files) is not counted here; the index size on disk stands for it.
 */
public final class HeapMeter implements AutoCloseable {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private final long baseline;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peak;

  private HeapMeter(long baseline, int intervalMillis) {
    this.baseline = baseline;
    this.peak = baseline;
    this.sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
      while (running) {
        long used = MEMORY.getHeapMemoryUsage().getUsed();
        if (used > peak) {
          peak = used;
        }
        try {
          Thread.sleep(intervalMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  /**
   * Runs a full GC, records the baseline and starts sampling.
   *
   * @param intervalMillis the sampling interval
   * @return the running meter
   */
  public static HeapMeter start(int intervalMillis) {
    return new HeapMeter(usedAfterGc(), intervalMillis);
  }

  /**
   * Returns the peak heap use above the baseline so far, in bytes.
   *
   * @return the peak
   */
  public long peakBytes() {
    return Math.max(0, peak - baseline);
  }

  /**
   * Runs a full GC and returns the heap in use above the baseline, in bytes.
   *
   * @return the retained heap
   */
  public long retainedBytes() {
    return Math.max(0, usedAfterGc() - baseline);
  }

  /** Stops sampling. */
  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }

  private static long usedAfterGc() {
    // Two collections: the first may only promote, finalize or clear soft references.
    System.gc();
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }
}
