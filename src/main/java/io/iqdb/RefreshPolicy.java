package io.iqdb;

import java.time.Duration;

/**
 * When a collection refreshes its Lucene searcher in the background. Reads never wait for a
 * refresh: the records written since the last one are kept in memory (the collection's <em>tail</em>),
 * searched exactly and merged with the searcher's hits, so a write is visible to every read that
 * starts after it returns, refreshed or not. A refresh moves the tail into the searcher (a new
 * Lucene segment), which bounds the tail's memory and the exact work each search does on it.
 *
 * <p>A collection refreshes when it has writes since its last refresh and either trigger fires:
 * {@code maxAge} has passed since the last refresh, or the tail holds {@code maxTailRecords}
 * records. Refreshes run on the database's background thread; a writer refreshes itself only when
 * the tail reaches four times {@code maxTailRecords} (the background thread being busy with another
 * collection's long commit, say), which bounds the tail's memory, and not while a refresh or
 * commit of the collection runs (it would wait for its flush): the tail then grows until it ends. A text or hybrid search, a search with a Lucene
 * {@code Query} filter, {@code count}, {@code scan} and {@code stats} refresh first when writes are
 * pending, as every read did before the tail existed (see the README's "Visibility" section).
 *
 * @param maxAge refresh once this long has passed since the last refresh with writes pending; in
 *     [1 ms, 1 hour]
 * @param maxTailRecords refresh once the tail holds this many records; in [1, 1,000,000]
 */
public record RefreshPolicy(Duration maxAge, int maxTailRecords) {
  /** The default age trigger: one second. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);

  /**
   * The default tail size trigger: 4,096 records. An exact scan of 4,096 vectors of 384 dimensions
   * costs about 0.2 ms per search on a laptop core; the tail of 4,096 such records holds about 6 MiB.
   */
  public static final int DEFAULT_MAX_TAIL_RECORDS = 4096;

  /** The longest age trigger accepted. */
  public static final Duration MAX_AGE = Duration.ofHours(1);

  /** The largest tail size trigger accepted. */
  public static final int MAX_TAIL_RECORDS = 1_000_000;

  /**
   * Validates.
   *
   * @param maxAge the age trigger
   * @param maxTailRecords the tail size trigger
   */
  public RefreshPolicy {
    if (maxAge == null) {
      throw new InvalidArgumentException("maxAge must not be null");
    }
    if (maxAge.compareTo(Duration.ofMillis(1)) < 0 || maxAge.compareTo(MAX_AGE) > 0) {
      throw new InvalidArgumentException("maxAge must be in [PT0.001S, " + MAX_AGE + "]; maxAge=" + maxAge);
    }
    if (maxTailRecords < 1 || maxTailRecords > MAX_TAIL_RECORDS) {
      throw new InvalidArgumentException(
          "maxTailRecords must be in [1, " + MAX_TAIL_RECORDS + "]; maxTailRecords=" + maxTailRecords);
    }
  }

  /**
   * The default: refresh after one second or {@value #DEFAULT_MAX_TAIL_RECORDS} tail records.
   *
   * @return the default policy
   */
  public static RefreshPolicy defaults() {
    return new RefreshPolicy(DEFAULT_MAX_AGE, DEFAULT_MAX_TAIL_RECORDS);
  }
}
