package io.iqdb;

/** Thrown when creating a collection whose name is already taken. */
public final class CollectionExistsException extends IqdbException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public CollectionExistsException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public CollectionExistsException(String message, Throwable cause) {
    super(message, cause);
  }
}
