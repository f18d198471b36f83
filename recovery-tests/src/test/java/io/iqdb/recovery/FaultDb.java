package io.iqdb.recovery;

import io.iqdb.CommitPolicy;
import io.iqdb.Iqdb;
import io.iqdb.IqdbException;
import io.iqdb.internal.FaultHooks;
import io.iqdb.internal.wal.FaultInjectingWalFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.lucene.tests.store.MockDirectoryWrapper;

/**
 * A database opened in this JVM with its write-ahead logs on a {@link FaultInjectingWalFileSystem}
 * and each collection's Lucene directory wrapped in a {@link MockDirectoryWrapper}, so that a test
 * can inject I/O errors, fill the disk, or cut the power.
 */
final class FaultDb implements AutoCloseable {
  final Iqdb db;
  final FaultInjectingWalFileSystem fs;
  final List<MockDirectoryWrapper> dirs;

  private FaultDb(Iqdb db, FaultInjectingWalFileSystem fs, List<MockDirectoryWrapper> dirs) {
    this.db = db;
    this.fs = fs;
    this.dirs = dirs;
  }

  /**
   * Opens (creating if needed) the database at {@code path}.
   *
   * @param random seeds the fault layers
   * @param configure applied to each directory wrapper as it is created (fault rates, limits)
   * @param fs the WAL file layer, or null for a new one tracking durability
   */
  static FaultDb open(Path path, Random random, Consumer<MockDirectoryWrapper> configure, FaultInjectingWalFileSystem fs) {
    FaultInjectingWalFileSystem walFs = fs != null ? fs : new FaultInjectingWalFileSystem(new Random(random.nextLong()));
    List<MockDirectoryWrapper> dirs = new CopyOnWriteArrayList<>();
    long dirSeed = random.nextLong();
    // Half the time collections commit by themselves often, so faults land inside background commits.
    CommitPolicy policy = random.nextBoolean()
        ? CommitPolicy.defaults()
        : new CommitPolicy(1024 + random.nextInt(16 * 1024), java.time.Duration.ofMillis(10 + random.nextInt(200)));
    FaultHooks hooks = new FaultHooks(walFs, d -> {
      MockDirectoryWrapper w = new MockDirectoryWrapper(new Random(dirSeed + dirs.size()), d);
      // Iqdb#check() runs CheckIndex; the wrapper's own check on close would also crash() the
      // directory first, destroying unsynced files of a live database.
      w.setCheckIndexOnClose(false);
      w.setUseSlowOpenClosers(false);
      w.setThrottling(MockDirectoryWrapper.Throttling.NEVER);
      // Injected open failures are plain IOExceptions: a committed file that is really missing is
      // corruption, and iQDB rightly says so; a fake "missing" file would blur what is tested.
      w.setAllowRandomFileNotFoundException(false);
      configure.accept(w);
      dirs.add(w);
      return w;
    });
    return new FaultDb(Iqdb.builder().path(path).commitPolicy(policy).faultHooks(hooks).open(), walFs, dirs);
  }

  /**
   * Cuts the power: the WAL layer and every Lucene directory keep only what was fsynced (in a
   * random order of the two, both orders being what a real crash can look like from the
   * outside), Writes still running fail from here on; close the abandoned database with
   * {@link #closeAbandoned()} once they stopped.
   */
  void crash(Random random) throws IOException {
    boolean walFirst = random.nextBoolean();
    if (walFirst) {
      fs.crash();
    }
    for (MockDirectoryWrapper d : dirs) {
      d.crash();
    }
    if (!walFirst) {
      fs.crash();
    }
  }

  /**
   * Runs {@code body} while uncaught exceptions of Lucene's merge threads are counted instead of
   * failing the test. With faults injected, a merge that hits one dies and Lucene's {@code
   * ConcurrentMergeScheduler} rethrows the error on its thread (the IndexWriter has recorded it as
   * its tragic exception, which iQDB checks); and after {@link MockDirectoryWrapper#crash()} closed
   * the inputs of a live merge, only the simulation can cause the error (a real power loss takes
   * the merge thread with it).
   *
   * @return the number of merge-thread exceptions seen
   */
  static int ignoringMergeThreadFailures(IoRunnable body) throws Exception {
    java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      if (t.getName().startsWith("Lucene Merge Thread")) {
        seen.incrementAndGet();
      } else if (previous != null) {
        previous.uncaughtException(t, e);
      }
    });
    try {
      body.run();
    } finally {
      try {
        // A merge of the abandoned database may still be running (its rollback failed early):
        // let it die inside this window.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (t.getName().startsWith("Lucene Merge Thread")) {
            t.join(30_000);
          }
        }
      } finally {
        Thread.setDefaultUncaughtExceptionHandler(previous);
      }
    }
    return seen.get();
  }

  /** A block that may throw. */
  interface IoRunnable {
    void run() throws Exception;
  }

  /** Closes a database whose files are gone or failing, ignoring what that close throws. */
  void closeAbandoned() {
    try {
      db.close();
    } catch (IqdbException | IllegalStateException e) {
      // expected: commits and log writes fail after a crash or with faults on
    }
  }

  @Override
  public void close() {
    db.close();
  }
}
