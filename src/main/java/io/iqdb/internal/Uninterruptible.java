package io.iqdb.internal;

import io.iqdb.internal.wal.Handoff;
import io.iqdb.internal.wal.OwnedThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Runs the parts of a collection's API that write files (writes, refreshes, commits) on threads
 * that iQDB owns ({@link OwnedThread}), while the caller waits without reacting to interrupts.
 *
 * <p>Why: Lucene's index writer does file I/O on the thread that calls it (an update flushes a
 * segment when the indexing buffer is full and opens the files it wrote; a refresh flushes too; a
 * commit fsyncs), partly through interruptible {@link java.nio.channels.FileChannel}s. An interrupt
 * of that thread closes such a channel, and the index writer fails for good (a tragic exception):
 * the collection then refuses writes until the database is reopened. Application threads are
 * interrupted for ordinary reasons ({@code Future.cancel(true)}, an executor's {@code
 * shutdownNow}), so the work runs elsewhere, and an interrupt of the caller only stays set in its
 * interrupt status, which is restored when the call returns. The write-ahead log protects its own
 * files the same way ({@link io.iqdb.internal.wal.WriteAheadLog}) and runs its file operations
 * directly on an owned thread.
 *
 * <p>Cost: a hand-off to a pooled thread and back per call: 15-41 microseconds per empty call
 * measured on the shared 2-core test VM under a load average of 17 (an fsync costs far more; an ASYNC write on disk
 * pays it in full). A call made on an owned thread runs at once, and a collection in memory, which
 * has no file to lose, runs its calls on the caller's thread (see {@code CollectionImpl}). The pool is a cached pool of daemon platform threads (not virtual
 * threads: Lucene blocks while holding monitors, which on Java 21 pins a virtual thread's carrier),
 * unbounded because SYNC writers block while they wait for a shared fsync; idle threads end after
 * {@link #IDLE_SECONDS}. Each database has its own pool and {@link #shutdown shuts it down} once
 * its collections are closed, so that no thread outlives the database.
 */
final class Uninterruptible {

  /** How long a pooled thread waits for more work before it ends. */
  static final long IDLE_SECONDS = 30;

  private final AtomicLong threads = new AtomicLong();
  private final ThreadPoolExecutor pool;

  /** The caller whose call the current pooled thread runs (see {@link FaultHooks#caller}). */
  private static final ThreadLocal<Thread> CALLER = new ThreadLocal<>();

  /**
   * A pool; it starts no thread before the first call.
   *
   * @param name names the threads, {@code name-N}
   */
  Uninterruptible(String name) {
    pool = new ThreadPoolExecutor(
        0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
        task -> new OwnedThread(task, name + "-" + threads.incrementAndGet()));
  }

  /**
   * Ends the pool's threads, waiting for them, once the calls in progress returned (the caller has
   * closed every collection, so there are none). A later call runs on its caller's thread.
   */
  void shutdown() {
    pool.shutdown(); // interrupts idle threads only: they wait for work, in no file operation
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
        continue;
      }
      break; // a call still running after a minute: let it finish on its own
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs {@code body} on an owned thread and returns its result, or throws what it threw (a
   * {@link RuntimeException} or {@link Error}). Interrupting the caller meanwhile changes nothing
   * but its interrupt status.
   */
  <T> T call(Supplier<T> body) {
    if (OwnedThread.isCurrent()) {
      return body.get();
    }
    Handoff<T> task = new Handoff<>(body::get);
    try {
      pool.execute(() -> {
        CALLER.set(task.caller());
        try {
          task.run();
        } finally {
          CALLER.remove();
        }
      });
    } catch (RejectedExecutionException e) {
      return body.get(); // the database is closed: the body finds its collection closed
    }
    task.await(0);
    return result(task);
  }

  /** {@link #call} for a body without a result. */
  void run(Runnable body) {
    call(() -> {
      body.run();
      return null;
    });
  }

  /** The thread whose call the current thread runs: the caller of {@link #call}, or itself. */
  static Thread caller() {
    Thread caller = CALLER.get();
    return caller != null ? caller : Thread.currentThread();
  }

  /** Where the caller of a call whose body threw was waiting: captured on the caller's thread. */
  private static final class CallerStack extends Exception {
    CallerStack(Thread caller) {
      super("the call was made by thread '" + caller.getName() + "', here (the work ran on an iQDB thread)");
    }
  }

  /** The call's result, or what it threw, with where the caller waited. */
  private static <T> T result(Handoff<T> task) {
    Throwable t = task.error();
    if (t == null) {
      return task.value();
    }
    // The exception's stack trace ends in the pool; this shows where the caller was.
    t.addSuppressed(new CallerStack(task.caller()));
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t); // a Supplier throws no checked exception
  }
}
