package io.iqdb;

import java.time.Duration;

/**
 * When an acknowledged write becomes durable (survives a crash or power loss).
 *
 * <ul>
 *   <li>{@link #sync()} (the default): the write is in the write-ahead log and fsynced before the
 *       call returns. Concurrent writers share one fsync (group commit).
 *   <li>{@link #async(Duration)}: the write is in the operating system's buffers when the call
 *       returns and is fsynced within the interval; a power loss can lose the last interval of
 *       writes, a process crash loses nothing.
 *   <li>{@link #none()}: no write-ahead log; writes are durable only after {@link Iqdb#flush()} or
 *       {@link Iqdb#close()}. A crash loses everything since the last flush.
 * </ul>
 *
 * @param mode the mode
 * @param interval for {@link Mode#ASYNC}, the longest time between a write and its fsync; {@link
 *     Duration#ZERO} for the other modes
 */
public record Durability(Mode mode, Duration interval) {

  /** The longest ASYNC interval: one day. Any positive interval up to it is kept exactly. */
  public static final Duration MAX_ASYNC_INTERVAL = Duration.ofDays(1);

  /** The three durability modes. */
  public enum Mode {
    /** fsync before acknowledging. */
    SYNC,
    /** fsync in the background within an interval. */
    ASYNC,
    /** durable only at flush. */
    NONE
  }

  /**
   * Validates the arguments.
   *
   * @param mode the mode
   * @param interval the interval
   */
  public Durability {
    if (mode == null) {
      throw new InvalidArgumentException("mode must not be null");
    }
    if (interval == null) {
      throw new InvalidArgumentException("interval must not be null");
    }
    if (mode == Mode.ASYNC
        && (interval.isNegative() || interval.isZero() || interval.compareTo(MAX_ASYNC_INTERVAL) > 0)) {
      throw new InvalidArgumentException(
          "ASYNC durability needs an interval in (0, " + MAX_ASYNC_INTERVAL + "]; interval=" + interval);
    }
    if (mode != Mode.ASYNC && !interval.isZero()) {
      throw new InvalidArgumentException(mode + " durability takes no interval; interval=" + interval);
    }
  }

  /**
   * fsync before acknowledging each write (the default).
   *
   * @return the SYNC durability
   */
  public static Durability sync() {
    return new Durability(Mode.SYNC, Duration.ZERO);
  }

  /**
   * fsync in the background at most {@code interval} after a write.
   *
   * @param interval the longest time between a write and its fsync; positive, at most {@link
   *     #MAX_ASYNC_INTERVAL}
   * @return the ASYNC durability
   */
  public static Durability async(Duration interval) {
    return new Durability(Mode.ASYNC, interval);
  }

  /**
   * No write-ahead log: durable only at {@link Iqdb#flush()}.
   *
   * @return the NONE durability
   */
  public static Durability none() {
    return new Durability(Mode.NONE, Duration.ZERO);
  }
}
