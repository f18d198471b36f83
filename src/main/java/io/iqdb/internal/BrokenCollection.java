package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.CollectionStats;
import io.iqdb.Hit;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.StorageException;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A collection that could not be opened. The database opens without it: every call on it throws
 * a {@link StorageException} that says why and how to recover; its files are left untouched, and
 * {@code Iqdb.check()} reports it.
 */
final class BrokenCollection implements VectorCollection {
  private final String name;
  private final CollectionConfig config;
  private final String reason;
  private final Throwable cause;

  BrokenCollection(String name, CollectionConfig config, String location, Throwable cause) {
    this.name = name;
    this.config = config;
    this.cause = cause;
    this.reason =
        "collection '" + name + "' could not be opened: " + cause.getMessage() + ". Its files are left untouched"
            + (location == null ? "" : " in " + location)
            + ": remove the cause (for example free disk space, or restore the files from a backup) and reopen"
            + " the database, or drop the collection to delete them; the other collections are served";
  }

  /** Why the collection could not be opened, and what to do. */
  String reason() {
    return reason;
  }

  private StorageException refused() {
    return new StorageException(reason, cause);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CollectionConfig config() {
    return config;
  }

  @Override
  public void upsert(String id, float[] vector, Payload payload, String text) {
    throw refused();
  }

  @Override
  public void upsertAll(Collection<VectorRecord> records) {
    throw refused();
  }

  @Override
  public Optional<VectorRecord> get(String id) {
    throw refused();
  }

  @Override
  public boolean delete(String id) {
    throw refused();
  }

  @Override
  public int deleteAll(Collection<String> ids) {
    throw refused();
  }

  @Override
  public long count() {
    throw refused();
  }

  @Override
  public Stream<VectorRecord> scan() {
    throw refused();
  }

  @Override
  public List<Hit> search(SearchRequest request) {
    throw refused();
  }

  @Override
  public List<List<Hit>> searchBatch(List<float[]> queries, int k) {
    throw refused();
  }

  @Override
  public List<List<Hit>> searchBatchRequests(List<SearchRequest> requests) {
    throw refused();
  }

  @Override
  public void flush() {
    throw refused();
  }

  @Override
  public void compact(int maxSegments) {
    throw refused();
  }

  @Override
  public CollectionStats stats() {
    throw refused();
  }
}
