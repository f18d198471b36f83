package io.iqdb.internal.wal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.apache.lucene.store.AlreadyClosedException;

/**
 * The background thread of a {@link WriteAheadLog} in ASYNC mode: every interval it takes the sync
 * leadership and fsyncs what was appended, like a writer calling {@link WriteAheadLog#sync}. It
 * stops when the log is closed or has failed.
 */
final class AsyncSyncer {

  private final GenerationSet generations;
  private final GroupCommit groupCommit;
  private final long intervalNanos;
  private final Thread thread;

  AsyncSyncer(GenerationSet generations, GroupCommit groupCommit, Duration interval) {
    this.generations = generations;
    this.groupCommit = groupCommit;
    this.intervalNanos = interval.toNanos();
    // An owned thread (nothing interrupts it): its fsyncs need no hand-off to the log's I/O thread.
    this.thread = new OwnedThread(this::run, "iqdb-wal-sync " + generations.dir());
  }

  void start() {
    thread.start();
  }

  /** Wakes the thread, which sees that the log is closed, and waits for it to end. */
  void stop() {
    LockSupport.unpark(thread);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (!generations.isClosed()) {
      long deadline = System.nanoTime() + intervalNanos;
      long left;
      while (!generations.isClosed() && (left = deadline - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, left);
      }
      groupCommit.acquireLeadership();
      try {
        if (generations.isClosed() || generations.failure() != null) {
          return;
        }
        groupCommit.syncAllAsLeader();
      } catch (IOException | AlreadyClosedException e) {
        // A failure is recorded by the generation set, and the next append or sync reports it; a
        // close that raced with this round fsyncs by itself.
        return;
      } finally {
        groupCommit.releaseLeadership();
      }
    }
  }
}
