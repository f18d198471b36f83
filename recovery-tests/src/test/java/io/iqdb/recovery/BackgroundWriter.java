package io.iqdb.recovery;

import io.iqdb.Iqdb;
import io.iqdb.IqdbException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link Workload} against a database on its own thread until stopped or until an operation
 * throws, keeping the acknowledged operations and the one in flight.
 */
final class BackgroundWriter implements AutoCloseable {
  private final Iqdb db;
  private final Workload workload;
  private final Thread thread;
  private final List<Workload.Op> acked = new ArrayList<>();
  private volatile boolean stop;
  private volatile Workload.Op inFlight;
  private volatile IqdbException failure;
  private volatile Throwable unexpected;
  private volatile boolean crashed;
  private volatile Throwable afterCrash;

  BackgroundWriter(Iqdb db, Workload workload) {
    this.db = db;
    this.workload = workload;
    this.thread = new Thread(this::run, "background-writer");
    thread.start();
  }

  private void run() {
    while (!stop) {
      Workload.Op op = workload.next();
      inFlight = op;
      try {
        Workload.apply(db, op);
      } catch (IqdbException e) {
        failure = e;
        return;
      } catch (Throwable t) {
        // Once the test pulled the files from under the live database (MockDirectoryWrapper.crash()
        // closes every open input), the abandoned "process" may see anything: only its files count.
        if (crashed) {
          afterCrash = t;
        } else {
          unexpected = t;
        }
        return;
      }
      synchronized (acked) {
        acked.add(op);
      }
      inFlight = null;
    }
  }

  /** Tells the writer that the power was cut: from now on any exception is expected. */
  void markCrashed() {
    crashed = true;
  }

  /** A non-IqdbException the writer saw after {@link #markCrashed()}, or null. */
  Throwable afterCrash() {
    return afterCrash;
  }

  /** Waits until {@code n} operations were acknowledged or the writer stopped. */
  void awaitAcks(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (acks() < n && thread.isAlive()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("writer made no progress: " + acks() + " acknowledged");
      }
      Thread.sleep(1);
    }
  }

  int acks() {
    synchronized (acked) {
      return acked.size();
    }
  }

  /** Stops the writer and waits for it; fails if an operation threw something not an IqdbException. */
  @Override
  public void close() {
    stop = true;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(120));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while stopping the writer", e);
    }
    if (thread.isAlive()) {
      throw new AssertionError("writer did not stop");
    }
    if (unexpected != null) {
      throw new AssertionError("an operation threw " + unexpected + ", not an IqdbException", unexpected);
    }
  }

  /** The acknowledged operations, in order (after {@link #close}). */
  List<Workload.Op> acked() {
    synchronized (acked) {
      return List.copyOf(acked);
    }
  }

  /** The operation that was running when the writer stopped, or null. */
  Workload.Op inFlight() {
    return inFlight;
  }

  /** The exception that stopped the writer, or null. */
  IqdbException failure() {
    return failure;
  }
}
