package io.iqdb.internal.wal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The thread that runs every file operation of one open {@link WriteAheadLog}, so that no caller's
 * thread ever blocks in one of the log's {@link java.nio.channels.FileChannel}s.
 *
 * <p>Why: a {@code FileChannel} is an interruptible channel. A thread interrupted while it writes,
 * fsyncs or truncates through one (or that enters such a call with its interrupt status set)
 * closes the channel for every thread and gets {@link
 * java.nio.channels.ClosedByInterruptException}; for the log that is a failed write, which fails
 * the log and the collection until it is reopened. Callers are application threads (a {@code
 * Future.cancel(true)} or an executor's {@code shutdownNow} interrupts them), so the log hands
 * each file operation to this thread, which only the log itself controls and which is never
 * interrupted, and waits for it without reacting to interrupts (the caller's interrupt status is
 * kept and restored afterwards). Retrying on a reopened channel instead would not do: an fsync
 * error that coincides with the interrupt is reported as the interrupt, and a later fsync of the
 * same file may then succeed although the data was lost.
 *
 * <p>Deadlock rule: a call must not take a lock, since its caller may hold one while it waits (an
 * append holds the append lock while its record is written) and the thread runs calls one at a
 * time. So calls are single file operations (see {@link IoThreadFileSystem}), or a sequence of them
 * that takes no lock (the sync leader's write and fsync, see {@link GroupCommit}).
 *
 * <p>Cost: a hand-off (a queue and a wake-up) per call: in SYNC mode about two per fsync (the
 * leader's write and fsync, then the sync marker), in ASYNC mode one per append. A call made on
 * this thread, or on any other {@link OwnedThread} (the collection's writes run on such threads,
 * see {@code io.iqdb.internal.Uninterruptible}), runs at once: then nothing is handed off.
 *
 * <p>{@link #stop} ends the thread after the calls already queued; later calls run on the caller's
 * thread (the log is closed by then, so only closing a channel can still happen).
 */
final class WalIoThread {

  /** A file operation. */
  interface IoCall<T> {
    T call() throws IOException;
  }

  /** A file operation without a result. */
  interface IoRun {
    void run() throws IOException;
  }

  /** How often a caller checks whether its call is done before it parks: most calls are short. */
  private static final int SPINS = 64;

  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final ArrayDeque<Handoff<?>> queue = new ArrayDeque<>();
  private boolean stopping; // guarded by lock

  WalIoThread(String name) {
    thread = new OwnedThread(this::loop, name);
    thread.start();
  }

  /**
   * Runs {@code call} on this thread and returns its result, or throws what it threw. Interrupting
   * the caller meanwhile changes nothing but the caller's interrupt status, which stays set.
   */
  <T> T call(IoCall<T> call) throws IOException {
    if (OwnedThread.isCurrent()) {
      return call.call(); // this thread, or another that nothing interrupts (see Uninterruptible)
    }
    Handoff<T> task = new Handoff<>(call::call);
    lock.lock();
    try {
      if (stopping) {
        return call.call(); // the log is closed: nothing can fail it any more
      }
      queue.add(task);
      queued.signal();
    } finally {
      lock.unlock();
    }
    task.await(SPINS);
    return result(task);
  }

  /** {@link #call} for an operation without a result. */
  void run(IoRun run) throws IOException {
    call(() -> {
      run.run();
      return null;
    });
  }

  /** Ends the thread once it has run the calls already queued, and waits for it. */
  void stop() {
    lock.lock();
    try {
      stopping = true;
      queued.signal();
    } finally {
      lock.unlock();
    }
    if (Thread.currentThread() != thread) {
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void loop() {
    while (true) {
      Handoff<?> task;
      lock.lock();
      try {
        while (queue.isEmpty() && !stopping) {
          queued.awaitUninterruptibly();
        }
        task = queue.poll();
        if (task == null) {
          return; // stopping, and every queued call has run
        }
      } finally {
        lock.unlock();
      }
      task.run();
    }
  }

  /** The call's result, or what it threw (an {@link IOException} as such). */
  private static <T> T result(Handoff<T> task) throws IOException {
    Throwable t = task.error();
    if (t == null) {
      return task.value();
    }
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IOException(t);
  }
}
