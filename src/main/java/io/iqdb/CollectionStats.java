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
 * @param config the configuration
 */
public record CollectionStats(
    String name, long count, long deleted, int segments, long indexBytes, long walBytes,
    CollectionConfig config) {}
