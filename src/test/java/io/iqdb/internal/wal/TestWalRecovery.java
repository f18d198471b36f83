package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.lucene.tests.util.LuceneTestCase;

/** Torn tails, corruption and simulated power loss. */
public class TestWalRecovery extends LuceneTestCase {

  /** A log written without a clean close: its records, their end offsets and the synced end. */
  private record Written(
      Path dir,
      Path file,
      TreeMap<Long, List<WalEntry>> batches,
      TreeMap<Long, Long> endOffsets,
      long syncedEnd) {}

  /**
   * Writes records into one generation, fsyncs after a random one, appends more, then "kills the
   * process" (a crash that keeps every byte written, as the page cache survives a kill). ASYNC mode
   * with a background fsync that never comes, because it writes each record when it is appended
   * (SYNC mode writes records only when they are synced; see testSyncModeWritesRecordsWhenSynced).
   */
  private Written writeAndKill(int records) throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs = crashableFileSystem();
    WalOptions opts = appendWritesOptions(fs);
    TreeMap<Long, List<WalEntry>> batches = new TreeMap<>();
    TreeMap<Long, Long> ends = new TreeMap<>();
    long syncAfter = random().nextInt(records + 1);
    long syncedEnd = WalFormat.GENERATION_HEADER_BYTES;
    WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector());
    try {
      for (int i = 0; i < records; i++) {
        List<WalEntry> batch = WalTestUtil.randomBatch(random(), 4);
        long seq = wal.append(batch);
        batches.put(seq, batch);
        ends.put(seq, wal.sizeInBytes());
        if (seq == syncAfter) {
          wal.sync(seq);
          syncedEnd = ends.get(seq); // the end of the record, not of the sync marker after it
        }
      }
      fs.crash(EnumSet.of(FaultInjectingWalFileSystem.CrashMode.KEEP));
    } finally {
      try {
        wal.close();
      } catch (IOException expected) {
        // the file system is down
      }
      fs.restart();
    }
    List<Path> files = WalTestUtil.generationFiles(dir);
    assertEquals(1, files.size());
    // The last record's end, plus a sync marker if the fsync came after the last record.
    long end = ends.lastEntry().getValue() + (syncAfter == records ? 32 : 0);
    assertEquals(end, Files.size(files.get(0)));
    return new Written(dir, files.get(0), batches, ends, syncedEnd);
  }

  /** ASYNC mode whose background fsync never runs in a test: records are written when appended. */
  private static WalOptions appendWritesOptions(WalFileSystem fs) {
    return WalOptions.defaults()
        .withFileSystem(fs)
        .withMode(WalOptions.Mode.ASYNC, java.time.Duration.ofHours(1));
  }

  /**
   * Checks that the file holds {@code end} bytes of records followed only by the zeros SYNC mode
   * writes ahead of them, and cuts those zeros off, so that a test can damage the records as a
   * file system without preallocation would hold them. (Recovery with the zeros in place is
   * covered by testPreallocatedZerosAreCutOff.)
   */
  private static void stripPreallocatedZeros(Path file, long end) throws IOException {
    long size = Files.size(file);
    assertTrue("file of " + size + " bytes, records end at " + end, size >= end);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer tail = ByteBuffer.allocate((int) (size - end));
      WalIo.readFully(ch, tail, end);
      for (int i = 0; i < tail.limit(); i++) {
        assertEquals("byte " + (end + i) + " after the records", 0, tail.get(i));
      }
      ch.truncate(end);
    }
  }

  private static TreeMap<Long, List<WalEntry>> recoverCopy(
      Written w, Path copy, long cut, long flipAt) throws IOException {
    WalTestUtil.copyWal(w.dir, copy);
    Path file = copy.resolve(w.file.getFileName().toString());
    if (cut >= 0) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
    }
    if (flipAt >= 0) {
      WalTestUtil.flipByte(file, flipAt, 1 + random().nextInt(255));
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(copy, fastOptions(), 0, replay).close();
    return replay.batches;
  }

  /** A file layer that can crash, whose fsyncs skip the real disk. */
  private FaultInjectingWalFileSystem crashableFileSystem() {
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(new Random(random().nextLong()));
    fs.setRealFsync(false);
    return fs;
  }

  /** Options whose fsyncs skip the real disk: for the many small logs these tests open. */
  static WalOptions fastOptions() {
    FaultInjectingWalFileSystem fs =
        new FaultInjectingWalFileSystem(WalFileSystem.defaultFileSystem(), new Random(0), false);
    fs.setRealFsync(false);
    return WalOptions.defaults().withFileSystem(fs);
  }

  /** The records that end at or before {@code offset}. */
  private static TreeMap<Long, List<WalEntry>> endingBy(Written w, long offset) {
    TreeMap<Long, List<WalEntry>> expected = new TreeMap<>();
    for (var e : w.endOffsets.entrySet()) {
      if (e.getValue() <= offset) {
        expected.put(e.getKey(), w.batches.get(e.getKey()));
      }
    }
    return expected;
  }

  public void testTornTailAtRandomCutPoints() throws IOException {
    Written w = writeAndKill(40 + random().nextInt(60));
    long size = w.endOffsets.lastEntry().getValue();
    int iterations = atLeast(100);
    for (int i = 0; i < iterations; i++) {
      // Any cut at or past the fsynced end: what a crash may leave of never-fsynced writes.
      long cut = w.syncedEnd + (long) random().nextInt((int) (size - w.syncedEnd + 1));
      TreeMap<Long, List<WalEntry>> replayed = recoverCopy(w, createTempDir(), cut, -1);
      assertEquals("cut at " + cut, endingBy(w, cut), replayed);
    }
  }

  public void testGarbledTailIsTornNotCorrupt() throws IOException {
    Written w = writeAndKill(40 + random().nextInt(60));
    long size = w.endOffsets.lastEntry().getValue();
    if (size == w.syncedEnd) {
      return; // everything was fsynced: nothing may be garbled
    }
    int iterations = atLeast(50);
    for (int i = 0; i < iterations; i++) {
      long at = w.syncedEnd + random().nextInt((int) (size - w.syncedEnd));
      // The damaged record and everything after it is dropped; nothing before it.
      long damagedSeq =
          w.endOffsets.entrySet().stream()
              .filter(e -> e.getValue() > at)
              .findFirst()
              .orElseThrow()
              .getKey();
      TreeMap<Long, List<WalEntry>> expected = new TreeMap<>(w.batches.headMap(damagedSeq, false));
      assertEquals("byte flipped at " + at, expected, recoverCopy(w, createTempDir(), -1, at));
    }
  }

  public void testTornTailIsTruncatedAndTheLogContinues() throws IOException {
    Written w = writeAndKill(30);
    long size = w.endOffsets.lastEntry().getValue();
    long cut = size - 1 - random().nextInt(5);
    Path copy = createTempDir();
    TreeMap<Long, List<WalEntry>> replayed = recoverCopy(w, copy, cut, -1);
    assertEquals(29, replayed.size());
    // Truncated where record 30 starts (after a sync marker if the fsync followed record 29).
    long start30 = size - WalFormat.encodeRecord(w.batches.get(30L)).limit();
    assertEquals(start30, Files.size(copy.resolve(w.file.getFileName().toString())));
    // Seq 30 is reused for new data and the old torn bytes never come back.
    try (WriteAheadLog wal =
        WriteAheadLog.open(copy, WalOptions.defaults(), 0, new WalTestUtil.Collector())) {
      assertEquals(30, wal.append(List.of(WalEntry.delete("new"))));
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(copy, WalOptions.defaults(), 0, replay).close();
    assertEquals(List.of(WalEntry.delete("new")), replay.batches.get(30L));
    assertEquals(30, replay.batches.size());
  }

  public void testDamageBeforeAnOffsetALaterRecordProvesSyncedIsCorruption() throws IOException {
    Written w;
    do {
      w = writeAndKill(30);
      // Need a synced region with records in it and at least one record after it (the witness).
    } while (w.syncedEnd == WalFormat.GENERATION_HEADER_BYTES
        || w.syncedEnd == w.endOffsets.lastEntry().getValue());
    long at =
        WalFormat.GENERATION_HEADER_BYTES
            + random().nextInt((int) (w.syncedEnd - WalFormat.GENERATION_HEADER_BYTES));
    Written written = w;
    CorruptWalException e =
        expectThrows(
            CorruptWalException.class, () -> recoverCopy(written, createTempDir(), -1, at));
    assertTrue(e.getMessage(), e.getMessage().contains(w.file.getFileName().toString()));
    assertTrue(e.getMessage(), e.getMessage().contains("fsynced"));
  }

  /**
   * SYNC writes, a killed process (no clean close, so the checkpoint covers only the header), then
   * one flipped byte in any acknowledged record: recovery must refuse, thanks to the claims in
   * later records and the sync marker after the last fsync. A flip in that last marker loses
   * nothing and is a torn tail.
   */
  public void testFlippedSyncedByteAfterAKillIsCorruption() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs = crashableFileSystem();
    WalOptions opts = WalOptions.defaults().withFileSystem(fs);
    TreeMap<Long, List<WalEntry>> appended = new TreeMap<>();
    long lastRecordEnd;
    WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector());
    try {
      for (int i = 0; i < 20; i++) {
        List<WalEntry> batch = WalTestUtil.randomBatch(random(), 3);
        long seq = wal.append(batch);
        appended.put(seq, batch);
        wal.sync(seq);
      }
      lastRecordEnd = wal.sizeInBytes() - 32; // minus the final sync marker
      fs.kill();
    } finally {
      expectThrows(IOException.class, wal::close);
      fs.restart();
    }
    Path file = WalTestUtil.generationFiles(dir).get(0);
    stripPreallocatedZeros(file, lastRecordEnd + 32);
    long size = Files.size(file);
    for (int i = 0; i < atLeast(30); i++) {
      boolean inMarker = random().nextInt(5) == 0;
      long at =
          inMarker
              ? lastRecordEnd + random().nextInt(32)
              : WalFormat.GENERATION_HEADER_BYTES
                  + random().nextInt((int) (lastRecordEnd - WalFormat.GENERATION_HEADER_BYTES));
      Path copy = createTempDir();
      WalTestUtil.copyWal(dir, copy);
      WalTestUtil.flipByte(
          copy.resolve(file.getFileName().toString()), at, 1 + random().nextInt(255));
      WalTestUtil.Collector replay = new WalTestUtil.Collector();
      if (inMarker) {
        WriteAheadLog.open(copy, fastOptions(), 0, replay).close();
        assertEquals(appended, replay.batches);
      } else {
        CorruptWalException e =
            expectThrows(
                CorruptWalException.class,
                () -> WriteAheadLog.open(copy, fastOptions(), 0, replay));
        assertTrue(e.getMessage(), e.getMessage().contains(file.getFileName().toString()));
      }
    }
  }

  /** Closes cleanly (the checkpoint then covers everything), then flips one byte anywhere. */
  public void testAnyFlippedByteAfterACleanCloseIsCorruption() throws IOException {
    Path dir = createTempDir();
    WalOptions opts = fastOptions().withMaxGenerationBytes(1024);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector())) {
      for (int i = 0; i < 60; i++) {
        wal.append(WalTestUtil.randomBatch(random(), 5));
      }
    }
    List<Path> files = new ArrayList<>(WalTestUtil.generationFiles(dir));
    files.add(dir.resolve(WalFormat.CHECKPOINT_NAME));
    int iterations = atLeast(40);
    for (int i = 0; i < iterations; i++) {
      Path victim = files.get(random().nextInt(files.size()));
      long at = random().nextInt((int) Files.size(victim));
      Path copy = createTempDir();
      WalTestUtil.copyWal(dir, copy);
      WalTestUtil.flipByte(
          copy.resolve(victim.getFileName().toString()), at, 1 + random().nextInt(255));
      CorruptWalException e =
          expectThrows(
              CorruptWalException.class,
              () -> WriteAheadLog.open(copy, opts, 0, new WalTestUtil.Collector()));
      assertTrue(e.getMessage(), e.getMessage().contains(victim.getFileName().toString()));
      assertEquals(copy.resolve(victim.getFileName().toString()), e.file());
    }
  }

  public void testMissingGenerationIsCorruption() throws IOException {
    Path dir = createTempDir();
    WalOptions opts = WalOptions.defaults().withMaxGenerationBytes(1024);
    try (WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector())) {
      for (int i = 0; i < 60; i++) {
        wal.append(WalTestUtil.randomBatch(random(), 5));
      }
    }
    List<Path> files = WalTestUtil.generationFiles(dir);
    assertTrue(files.size() > 3);
    Files.delete(files.get(1 + random().nextInt(files.size() - 2)));
    CorruptWalException e =
        expectThrows(
            CorruptWalException.class,
            () -> WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector()));
    assertTrue(e.getMessage(), e.getMessage().contains("missing"));
  }

  /**
   * The newest generation with records is lost while a newer, empty one exists: no later record
   * reveals the gap, only the base seq in the empty generation's header.
   */
  public void testLostLastGenerationWithRecordsIsCorruption() throws IOException {
    Path dir = createTempDir();
    WalOptions opts = WalOptions.defaults();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector())) {
      for (int i = 0; i < 5; i++) {
        wal.append(WalTestUtil.randomBatch(random(), 3));
      }
    }
    WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector()).close(); // adds generation 2
    List<Path> files = WalTestUtil.generationFiles(dir);
    assertEquals(2, files.size());
    Files.delete(files.get(0));
    CorruptWalException e =
        expectThrows(
            CorruptWalException.class,
            () -> WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector()));
    assertTrue(e.getMessage(), e.getMessage().contains("records 1 to 5 are missing"));
    assertEquals(files.get(1), e.file());
  }

  /**
   * SYNC mode writes zeros ahead of its records. After a kill they trail the records; recovery cuts
   * them off like any torn tail, keeps every record, and the log goes on. Generations sealed by a
   * roll or a clean close hold no zeros, since recovery would read zeros there as corruption.
   */
  public void testPreallocatedZerosAreCutOff() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs = crashableFileSystem();
    WalOptions opts = WalOptions.defaults().withFileSystem(fs);
    TreeMap<Long, List<WalEntry>> appended = new TreeMap<>();
    WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector());
    long end;
    try {
      for (int i = 0; i < 20; i++) {
        List<WalEntry> batch = WalTestUtil.randomBatch(random(), 4);
        long seq = wal.append(batch);
        appended.put(seq, batch);
        if (i == 19 || random().nextBoolean()) { // the last sync writes every record
          wal.sync(seq);
        }
      }
      end = wal.sizeInBytes();
      fs.kill();
    } finally {
      expectThrows(IOException.class, wal::close);
      fs.restart();
    }
    Path file = WalTestUtil.generationFiles(dir).get(0);
    assertTrue(Files.size(file) >= end + GenerationSet.PREALLOCATE_BYTES / 2);
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    long seq = 0;
    try (WriteAheadLog reopened =
        WriteAheadLog.open(
            dir,
            WalOptions.defaults().withMaxGenerationBytes(WalOptions.MIN_GENERATION_BYTES),
            0,
            replay)) {
      assertEquals(appended, replay.batches);
      assertEquals(end, Files.size(file));
      // Enough to roll over a few times; every sealed generation must be cut to its records.
      while (WalTestUtil.generationFiles(dir).size() < 4) {
        seq = reopened.append(List.of(WalEntry.delete(WalTestUtil.randomId(random()))));
        reopened.sync(seq);
      }
      assertEquals(seq, reopened.syncedSeq());
    }
    WalTestUtil.Collector again = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, WalOptions.defaults(), 0, again).close();
    assertEquals(appended, again.batches.headMap(21L));
    assertEquals(seq, again.batches.size());
    for (Path f : WalTestUtil.generationFiles(dir)) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        ByteBuffer last = ByteBuffer.allocate(4);
        WalIo.readFully(ch, last, ch.size() - 4);
        assertNotEquals("generation " + f + " ends in zeros", 0, last.getInt(0));
      }
    }
  }

  /**
   * SYNC mode keeps appended records in memory until a sync, a roll or a close writes them: a
   * killed process loses exactly the records appended after the last sync (none of which a SYNC
   * caller has acknowledged), and nothing that a roll sealed. A record larger than the initial
   * buffer goes through whole.
   */
  public void testSyncModeWritesRecordsWhenSynced() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs = crashableFileSystem();
    WalOptions opts = WalOptions.defaults().withFileSystem(fs);
    TreeMap<Long, List<WalEntry>> synced = new TreeMap<>();
    WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, new WalTestUtil.Collector());
    try {
      Path file = WalTestUtil.generationFiles(dir).get(0);
      int count = 1 + random().nextInt(20);
      for (int i = 0; i < count; i++) {
        List<WalEntry> batch =
            i == 0
                ? List.of(WalEntry.upsert("large", new float[40_000], null)) // 160 kB
                : WalTestUtil.randomBatch(random(), 4);
        synced.put(wal.append(batch), batch);
      }
      assertEquals(WalFormat.GENERATION_HEADER_BYTES, Files.size(file));
      wal.sync(wal.lastSeq());
      assertTrue(Files.size(file) >= wal.sizeInBytes());
      for (int i = random().nextInt(5); i >= 0; i--) {
        wal.append(WalTestUtil.randomBatch(random(), 4)); // never synced
      }
      fs.kill();
    } finally {
      expectThrows(IOException.class, wal::close);
      fs.restart();
    }
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, opts, 0, replay).close();
    assertEquals(synced, replay.batches);

    // A roll writes and fsyncs the sealed generation's pending records.
    Path rolled = createTempDir();
    WalOptions small = opts.withMaxGenerationBytes(WalOptions.MIN_GENERATION_BYTES);
    TreeMap<Long, List<WalEntry>> sealed = new TreeMap<>();
    TreeMap<Long, List<WalEntry>> appended = new TreeMap<>();
    wal = WriteAheadLog.open(rolled, small, 0, new WalTestUtil.Collector());
    try {
      while (WalTestUtil.generationFiles(rolled).size() < 3 || random().nextBoolean()) {
        int before = WalTestUtil.generationFiles(rolled).size();
        List<WalEntry> batch = WalTestUtil.randomBatch(random(), 4);
        appended.put(wal.append(batch), batch);
        if (WalTestUtil.generationFiles(rolled).size() > before) {
          sealed.putAll(appended); // the roll sealed everything appended so far
        }
      }
      fs.kill();
    } finally {
      expectThrows(IOException.class, wal::close);
      fs.restart();
    }
    replay = new WalTestUtil.Collector();
    WriteAheadLog.open(rolled, small, 0, replay).close();
    assertFalse(sealed.isEmpty());
    assertEquals(sealed, replay.batches);
  }

  public void testEmptyNewestGenerationFromACrashIsDeleted() throws IOException {
    Path dir = createTempDir();
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir, WalOptions.defaults(), 0, new WalTestUtil.Collector())) {
      wal.append(List.of(WalEntry.delete("a")));
    }
    // A generation created just before a crash: its name reached the disk, its header did not.
    Path torn = dir.resolve(WalFormat.generationFileName(99));
    Files.write(torn, new byte[random().nextInt(WalFormat.GENERATION_HEADER_BYTES)]);
    WalTestUtil.Collector replay = new WalTestUtil.Collector();
    try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), 0, replay)) {
      assertEquals(1, replay.batches.size());
      assertFalse(Files.exists(torn));
      assertTrue(Files.exists(dir.resolve(WalFormat.generationFileName(100))));
      assertEquals(2, wal.append(List.of(WalEntry.delete("b"))));
    }
  }

  /**
   * Random work (appends, syncs, trims, rolls, ASYNC mode, injected I/O errors), then a power loss
   * that keeps only what was fsynced and mangles the rest; recovery must return every synced
   * record, only whole records that were appended, gap-free, and never throw.
   */
  public void testPowerLossKeepsEverySyncedRecord() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs = crashableFileSystem();
    TreeMap<Long, List<WalEntry>> model =
        new TreeMap<>(); // seq -> batch, as far as the log may hold it
    long committed = 0; // the "index commit"
    long synced = 0; // highest seq whose sync returned
    int cycles = atLeast(30);
    long lostUnsynced = 0;
    long replayedTotal = 0;
    int failedCycles = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      WalOptions opts =
          WalOptions.defaults()
              .withFileSystem(fs)
              .withMaxGenerationBytes(1024 + random().nextInt(4096))
              .withMode(
                  random().nextInt(4) == 0 ? WalOptions.Mode.ASYNC : WalOptions.Mode.SYNC,
                  java.time.Duration.ofMillis(1 + random().nextInt(5)));
      WalTestUtil.Collector replay = new WalTestUtil.Collector();
      WriteAheadLog wal = WriteAheadLog.open(dir, opts, committed, replay);
      try {
        checkRecovered(model, committed, synced, replay.batches, cycle);
        replayedTotal += replay.batches.size();
        // Whatever was not recovered is gone; its seqs will be reused.
        lostUnsynced +=
            model
                .tailMap(replay.batches.isEmpty() ? committed : replay.batches.lastKey(), false)
                .size();
        model
            .tailMap(replay.batches.isEmpty() ? committed : replay.batches.lastKey(), false)
            .clear();
        assertEquals(Math.max(committed, model.isEmpty() ? 0 : model.lastKey()), wal.lastSeq());
        if (random().nextInt(3) == 0) {
          fs.failRandomly(0.02);
        }
        int ops = random().nextInt(60);
        for (int op = 0; op < ops; op++) {
          int what = random().nextInt(10);
          if (what < 7) {
            List<WalEntry> batch = WalTestUtil.randomBatch(random(), 4);
            // Into the model first: an append that throws may still have written its record
            // (e.g. the write succeeded and the generation roll after it failed).
            long expectedSeq = wal.lastSeq() + 1;
            model.put(expectedSeq, batch);
            assertEquals(expectedSeq, wal.append(batch));
          } else if (what < 9) {
            long seq = wal.lastSeq();
            if (seq > 0) {
              wal.sync(seq);
              synced = Math.max(synced, seq);
            }
          } else {
            // An index commit that contains everything synced so far, then trim.
            long commit = Math.min(synced, wal.lastSeq());
            if (commit > committed) {
              committed = commit; // the commit is durable before trim is called
              wal.trim(commit);
            }
          }
        }
      } catch (IOException e) {
        // An injected failure: the operation was not acknowledged, the log refuses more work.
        assertTrue(
            e.toString(),
            e.getMessage().contains("injected") || e.getMessage().contains("failed earlier"));
        failedCycles++;
      } finally {
        fs.clearFailures();
        if (random().nextInt(3) == 0) {
          fs.kill(); // the page cache survives, and nothing more is durable than before
        } else {
          fs.crash();
        }
        try {
          wal.close();
        } catch (IOException expected) {
          // the file system is down
        }
        fs.restart();
      }
    }
    {
      System.out.println(
          "power loss: cycles="
              + cycles
              + " replayed="
              + replayedTotal
              + " lostUnsynced="
              + lostUnsynced
              + " cyclesWithInjectedFailure="
              + failedCycles
              + " forces="
              + fs.forceCount());
    }
    assertTrue(
        "no cycle lost an unsynced record: the crash simulation is not biting",
        cycles < 30 || lostUnsynced > 0);
  }

  /**
   * Records recovered from the page cache after a killed process were never fsynced; recovery must
   * make them durable before new records go to a new generation, or a power loss later would leave
   * a hole behind the new, synced records.
   */
  public void testRecoveredTailIsMadeDurable() throws IOException {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs = crashableFileSystem();
    WalOptions opts = WalOptions.defaults().withFileSystem(fs);
    TreeMap<Long, List<WalEntry>> appended = new TreeMap<>();
    // records written but never fsynced, then a kill: only the page cache has them
    WriteAheadLog wal =
        WriteAheadLog.open(dir, appendWritesOptions(fs), 0, new WalTestUtil.Collector());
    for (int i = 0; i < 10; i++) {
      List<WalEntry> batch = WalTestUtil.randomBatch(random(), 3);
      appended.put(wal.append(batch), batch);
    }
    fs.kill();
    expectThrows(IOException.class, wal::close);
    fs.restart();
    WalTestUtil.Collector first = new WalTestUtil.Collector();
    try (WriteAheadLog reopened = WriteAheadLog.open(dir, opts, 0, first)) {
      assertEquals(appended, first.batches);
      // The caller applied 1..10 and acknowledges a new, synced write.
      reopened.sync(reopened.append(List.of(WalEntry.delete("acknowledged"))));
      fs.crash(EnumSet.of(FaultInjectingWalFileSystem.CrashMode.DROP));
      expectThrows(IOException.class, reopened::close);
      fs.restart();
    }
    WalTestUtil.Collector second = new WalTestUtil.Collector();
    WriteAheadLog.open(dir, opts, 0, second).close();
    assertEquals(11, second.batches.size());
    assertEquals(List.of(WalEntry.delete("acknowledged")), second.batches.get(11L));
  }

  /**
   * Several threads append and sync concurrently (group commit, rolls) when the power fails at a
   * random moment; then again, for several cycles on the same log. Every batch whose sync returned
   * must come back in every later recovery, every recovered batch must be one that was appended,
   * and each thread's batches must come back in the order it appended them.
   */
  public void testConcurrentWritersThenPowerLoss() throws Exception {
    Path dir = createTempDir();
    FaultInjectingWalFileSystem fs = crashableFileSystem();
    java.util.Map<String, List<WalEntry>> attempted =
        new java.util.concurrent.ConcurrentHashMap<>();
    java.util.Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    int cycles = atLeast(8);
    for (int cycle = 0; cycle < cycles; cycle++) {
      WalOptions opts =
          WalOptions.defaults()
              .withFileSystem(fs)
              .withMaxGenerationBytes(1024 + random().nextInt(8192));
      WalTestUtil.Collector replay = new WalTestUtil.Collector();
      WriteAheadLog wal = WriteAheadLog.open(dir, opts, 0, replay);
      java.util.Map<String, Long> recoveredAt = new java.util.HashMap<>();
      for (var e : replay.batches.entrySet()) {
        String key = e.getValue().get(e.getValue().size() - 1).id();
        assertEquals("cycle " + cycle + ", seq " + e.getKey(), attempted.get(key), e.getValue());
        recoveredAt.put(key, e.getKey());
      }
      for (String key : acknowledged) {
        assertTrue(
            "cycle " + cycle + ": acknowledged " + key + " lost", recoveredAt.containsKey(key));
      }
      // Per thread, later batches never come back at lower seqs than earlier ones.
      java.util.Map<String, long[]> lastPerThread = new java.util.HashMap<>();
      for (var e : new TreeMap<>(replay.batches).entrySet()) {
        String key = e.getValue().get(e.getValue().size() - 1).id();
        String[] parts = key.split("/");
        long i = Long.parseLong(parts[2]);
        long[] last =
            lastPerThread.computeIfAbsent(parts[0] + "/" + parts[1], k -> new long[] {-1});
        assertTrue("cycle " + cycle + ": " + key + " after batch " + last[0], i > last[0]);
        last[0] = i;
      }
      int threads = 2 + random().nextInt(5);
      long[] seeds = new long[threads];
      for (int t = 0; t < threads; t++) {
        seeds[t] = random().nextLong();
      }
      java.util.concurrent.CountDownLatch started =
          new java.util.concurrent.CountDownLatch(threads);
      List<Thread> workers = new ArrayList<>();
      int thisCycle = cycle;
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(
            new Thread(
                () -> {
                  Random r = new Random(seeds[thread]);
                  started.countDown();
                  try {
                    for (int i = 0; ; i++) {
                      List<WalEntry> batch = new ArrayList<>(WalTestUtil.randomBatch(r, 3));
                      String key = thisCycle + "/" + thread + "/" + i;
                      batch.add(WalEntry.delete(key)); // identifies the batch
                      attempted.put(key, batch);
                      long seq = wal.append(batch);
                      if (r.nextInt(3) > 0) {
                        wal.sync(seq);
                        acknowledged.add(key);
                      }
                    }
                  } catch (IOException | org.apache.lucene.store.AlreadyClosedException e) {
                    // the power failed
                  }
                }));
      }
      workers.forEach(Thread::start);
      started.await();
      Thread.sleep(random().nextInt(30));
      fs.crash();
      for (Thread w : workers) {
        w.join();
      }
      try {
        wal.close();
      } catch (IOException expected) {
        // the file system is down
      }
      fs.restart();
    }
    System.out.println(
        "concurrent power loss: cycles="
            + cycles
            + " attempted="
            + attempted.size()
            + " acknowledged="
            + acknowledged.size()
            + " forces="
            + fs.forceCount());
    assertFalse("nothing was acknowledged", acknowledged.isEmpty());
  }

  private static void checkRecovered(
      TreeMap<Long, List<WalEntry>> model,
      long committed,
      long synced,
      TreeMap<Long, List<WalEntry>> replayed,
      int cycle) {
    String where = "cycle " + cycle + ", committed " + committed + ", synced " + synced;
    if (!replayed.isEmpty()) {
      assertEquals(where, committed + 1, (long) replayed.firstKey());
    }
    for (long seq = committed + 1; seq <= synced; seq++) {
      assertTrue(where + ": synced seq " + seq + " lost", replayed.containsKey(seq));
    }
    for (var e : replayed.entrySet()) {
      assertEquals(where + ": seq " + e.getKey(), model.get(e.getKey()), e.getValue());
    }
  }
}
