package io.iqdb.internal.wal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.tests.util.LuceneTestCase;

/** Group commit: concurrent sync calls share fsyncs. */
public class TestWalGroupCommit extends LuceneTestCase {

  private static List<WalEntry> smallBatch(int i) {
    return List.of(WalEntry.upsert("id-" + i, new float[] {i, -i, 0.5f}, null));
  }

  public void testSequentialSyncsFsyncOncePerCall() throws Exception {
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(
            WalFileSystem.defaultFileSystem(), new Random(random().nextLong()), false);
    try (WriteAheadLog wal =
        WriteAheadLog.open(
            createTempDir(), WalOptions.defaults().withFileSystem(fs), 0, (s, b) -> {})) {
      long before = fs.forceCount();
      for (int i = 0; i < 20; i++) {
        long seq = wal.append(smallBatch(i));
        wal.sync(seq);
        wal.sync(seq); // already durable: no second fsync
      }
      assertEquals(20, fs.forceCount() - before);
    }
  }

  public void testConcurrentSyncsShareFsyncs() throws Exception {
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(
            WalFileSystem.defaultFileSystem(), new Random(random().nextLong()), false);
    // A slow fsync, as on a real disk, is what gives writers time to queue behind the leader.
    fs.setForceDelay(Duration.ofMillis(5));
    int threads = 8;
    int perThread = 40;
    Path dir = createTempDir();
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, WalOptions.defaults().withFileSystem(fs), 0, (s, b) -> {})) {
      long before = fs.forceCount();
      long start = System.nanoTime();
      runWriters(wal, threads, perThread);
      long millis = (System.nanoTime() - start) / 1_000_000;
      long forces = fs.forceCount() - before;
      long syncs = (long) threads * perThread;
      System.out.println(
          "group commit: "
              + syncs
              + " sync calls from "
              + threads
              + " threads -> "
              + forces
              + " fsyncs of 5 ms in "
              + millis
              + " ms");
      assertEquals(syncs, wal.syncedSeq());
      assertTrue(
          "expected far fewer fsyncs than sync calls: "
              + forces
              + " fsyncs for "
              + syncs
              + " syncs",
          forces * 3 < syncs);
    }
  }

  /**
   * Each writer appends and syncs {@code perThread} single-entry batches; returns when all are
   * done.
   */
  static void runWriters(WriteAheadLog wal, int threads, int perThread) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicReference<Throwable> error = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers.add(
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    wal.sync(wal.append(smallBatch(thread * perThread + i)));
                  }
                } catch (Throwable e) {
                  error.compareAndSet(null, e);
                }
              }));
    }
    workers.forEach(Thread::start);
    for (Thread w : workers) {
      w.join();
    }
    if (error.get() != null) {
      throw new AssertionError("a writer failed", error.get());
    }
  }
}
