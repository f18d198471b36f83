package io.iqdb.internal.wal;

import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * One call handed from its caller's thread to an {@link OwnedThread}: the owned thread {@link #run
 * runs} it and records its outcome, the caller {@link #await awaits} it without reacting to
 * interrupts. Both {@link WalIoThread} and the collections' write pool ({@code
 * io.iqdb.internal.Uninterruptible}) hand their calls over this way; each maps the outcome to the
 * exceptions its callers expect.
 *
 * @param <T> the call's result
 */
public final class Handoff<T> {
  private final Callable<T> body;
  private final Thread caller = Thread.currentThread();
  private volatile boolean done;
  private T value; // published by done
  private Throwable error; // published by done

  /**
   * A call of {@code body} for the current thread to await.
   *
   * @param body the call
   */
  public Handoff(Callable<T> body) {
    this.body = body;
  }

  /**
   * The thread that made the call and awaits it.
   *
   * @return the caller
   */
  public Thread caller() {
    return caller;
  }

  /** Runs the call on the current thread, records what it returned or threw, and wakes the caller. */
  public void run() {
    try {
      value = body.call();
    } catch (Throwable t) {
      error = t;
    }
    done = true;
    LockSupport.unpark(caller);
  }

  /**
   * Waits until the call is done, whatever interrupts the caller gets meanwhile; the caller's
   * interrupt status is kept and restored afterwards.
   *
   * @param spins how often to check before parking (worth it where most calls are short)
   */
  public void await(int spins) {
    for (int i = 0; i < spins && !done; i++) {
      Thread.onSpinWait();
    }
    boolean interrupted = false;
    while (!done) {
      LockSupport.park(this);
      // park returns at once while the interrupt status is set: clear it, restore it below
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * What the call returned; valid after {@link #await} when {@link #error} is {@code null}.
   *
   * @return the result
   */
  public T value() {
    return value;
  }

  /**
   * What the call threw, or {@code null}; valid after {@link #await}.
   *
   * @return the exception or error
   */
  public Throwable error() {
    return error;
  }
}
