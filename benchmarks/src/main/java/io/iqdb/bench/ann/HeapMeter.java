package io.iqdb.bench.ann;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Measures the Java heap a build keeps alive.
 *
 * <p>Method: the baseline is the heap in use after a full GC before the build. During the build,
 * every garbage collection reports the heap in use after it (GC notifications of the
 * {@link GarbageCollectorMXBean}s); the peak is the largest of those and of the heap in use after a
 * full GC at the end, minus the baseline. This is the peak <em>live</em> heap as far as the
 * collections that happened could see it: sampling plain heap use instead would mostly measure
 * garbage not yet collected (with a 3 GB heap, the young generation alone is hundreds of MB). A
 * build that allocates much but triggers few collections can have a higher true peak. The retained
 * size is the heap in use after a full GC once the build is done, minus the same baseline.
 * Off-heap memory (Lucene's memory-mapped files, native allocations) is not counted; the index
 * size on disk stands for the mapped files.
 */
public final class HeapMeter implements AutoCloseable {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
  private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());

  private final long baseline;
  private final List<Runnable> unregister = new ArrayList<>();
  private volatile long peakAfterGc;

  private HeapMeter(long baseline) {
    this.baseline = baseline;
    this.peakAfterGc = baseline;
    NotificationListener listener = (notification, handback) -> {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        return;
      }
      GarbageCollectionNotificationInfo info =
          GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
      long used = 0;
      // The map also holds non-heap pools (metaspace, code cache): count the heap pools only.
      for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
        if (HEAP_POOLS.contains(e.getKey())) {
          used += e.getValue().getUsed();
        }
      }
      synchronized (this) {
        if (used > peakAfterGc) {
          peakAfterGc = used;
        }
      }
    };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        unregister.add(() -> {
          try {
            emitter.removeNotificationListener(listener);
          } catch (ListenerNotFoundException e) {
            // already gone: nothing to undo
          }
        });
      }
    }
  }

  /**
   * Runs a full GC, records the baseline and starts listening to collections.
   *
   * @return the running meter
   */
  public static HeapMeter start() {
    return new HeapMeter(usedAfterGc());
  }

  /**
   * Returns the peak live heap above the baseline, in bytes, including a full GC now.
   *
   * @return the peak
   */
  public long peakBytes() {
    long now = usedAfterGc();
    return Math.max(0, Math.max(peakAfterGc, now) - baseline);
  }

  /**
   * Runs a full GC and returns the heap in use above the baseline, in bytes.
   *
   * @return the retained heap
   */
  public long retainedBytes() {
    return Math.max(0, usedAfterGc() - baseline);
  }

  /** Stops listening. */
  @Override
  public void close() {
    unregister.forEach(Runnable::run);
  }

  private static long usedAfterGc() {
    // Two collections: the first may only promote, finalize or clear soft references.
    System.gc();
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }
}
