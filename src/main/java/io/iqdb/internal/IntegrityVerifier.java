package io.iqdb.internal;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The background checksum verification of a database's collections after open (see {@code
 * Iqdb.Builder.verifyChecksumsInBackground}): one low-priority daemon thread, one segment after the
 * other ({@link CollectionImpl#verifyIntegrity}), stopping between segments once the database
 * closes.
 */
final class IntegrityVerifier {
  private static final System.Logger LOG = System.getLogger("io.iqdb");

  private final Thread thread;

  private IntegrityVerifier(List<CollectionImpl> collections, BooleanSupplier closed, String database) {
    thread = new Thread(() -> {
      long start = System.nanoTime();
      for (CollectionImpl c : collections) {
        if (closed.getAsBoolean()) {
          return;
        }
        c.verifyIntegrity(closed);
      }
      LOG.log(System.Logger.Level.DEBUG, () -> "database " + database + ": checksums of " + collections.size()
          + " collection(s) verified in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }, "iqdb-verifier " + database);
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
  }

  /**
   * Starts verifying.
   *
   * @param collections the collections to verify, in order
   * @param closed says that the database is closing
   * @param database the database, for the thread's name and the log
   * @return the running verifier
   */
  static IntegrityVerifier start(List<CollectionImpl> collections, BooleanSupplier closed, String database) {
    IntegrityVerifier v = new IntegrityVerifier(collections, closed, database);
    v.thread.start();
    return v;
  }

  /**
   * Waits (at most a minute) for the verifier to stop, once the database said it is closing. It is
   * not interrupted, as an interrupt closes an NIO file channel under the index; it may be inside
   * one segment's files.
   */
  void awaitStop() {
    try {
      thread.join(TimeUnit.MINUTES.toMillis(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
