package io.iqdb;

import java.time.Duration;

/**
 * When a collection commits by itself, in the background, so that its write-ahead log, and with it
 * the time a reopen after a crash takes to replay the log, stays bounded without any call to
 * {@code flush()}. A commit is what {@code flush()} does: a Lucene commit, then the log trimmed.
 *
 * <p>A collection commits when it has writes since its last commit and either trigger fires: at
 * least {@code maxLogBytes} were logged since the last commit, or {@code maxAge} has passed since
 * it. Either trigger is off when it is 0; {@link #never()} turns both off. Commits run on a
 * background thread of the database and do not block writers, beyond a short pause to fix what
 * the commit contains (see the README's "Durability" section).
 *
 * @param maxLogBytes commit once this many log bytes were written since the last commit; 0 for no
 *     size trigger
 * @param maxAge commit once this long has passed since the last commit with writes pending;
 *     {@link Duration#ZERO} for no age trigger; at most one day
 */
public record CommitPolicy(long maxLogBytes, Duration maxAge) {
  /**
   * The default size trigger: 4 MiB of log, about 7,500 records of 128 dimensions. Replaying a
   * record at open costs about what writing it did (an HNSW insert), so this bounds the replay
   * after a crash to a few seconds on a laptop core.
   */
  public static final long DEFAULT_MAX_LOG_BYTES = 4L << 20;

  /** The default age trigger: 60 seconds. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(60);

  /** The longest age trigger accepted. */
  public static final Duration MAX_AGE = Duration.ofDays(1);

  /**
   * Validates.
   *
   * @param maxLogBytes the size trigger, 0 for none
   * @param maxAge the age trigger, zero for none
   */
  public CommitPolicy {
    if (maxLogBytes < 0) {
      throw new InvalidArgumentException("maxLogBytes must be >= 0 (0: no size trigger); maxLogBytes=" + maxLogBytes);
    }
    if (maxAge == null) {
      throw new InvalidArgumentException("maxAge must not be null (Duration.ZERO: no age trigger)");
    }
    if (maxAge.isNegative() || maxAge.compareTo(MAX_AGE) > 0) {
      throw new InvalidArgumentException("maxAge must be in [0, " + MAX_AGE + "]; maxAge=" + maxAge);
    }
  }

  /**
   * The default: commit after {@value #DEFAULT_MAX_LOG_BYTES} log bytes or 60 seconds.
   *
   * @return the default policy
   */
  public static CommitPolicy defaults() {
    return new CommitPolicy(DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_AGE);
  }

  /**
   * No automatic commits: the log grows until {@code flush()} or {@code close()}.
   *
   * @return the policy that never commits by itself
   */
  public static CommitPolicy never() {
    return new CommitPolicy(0, Duration.ZERO);
  }

  /**
   * Whether this policy ever commits by itself.
   *
   * @return false for {@link #never()}
   */
  public boolean enabled() {
    return maxLogBytes > 0 || !maxAge.isZero();
  }
}
