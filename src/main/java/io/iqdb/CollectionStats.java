package io.iqdb;

/**
 * Statistics of a collection, as of one moment.
 *
 * @param name the collection name
 * @param count live records
 * @param deleted deleted records not yet reclaimed by a merge
 * @param segments Lucene segments in the index
 * @param indexBytes bytes of the index files on disk (0 in memory)
 * @param walBytes bytes of write-ahead-log files on disk
 * @param quarantined write-ahead-log records that recovery could not apply and set aside in the
 *     collection's {@code quarantine} directory (see the README's "Recovery" section); 0 normally
 * @param lastCommit when the collection was last committed (by {@code flush()}, a background
 *     commit or its creation); the time it was opened if not since
 * @param commits commits since the database was opened, background ones included
 * @param memoryBytes bytes of the index files held in memory by an in-memory database ({@link
 *     Iqdb#openInMemory()}), off the Java heap on a JVM >= 22; 0 on disk. A file that a merge
 *     deleted leaves the count at once and its memory once no search still reads it
 * @param config the configuration
 */
public record CollectionStats(
    String name, long count, long deleted, int segments, long indexBytes, long walBytes,
    long quarantined, java.time.Instant lastCommit, long commits, long memoryBytes, CollectionConfig config) {

  /**
   * Validates.
   *
   * @param name the collection name
   * @param count live records
   * @param deleted deleted records
   * @param segments segments
   * @param indexBytes index bytes
   * @param walBytes log bytes
   * @param quarantined quarantined log records
   * @param lastCommit the last commit's time
   * @param commits commits since open
   * @param memoryBytes bytes held in memory
   * @param config the configuration
   */
  public CollectionStats {
    if (lastCommit == null) {
      throw new InvalidArgumentException("lastCommit must not be null");
    }
    if (name == null) {
      throw new InvalidNameException("name must not be null");
    }
    if (config == null) {
      throw new InvalidArgumentException("config must not be null");
    }
  }

  /**
   * Statistics without {@link #memoryBytes()} (0), as constructed before that component existed.
   *
   * @param name the collection name
   * @param count live records
   * @param deleted deleted records
   * @param segments segments
   * @param indexBytes index bytes
   * @param walBytes log bytes
   * @param quarantined quarantined log records
   * @param lastCommit the last commit's time
   * @param commits commits since open
   * @param config the configuration
   */
  public CollectionStats(
      String name, long count, long deleted, int segments, long indexBytes, long walBytes,
      long quarantined, java.time.Instant lastCommit, long commits, CollectionConfig config) {
    this(name, count, deleted, segments, indexBytes, walBytes, quarantined, lastCommit, commits, 0, config);
  }
}
