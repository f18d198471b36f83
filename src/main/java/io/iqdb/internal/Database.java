package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.VectorCollection;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The implementation behind {@code Iqdb}. */
public final class Database {
  private Database() {}

  /**
   * Opens a database.
   *
   * @param options the options
   * @return the database
   */
  public static Database open(DatabaseOptions options) {
    throw new UnsupportedOperationException("work in progress");
  }

  /**
   * Creates a collection.
   *
   * @param name the name
   * @param config the config
   * @return the collection
   */
  public VectorCollection createCollection(String name, CollectionConfig config) {
    throw new UnsupportedOperationException();
  }

  /**
   * A collection.
   *
   * @param name the name
   * @return the collection
   */
  public VectorCollection collection(String name) {
    throw new UnsupportedOperationException();
  }

  /**
   * A collection if present.
   *
   * @param name the name
   * @return the collection
   */
  public Optional<VectorCollection> findCollection(String name) {
    throw new UnsupportedOperationException();
  }

  /**
   * Collection names.
   *
   * @return the names
   */
  public List<String> listCollections() {
    throw new UnsupportedOperationException();
  }

  /**
   * Drops a collection.
   *
   * @param name the name
   * @return whether it existed
   */
  public boolean dropCollection(String name) {
    throw new UnsupportedOperationException();
  }

  /** Flushes. */
  public void flush() {}

  /**
   * The path.
   *
   * @return the path
   */
  public Optional<Path> path() {
    return Optional.empty();
  }

  /**
   * Whether closed.
   *
   * @return true if closed
   */
  public boolean isClosed() {
    return false;
  }

  /** Closes. */
  public void close() {}
}
