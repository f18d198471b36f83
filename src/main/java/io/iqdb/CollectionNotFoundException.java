package io.iqdb;

/** Thrown when a collection name does not exist in the database. */
public final class CollectionNotFoundException extends IqdbException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public CollectionNotFoundException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public CollectionNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
