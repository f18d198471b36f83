package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.tests.util.LuceneTestCase;

/** Round trips, replay from a committed seq, trim, rolls, failures and concurrency. */
public class TestWriteAheadLog extends LuceneTestCase {

  private static WalOptions options(long maxGenerationBytes) {
    return WalOptions.defaults().withMaxGenerationBytes(maxGenerationBytes);
  }

  /** Appends random batches, syncing now and then; returns them by seq. */
  private static TreeMap<Long, List<WalEntry>> appendRandom(WriteAheadLog wal, Random r, int count)
      throws IOException {
    TreeMap<Long, List<WalEntry>> appended = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      List<WalEntry> batch = WalTestUtil.randomBatch(r, 6);
      long seq = wal.append(batch);
      assertEquals(wal.lastSeq(), seq);
      appended.put(seq, batch);
      if (r.nextInt(4) == 0) {
        wal.sync(seq);
        assertTrue(wal.syncedSeq() >= seq);
      }
    }
    return appended;
  }

  public void testRoundTrip() throws IOException {
    Path dir = createTempDir();
    WalTestUtil.Collector none = new WalTestUtil.Collector();
    TreeMap<Long, List<WalEntry>> appended;
    try (WriteAheadLog wal =
        WriteAheadLog.open(
            dir, options(WalOptions.MIN_GENERATION_BYTES * (1 + random().nextInt(8))), 0, none)) {
      assertEquals(0, wal.lastSeq());
      appended = appendRandom(wal, random(), 50 + random().nextInt(200));
      assertEquals(1L, (long) appended.firstKey());
    }
    assertTrue(none.batches.isEmpty());
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, options(WalOptions.DEFAULT_MAX_GENERATION_BYTES), 0, replay)) {
      assertEquals(appended, replay.batches);
      assertEquals((long) appended.lastKey(), wal.lastSeq());
      assertEquals(appended.lastKey() + 1, wal.append(List.of(WalEntry.delete("x"))));
    }
  }

  public void testReplayStartsAfterCommittedSeq() throws IOException {
    Path dir = createTempDir();
    TreeMap<Long, List<WalEntry>> appended;
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, options(2048), 0, new WalTestUtil.Collector())) {
      appended = appendRandom(wal, random(), 100);
    }
    long committed = random().nextInt(101);
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, options(2048), committed, replay)) {
      assertEquals(appended.tailMap(committed, false), replay.batches);
      assertEquals(100, wal.lastSeq());
    }
  }

  public void testCommittedSeqBeyondTheLogContinuesFromIt() throws IOException {
    Path dir = createTempDir();
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, options(4096), 0, new WalTestUtil.Collector())) {
      appendRandom(wal, random(), 10);
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, options(4096), 42, replay)) {
      assertTrue(replay.batches.isEmpty());
      assertEquals(42, wal.lastSeq());
      assertEquals(43, wal.append(List.of(WalEntry.delete("a"))));
    }
    WalTestUtil.Collector again = new WalTestUtil.Collector();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, options(4096), 42, again)) {
      assertEquals(List.of(43L), List.copyOf(again.batches.keySet()));
    }
  }

  public void testRollsAndTrims() throws IOException {
    Path dir = createTempDir();
    TreeMap<Long, List<WalEntry>> appended;
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, options(1024), 0, new WalTestUtil.Collector())) {
      appended = appendRandom(wal, random(), 300);
      int generations = WalTestUtil.generationFiles(dir).size();
      assertTrue("expected several generations, got " + generations, generations > 5);
      long before = wal.sizeInBytes();
      long committed = 100 + random().nextInt(150);
      wal.trim(committed);
      assertTrue(wal.sizeInBytes() < before);
      assertTrue(WalTestUtil.generationFiles(dir).size() < generations);
      // Everything after the commit must survive the trim.
      WalTestUtil.Collector replay = new WalTestUtil.Collector();
      wal.close();
      try (WriteAheadLog reopened = WriteAheadLog.open(dir, options(1024), committed, replay)) {
        assertEquals(appended.tailMap(committed, false), replay.batches);
        reopened.trim(reopened.lastSeq());
        // Only the fresh generation (header only) is left.
        assertEquals(1, WalTestUtil.generationFiles(dir).size());
        assertEquals(WalFormat.GENERATION_HEADER_BYTES, reopened.sizeInBytes());
      }
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, options(1024), 300, replay)) {
      assertTrue(replay.batches.isEmpty());
      assertEquals(300, wal.lastSeq());
    }
  }

  public void testOpenWithACommitOlderThanTheTrimPointFails() throws IOException {
    Path dir = createTempDir();
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, options(1024), 0, new WalTestUtil.Collector())) {
      appendRandom(wal, random(), 50);
      wal.trim(50);
    }
    // Records 21..50 were trimmed as committed; a caller whose index holds only 20 lost them.
    CorruptWalException e =
        expectThrows(
            CorruptWalException.class,
            () -> WriteAheadLog.open(dir, options(1024), 20, new WalTestUtil.Collector()));
    // Either the next generation's base seq or the checkpoint's trim point reveals it.
    assertTrue(
        e.getMessage(), e.getMessage().contains("missing") || e.getMessage().contains("trimmed"));
    assertTrue(
        e.getMessage(),
        e.getMessage().contains("records 21 to 50") || e.getMessage().contains("up to seq 50"));
  }

  public void testIgnoresForeignFilesAndDeletesStaleCheckpointTemp() throws IOException {
    Path dir = createTempDir();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("README.txt"), "not ours");
    Files.writeString(dir.resolve("wal-abc.log"), "not a generation name");
    Files.writeString(dir.resolve("wal-1.log"), "not the canonical spelling of generation 1");
    Files.writeString(dir.resolve(WalFormat.CHECKPOINT_TEMP_NAME), "half a checkpoint");
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, options(4096), 0, new WalTestUtil.Collector())) {
      wal.sync(wal.append(List.of(WalEntry.upsert("a", new float[] {1, 2}, null))));
    }
    assertFalse(Files.exists(dir.resolve(WalFormat.CHECKPOINT_TEMP_NAME)));
    assertTrue(Files.exists(dir.resolve("README.txt")));
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, options(4096), 0, replay).close();
    assertEquals(List.of(WalEntry.upsert("a", new float[] {1, 2}, null)), replay.batches.get(1L));
  }

  public void testClosedLogRefusesWork() throws IOException {
    WriteAheadLog wal =
        WriteAheadLog.open(createTempDir(), options(4096), 0, new WalTestUtil.Collector());
    long seq = wal.append(List.of(WalEntry.delete("a")));
    wal.close();
    wal.close(); // idempotent
    expectThrows(AlreadyClosedException.class, () -> wal.append(List.of(WalEntry.delete("b"))));
    expectThrows(AlreadyClosedException.class, () -> wal.sync(seq));
    expectThrows(AlreadyClosedException.class, () -> wal.trim(seq));
  }

  public void testArgumentChecks() throws IOException {
    expectThrows(IllegalArgumentException.class, () -> WalEntry.upsert("a", null, null));
    expectThrows(
        IllegalArgumentException.class,
        () -> new WalEntry(WalEntry.Op.DELETE, "a", new float[1], null));
    expectThrows(
        IllegalArgumentException.class,
        () -> WalOptions.defaults().withMode(WalOptions.Mode.ASYNC, Duration.ZERO));
    expectThrows(
        IllegalArgumentException.class, () -> WalOptions.defaults().withMaxGenerationBytes(10));
    try (WriteAheadLog wal =
        WriteAheadLog.open(createTempDir(), options(4096), 0, new WalTestUtil.Collector())) {
      expectThrows(IllegalArgumentException.class, () -> wal.append(List.of()));
      expectThrows(IllegalArgumentException.class, () -> wal.sync(1));
      expectThrows(IllegalArgumentException.class, () -> wal.trim(1));
    }
  }

  public void testWriteFailureIsPermanent() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(new Random(random().nextLong()));
    // ASYNC writes a record when it is appended, SYNC when it is synced
    WalOptions opts =
        options(4096)
            .withFileSystem(fs)
            .withMode(
                random().nextBoolean() ? WalOptions.Mode.ASYNC : WalOptions.Mode.SYNC,
                Duration.ofHours(1));
    TreeMap<Long, List<WalEntry>> synced;
    WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector());
    try {
      synced = appendRandom(wal, random(), 20);
      wal.sync(wal.lastSeq());
      fs.failWriteAfter(1);
      IOException e =
          expectThrows(
              IOException.class,
              () -> wal.sync(wal.append(WalTestUtil.randomBatch(random(), 3))));
      assertTrue(e.getMessage(), e.getMessage().contains("injected write failure"));
      assertNotNull(wal.failureCause());
      fs.clearFailures();
      long forces = fs.forceCount();
      expectThrows(IOException.class, () -> wal.append(WalTestUtil.randomBatch(random(), 3)));
      expectThrows(IOException.class, () -> wal.sync(wal.lastSeq()));
      expectThrows(IOException.class, () -> wal.trim(0));
      assertEquals("a failed log must not fsync again", forces, fs.forceCount());
    } finally {
      wal.close();
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    try (WriteAheadLog reopened = WriteAheadLog.open(dir, opts, 0, replay)) {
      assertEquals(synced, replay.batches); // the half-written record is a torn tail
      assertEquals(21, reopened.append(List.of(WalEntry.delete("z"))));
    }
  }

  public void testFsyncFailureIsNeverRetried() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(new Random(random().nextLong()));
    // Large generations: a roll fsyncs too, and would make "d" durable before the sync below.
    WalOptions opts = options(1 << 20).withFileSystem(fs);
    TreeMap<Long, List<WalEntry>> appended;
    try (WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector())) {
      appended = appendRandom(wal, random(), 10);
      long seq = wal.append(List.of(WalEntry.delete("d")));
      appended.put(seq, List.of(WalEntry.delete("d")));
      fs.failForceAfter(1);
      long forces = fs.forceCount();
      expectThrows(IOException.class, () -> wal.sync(seq));
      expectThrows(IOException.class, () -> wal.sync(seq));
      expectThrows(IOException.class, () -> wal.append(List.of(WalEntry.delete("e"))));
      assertEquals(forces + 1, fs.forceCount());
      assertTrue(wal.syncedSeq() < seq);
    } // close() must not fsync either, and must not throw for the earlier failure
    assertTrue(fs.forceCount() > 0);
    // The process did not die: the page cache still has every record.
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, opts, 0, replay).close();
    assertEquals(appended, replay.batches);
  }

  public void testDiskFullThenFreed() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(new Random(random().nextLong()));
    WalOptions opts = options(2048).withFileSystem(fs);
    TreeMap<Long, List<WalEntry>> synced = new TreeMap<>();
    WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector());
    fs.setFreeSpace(2000 + random().nextInt(20000));
    IOException failure = null;
    try {
      for (int i = 0; i < 10_000 && failure == null; i++) {
        List<WalEntry> batch = WalTestUtil.randomBatch(random(), 4);
        try {
          long seq = wal.append(batch);
          wal.sync(seq);
          synced.put(seq, batch);
        } catch (IOException e) {
          failure = e;
        }
      }
    } finally {
      wal.close();
    }
    assertNotNull("the disk never filled", failure);
    assertTrue(failure.getMessage(), failure.getMessage().contains("No space left"));
    fs.setFreeSpace(Long.MAX_VALUE);
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    try (WriteAheadLog reopened = WriteAheadLog.open(dir, opts, 0, replay)) {
      assertEquals(synced, replay.batches.headMap(synced.isEmpty() ? 1 : synced.lastKey() + 1));
      reopened.sync(reopened.append(List.of(WalEntry.delete("after"))));
    }
  }

  public void testConcurrentAppendersKeepSeqOrder() throws Exception {
    Path dir = createTempDir();
    int threads = 8;
    int perThread = 100 + random().nextInt(100);
    Map<Long, List<WalEntry>> bySeq = new ConcurrentHashMap<>();
    long[] seeds = new long[threads];
    for (int t = 0; t < threads; t++) {
      seeds[t] = random().nextLong();
    }
    WalOptions opts = options(4096 + random().nextInt(60_000));
    try (WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector())) {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Thread> workers = new ArrayList<>();
      List<Throwable> errors = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(
            new Thread(
                () -> {
                  try {
                    Random r = new Random(seeds[thread]);
                    start.await();
                    long previous = 0;
                    for (int i = 0; i < perThread; i++) {
                      List<WalEntry> batch = new ArrayList<>(WalTestUtil.randomBatch(r, 3));
                      batch.add(WalEntry.delete("t" + thread + "-" + i));
                      long seq = wal.append(batch);
                      assertTrue(seq > previous);
                      previous = seq;
                      assertNull(bySeq.put(seq, batch));
                      if (r.nextBoolean()) {
                        wal.sync(seq);
                      }
                    }
                  } catch (Throwable e) {
                    synchronized (errors) {
                      errors.add(e);
                    }
                  }
                }));
      }
      workers.forEach(Thread::start);
      for (Thread w : workers) {
        w.join();
      }
      assertEquals(List.of(), errors);
      assertEquals((long) threads * perThread, wal.lastSeq());
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, opts, 0, replay).close();
    assertEquals(new TreeMap<>(bySeq), replay.batches);
  }

  public void testAsyncModeSyncsInTheBackground() throws Exception {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(new Random(random().nextLong()));
    WalOptions opts =
        options(1 << 20).withFileSystem(fs).withMode(WalOptions.Mode.ASYNC, Duration.ofMillis(10));
    List<WalEntry> batch = WalTestUtil.randomBatch(random(), 5);
    WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector());
    try {
      long seq = wal.append(batch);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (wal.syncedSeq() < seq && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals("the background thread did not fsync", seq, wal.syncedSeq());
      fs.crash(java.util.EnumSet.of(FaultInjectingWalFileSystem.CrashMode.DROP));
    } finally {
      expectThrows(IOException.class, wal::close); // the file system is down
      fs.restart();
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, opts.withMode(WalOptions.Mode.SYNC, null), 0, replay).close();
    assertEquals(batch, replay.batches.get(1L));
  }

  /** An I/O error at any step of open fails the open and leaves the log recoverable. */
  public void testFailuresDuringOpenLeaveTheLogRecoverable() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(new Random(random().nextLong()));
    WalOptions opts = options(1024).withFileSystem(fs);
    TreeMap<Long, List<WalEntry>> appended;
    try (WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector())) {
      appended = appendRandom(wal, random(), 40);
    }
    int failedOpens = 0;
    for (int kind = 0; kind < 4; kind++) {
      for (int n = 1; n <= 8; n++) {
        switch (kind) {
          case 0 -> fs.failOpenAfter(n);
          case 1 -> fs.failWriteAfter(n);
          case 2 -> fs.failForceAfter(n);
          default -> fs.failDirectorySyncAfter(n);
        }
        WalTestUtil.Collector replay = new WalTestUtil.Collector();
        try {
          WriteAheadLog.open(dir, opts, 0, replay).close();
        } catch (IOException e) {
          assertTrue(e.toString(), e.getMessage().contains("injected"));
          failedOpens++;
        }
        fs.clearFailures();
        // Whatever the failed open left behind, the next one recovers every record.
        WalTestUtil.Collector after = new WalTestUtil.Collector();
        WriteAheadLog.open(dir, opts, 0, after).close();
        assertEquals("failure kind " + kind + " at call " + n, appended, after.batches);
      }
    }
    assertTrue("no injected failure hit an open", failedOpens >= 16);
  }

  public void testCloseFsyncsWhatWasAppended() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(new Random(random().nextLong()));
    WalOptions opts =
        options(1 << 20)
            .withFileSystem(fs)
            .withMode(
                random().nextBoolean() ? WalOptions.Mode.ASYNC : WalOptions.Mode.SYNC,
                Duration.ofHours(1)); // the background fsync never runs in time
    TreeMap<Long, List<WalEntry>> appended = new TreeMap<>();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector())) {
      for (int i = 0; i < 20; i++) {
        List<WalEntry> batch = WalTestUtil.randomBatch(random(), 3);
        appended.put(wal.append(batch), batch);
      }
    }
    fs.crash(java.util.EnumSet.of(FaultInjectingWalFileSystem.CrashMode.DROP));
    fs.restart();
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, opts, 0, replay).close();
    assertEquals(appended, replay.batches);
  }

  /**
   * Interrupts threads that append and sync at random moments (while a record is written, while
   * the leader fsyncs, while a full generation rolls): the log never fails, and every record whose
   * sync returned is recovered. Without the log's I/O thread, the first interrupt that hit a
   * write or fsync closed the generation's channel and failed the log.
   */
  public void testInterruptedWritersNeverFailTheLog() throws Exception {
    for (WalOptions.Mode mode : WalOptions.Mode.values()) {
      Path dir = createTempDir();
      Duration interval = mode == WalOptions.Mode.ASYNC ? Duration.ofMillis(2) : Duration.ZERO;
      WalOptions options = options(WalOptions.MIN_GENERATION_BYTES * 4).withMode(mode, interval);
      Map<Long, List<WalEntry>> synced = new ConcurrentHashMap<>();
      List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.atomic.AtomicLong interruptedSyncs = new java.util.concurrent.atomic.AtomicLong();
      long seed = random().nextLong();
      try (WriteAheadLog wal = WriteAheadLog.open(dir, options, 0, new WalTestUtil.Collector())) {
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          Random r = new Random(seed + t);
          writers.add(new Thread(() -> {
            try {
              for (int i = 0; i < 400; i++) {
                List<WalEntry> batch = WalTestUtil.randomBatch(r, 4);
                long seq = wal.append(batch);
                wal.sync(seq);
                synced.put(seq, batch);
                if (Thread.interrupted()) {
                  interruptedSyncs.incrementAndGet();
                  if (r.nextBoolean()) {
                    Thread.currentThread().interrupt(); // the next append starts interrupted
                  }
                }
              }
            } catch (Throwable e) {
              errors.add(e);
            }
          }));
        }
        Thread interrupter = new Thread(() -> {
          Random r = new Random(seed);
          while (writers.stream().anyMatch(Thread::isAlive)) {
            writers.get(r.nextInt(writers.size())).interrupt();
            java.util.concurrent.locks.LockSupport.parkNanos(r.nextInt(100_000));
          }
        });
        writers.forEach(Thread::start);
        interrupter.start();
        for (Thread t : writers) {
          t.join();
        }
        interrupter.join();
        if (!errors.isEmpty()) {
          AssertionError e = new AssertionError(mode + ": " + errors.size() + " writer(s) failed", errors.get(0));
          errors.stream().skip(1).forEach(e::addSuppressed);
          throw e;
        }
        assertNull(wal.failureCause());
        assertTrue(mode + ": interrupts rarely hit a write: " + interruptedSyncs, interruptedSyncs.get() > 10);
      }
      WalTestUtil.Collector replay = new WalTestUtil.Collector();
      WriteAheadLog.open(dir, options, 0, replay).close();
      assertEquals(mode.toString(), 1600, synced.size());
      assertEquals(mode.toString(), new TreeMap<>(synced), replay.batches);
    }
  }
}
