package io.iqdb.internal.wal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.LuceneTestCase.SuppressFileSystems;

/**
 * A rough measurement, printed only (a benchmark is not a test; JMH numbers belong in the
 * benchmarks module): SYNC-mode appends per second with 1 and with 8 writer threads on the real
 * disk, each append followed by {@code sync}. Shows whether group commit pays off on this disk.
 * Runs about {@code tests.wal.seconds} (default 1) seconds per thread count.
 */
@SuppressFileSystems("*") // the real file system: Lucene's test file systems may disable fsync
public class TestWalThroughput extends LuceneTestCase {

  public void testPrintSyncThroughput() throws Exception {
    double seconds = Double.parseDouble(System.getProperty("tests.wal.seconds", "1"));
    StringBuilder report = new StringBuilder("WAL SYNC throughput (" + seconds + " s each):");
    for (int threads : new int[] {1, 8}) {
      FaultInjectingWalFileSystem fs =
          new FaultInjectingWalFileSystem(
              WalFileSystem.defaultFileSystem(), new Random(random().nextLong()), false);
      Path dir = createTempDir();
      try (WriteAheadLog wal =
          WriteAheadLog.open(dir, WalOptions.defaults().withFileSystem(fs), 0, (s, b) -> {})) {
        long forcesBefore = fs.forceCount();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          workers.add(
              new Thread(
                  () -> {
                    float[] vector = new float[128];
                    byte[] payload = new byte[32];
                    try {
                      while (!stop.get()) {
                        wal.sync(wal.append(List.of(WalEntry.upsert("id", vector, payload))));
                        done.incrementAndGet();
                      }
                    } catch (Throwable e) {
                      error.compareAndSet(null, e);
                    }
                  }));
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread w : workers) {
          w.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (error.get() != null) {
          throw new AssertionError(error.get());
        }
        long forces = fs.forceCount() - forcesBefore;
        report.append(
            String.format(
                Locale.ROOT,
                " | %d thread(s): %.0f appends+syncs/s, %.0f fsyncs/s, %.1f appends per fsync",
                threads,
                done.get() / elapsed,
                forces / elapsed,
                done.get() / (double) Math.max(1, forces)));
        assertEquals(wal.lastSeq(), done.get());
      }
    }
    System.out.println(report);
  }
}
