package io.iqdb.recovery;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import io.iqdb.CorruptedException;
import io.iqdb.Iqdb;
import io.iqdb.IqdbException;
import io.iqdb.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.tests.store.MockDirectoryWrapper;

/**
 * A random byte flipped in any committed file must make the open or a read raise {@link
 * CorruptedException} naming that file, never return wrong results. A damaged collection no longer
 * stops the database from opening: it is set aside at open, and every call on it raises a {@code
 * StorageException} whose cause is that {@code CorruptedException} (counted as detected at open).
 *
 * <p>The database under test is left as a killed process leaves it: index commits, then writes
 * acknowledged in SYNC mode that are only in the write-ahead log. Files: every file of each
 * collection's last Lucene commit, each WAL generation and checkpoint, and the catalog. Each trial
 * copies that database, flips one byte (XOR with a random non-zero value) at a random offset of one
 * file, opens the copy and reads everything.
 *
 * <p>The last data record of each log gets its own flips ({@link #testFlipInLastWalRecord()}): it
 * used to be taken for a torn tail and cut off silently, losing an acknowledged write; the log now
 * writes a sync marker after each fsync, which witnesses it. A flip in the trailing sync markers
 * themselves (written after the last fsync, never fsynced, carrying no data) may go unnoticed:
 * that is accepted only when every read returns exactly the acknowledged data.
 *
 * <p>A former core gap, counted instead of failing only with {@code -Drecovery.strict=false}: a
 * flip that Lucene met while parsing a file header or pointer, before any checksum was verified,
 * surfaced as {@code FormatVersionException} ("format too new", a flipped version int) or {@code
 * StorageException} ("read past EOF", a flipped length), still naming the file, counted as {@code
 * NAMED_AS_OTHER_EXCEPTION}; or as Lucene's "Problem reading index from &lt;directory&gt;", whose
 * resource is the directory and whose cause names the file, counted as {@code NAMED_IN_CAUSE_ONLY}.
 * The core now verifies every committed file's checksum before parsing it when opened with {@code
 * verifyChecksumsOnOpen(true)}, which every trial here uses (the default open verifies data files in
 * the background instead: {@code IntegrityVerificationTest} covers that).
 *
 * <p>Flips per file: {@value #DEFAULT_FLIPS} by default; {@code -Drecovery.corruption.flips=N}.
 */
public class TestCorruption extends RecoveryTestCase {
  static final int DEFAULT_FLIPS = 1;

  /**
   * {@code -Drecovery.corruption.lazyOpen=true}: opens each trial as by default but without the
   * background verification, and only prints how each flip was met: what a read could be served
   * before the background pass reaches the damage (the README's "Opening and corruption" window).
   * Add {@code -Dtests.verbose=true}: it prints more than the suite's output limit.
   */
  static final boolean LAZY_OPEN = Boolean.getBoolean("recovery.corruption.lazyOpen");

  /** A database left by a "killed process", and what it must contain. */
  private record Base(Path dir, Model model) {}

  /** How one flip was handled. */
  enum Outcome {
    DETECTED_AT_OPEN,
    DETECTED_AT_READ,
    /** An IqdbException naming the file, but not CorruptedException (see the class Javadoc). */
    NAMED_AS_OTHER_EXCEPTION,
    /** CorruptedException naming only the index directory; its cause names the file. */
    NAMED_IN_CAUSE_ONLY,
    WRONG_FILE_NAMED,
    OTHER_EXCEPTION,
    UNDETECTED_SAME_RESULTS,
    SILENTLY_WRONG
  }

  private Base makeBase(Random r) throws Exception {
    Path dir = createTempDir("base").resolve("db");
    Model model = new Model();
    FaultDb f = FaultDb.open(dir, r, w -> {}, null);
    Workload.createCollections(f.db);
    Workload w = new Workload(r.nextLong(), 20, 0.1, 6);
    for (int i = 0; i < 40; i++) {
      Workload.Op op = w.next();
      Workload.apply(f.db, op);
      model.apply(op);
    }
    f.db.flush();
    // Then writes that only the log holds: at least three records per collection.
    Workload tail = new Workload(r.nextLong(), 20, 0, 6);
    Map<String, Integer> perCollection = new TreeMap<>();
    while (perCollection.size() < 3 || perCollection.values().stream().anyMatch(n -> n < 3)) {
      Workload.Op op = tail.next();
      Workload.apply(f.db, op);
      model.apply(op);
      perCollection.merge(op.collection(), 1, Integer::sum);
    }
    // A killed process: the OS keeps every written byte; nothing more gets written.
    f.fs.kill();
    for (MockDirectoryWrapper d : f.dirs) {
      d.crash(); // only uncommitted segment files are unsynced; they are not in the commit
    }
    FaultDb.ignoringMergeThreadFailures(f::closeAbandoned);
    // The base must hold acknowledged writes that only the log has, else WAL flips test nothing.
    for (String c : Workload.COLLECTIONS) {
      Path index = dir.resolve("collections").resolve(c).resolve("index");
      long committed;
      try (Directory d = FSDirectory.open(index)) {
        committed = Long.parseLong(SegmentInfos.readLatestCommit(d).getUserData().get("iqdb.seq"));
      }
      long lastLogged = -1;
      try (Stream<Path> s = Files.list(dir.resolve("collections").resolve(c).resolve("wal"))) {
        for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
          WalRecord last = lastDataRecord(p);
          if (last != null) {
            lastLogged = Math.max(lastLogged, last.seq());
          }
        }
      }
      assertTrue("collection '" + c + "': last commit has seq " + committed + ", last logged record " + lastLogged
          + ": the base has no log-only writes", lastLogged > committed);
    }
    return new Base(dir, model);
  }

  /** Files a flip must be detected in, each with the byte range to flip in. */
  private static Map<Path, long[]> targets(Path db, boolean lastWalRecordOnly) throws IOException {
    Map<Path, long[]> files = new TreeMap<>();
    if (!lastWalRecordOnly) {
      try (Stream<Path> s = Files.list(db)) {
        for (Path catalog : s.filter(p -> p.getFileName().toString().startsWith("catalog_")).toList()) {
          files.put(catalog, new long[] {0, Files.size(catalog)});
        }
      }
    }
    for (String c : Workload.COLLECTIONS) {
      Path index = db.resolve("collections").resolve(c).resolve("index");
      if (!lastWalRecordOnly) {
        try (Directory d = FSDirectory.open(index)) {
          for (String name : SegmentInfos.readLatestCommit(d).files(true)) {
            long size = Files.size(index.resolve(name));
            if (size > 0) {
              files.put(index.resolve(name), new long[] {0, size});
            }
          }
        }
      }
      Path wal = db.resolve("collections").resolve(c).resolve("wal");
      try (Stream<Path> s = Files.list(wal)) {
        for (Path p : s.sorted().toList()) {
          long size = Files.size(p);
          String name = p.getFileName().toString();
          if (name.endsWith(".log")) {
            WalRecord last = lastDataRecord(p);
            if (!lastWalRecordOnly) {
              files.put(p, new long[] {0, size});
            } else if (last != null) {
              files.put(p, new long[] {last.start(), last.end()});
            }
          } else if (!lastWalRecordOnly && size > 0) {
            files.put(p, new long[] {0, size});
          }
        }
      }
    }
    return files;
  }

  /** A well-framed record of a generation file: where it is, its seq, and its entry count. */
  private record WalRecord(long start, long end, long seq, int entries) {}

  /** The well-framed records of a generation file, in order (framing only; CRCs are not checked). */
  private static List<WalRecord> records(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<WalRecord> out = new ArrayList<>();
    long pos = 28; // generation header
    while (pos + 28 <= bytes.length) {
      int bodyLength = b.getInt((int) pos + 4);
      long end = pos + 12 + bodyLength;
      if (bodyLength < 20 || end > bytes.length) {
        break;
      }
      out.add(new WalRecord(pos, end, b.getLong((int) pos + 8), b.getInt((int) pos + 24)));
      pos = end;
    }
    return out;
  }

  /** The last record that carries data (not a sync marker), or null. */
  private static WalRecord lastDataRecord(Path file) throws IOException {
    WalRecord last = null;
    for (WalRecord r : records(file)) {
      if (r.entries() > 0) {
        last = r;
      }
    }
    return last;
  }

  /**
   * Where the trailing sync markers of a generation file begin (its size if there are none): a
   * marker is written after an fsync and not fsynced itself, so damage to the last ones is a torn
   * tail that loses no data.
   */
  private static long trailingMarkersStart(Path file) throws IOException {
    WalRecord last = lastDataRecord(file);
    List<WalRecord> all = records(file);
    if (all.isEmpty() || all.get(all.size() - 1).entries() > 0) {
      return Files.size(file);
    }
    return last == null ? 28 : last.end();
  }

  public void testFlipInAnyCommittedFile() throws Exception {
    int flips = Integer.getInteger("recovery.corruption.flips", DEFAULT_FLIPS);
    String testSeed = RandomizedContext.current().getRunnerSeedAsString();
    Base base = makeBase(random());
    assertEquals("control: the unflipped copy", Outcome.UNDETECTED_SAME_RESULTS, trial(base, null, 0, 0).outcome);
    Map<Path, long[]> targets = targets(base.dir, false);
    Map<String, Integer> byOutcome = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (var e : targets.entrySet()) {
      for (int i = 0; i < flips; i++) {
        long[] range = e.getValue();
        long at = range[0] + (long) (random().nextDouble() * (range[1] - range[0]));
        int xor = 1 + random().nextInt(255);
        Result res = trial(base, base.dir.relativize(e.getKey()), at, xor);
        boolean inTrailingMarker = e.getKey().toString().endsWith(".log") && at >= trailingMarkersStart(e.getKey());
        if (inTrailingMarker && res.outcome == Outcome.UNDETECTED_SAME_RESULTS) {
          byOutcome.merge("HARMLESS_IN_TRAILING_SYNC_MARKER", 1, Integer::sum);
          continue;
        }
        byOutcome.merge(res.outcome.toString(), 1, Integer::sum);
        boolean ok = res.outcome == Outcome.DETECTED_AT_OPEN || res.outcome == Outcome.DETECTED_AT_READ
            || ((res.outcome == Outcome.NAMED_AS_OTHER_EXCEPTION || res.outcome == Outcome.NAMED_IN_CAUSE_ONLY)
                && !TestIoErrors.STRICT);
        String line = base.dir.relativize(e.getKey()) + " byte " + at + " ^ " + xor + ": " + res.outcome + " " + res.detail;
        (ok ? notes : failures).add(line);
      }
    }
    System.out.println("TestCorruption: seed " + testSeed + ": " + targets.size() + " files, " + flips
        + " flip(s) each: " + byOutcome);
    notes.stream().filter(n -> !n.contains("DETECTED_AT")).forEach(n -> System.out.println("TestCorruption: " + n));
    if (LAZY_OPEN) {
      failures.forEach(n -> System.out.println("TestCorruption (lazy open): " + n));
      return; // a measurement of the default's window, not a requirement
    }
    assertTrue("test seed " + testSeed + ": flips not reported as corruption of the file: " + failures, failures.isEmpty());
  }

  public void testFlipInLastWalRecord() throws Exception {
    Base base = makeBase(random());
    List<String> failures = new ArrayList<>();
    for (var e : targets(base.dir, true).entrySet()) {
      long at = e.getValue()[0] + (long) (random().nextDouble() * (e.getValue()[1] - e.getValue()[0]));
      Result res = trial(base, base.dir.relativize(e.getKey()), at, 1 + random().nextInt(255));
      if (res.outcome != Outcome.DETECTED_AT_OPEN && res.outcome != Outcome.DETECTED_AT_READ) {
        failures.add(base.dir.relativize(e.getKey()) + " byte " + at + ": " + res.outcome + " " + res.detail);
      }
    }
    assertTrue("flips in the last WAL data record not detected: " + failures, failures.isEmpty());
  }

  private record Result(Outcome outcome, String detail) {}

  /** Copies the base, flips one byte of {@code file} (none if null), opens and reads. */
  private Result trial(Base base, Path file, long at, int xor) throws IOException {
    Path copy = createTempDir("trial").resolve("db");
    copyTree(base.dir, copy);
    String name = file == null ? null : file.getFileName().toString();
    if (file != null) {
      flip(copy.resolve(file), at, xor);
    }
    boolean opened = false;
    // Verified at open: the strict mode, where every flip must be reported before any read. The
    // default open verifies data files only after open (see IntegrityVerificationTest in src);
    // LAZY_OPEN measures what its window could serve (see testFlipInAnyCommittedFile).
    Iqdb.Builder builder = LAZY_OPEN
        ? Iqdb.builder().path(copy).verifyChecksumsInBackground(false)
        : Iqdb.builder().path(copy).verifyChecksumsOnOpen(true);
    try (Iqdb db = builder.open()) {
      opened = true;
      Model actual;
      try {
        actual = Model.read(db);
      } catch (AssertionError e) {
        // Model.read's own checks (an id scanned twice, say): data served wrong, not reported.
        return new Result(Outcome.SILENTLY_WRONG, e.getMessage());
      }
      String reads = base.model.checkReads(db);
      if (!actual.equals(base.model) || reads != null) {
        return new Result(Outcome.SILENTLY_WRONG, base.model.diff(actual) + (reads == null ? "" : "; " + reads));
      }
      return new Result(Outcome.UNDETECTED_SAME_RESULTS, "");
    } catch (CorruptedException e) {
      return corrupted(e, name, opened ? Outcome.DETECTED_AT_READ : Outcome.DETECTED_AT_OPEN);
    } catch (StorageException e) {
      if (e.getCause() instanceof CorruptedException c && e.getMessage().contains("could not be opened")) {
        // The damaged collection was set aside at open; the database and its other collections open.
        return corrupted(c, name, Outcome.DETECTED_AT_OPEN);
      }
      boolean names = name != null && e.getMessage().contains(name);
      return new Result(names ? Outcome.NAMED_AS_OTHER_EXCEPTION : Outcome.OTHER_EXCEPTION, e.toString());
    } catch (IqdbException e) {
      boolean names = name != null && e.getMessage().contains(name);
      return new Result(names ? Outcome.NAMED_AS_OTHER_EXCEPTION : Outcome.OTHER_EXCEPTION, e.toString());
    } finally {
      org.apache.lucene.util.IOUtils.rm(copy);
    }
  }

  private static Result corrupted(CorruptedException e, String name, Outcome detected) {
    String named = (e.file() == null ? "" : e.file()) + " " + e.getMessage();
    if (name != null && !named.contains(name)) {
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        if (String.valueOf(t.getMessage()).contains(name)) {
          return new Result(Outcome.NAMED_IN_CAUSE_ONLY, e.toString());
        }
      }
      return new Result(Outcome.WRONG_FILE_NAMED, e.toString());
    }
    return new Result(detected, "");
  }

  private static void flip(Path file, long at, int xor) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ xor));
      one.rewind();
      ch.write(one, at);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("iqdb.lock") && !p.getFileName().toString().equals("write.lock")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
