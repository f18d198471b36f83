package io.iqdb;

/** Thrown by any call on a closed database, or on a collection that was dropped or whose database was closed. */
public final class ClosedException extends IqdbException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public ClosedException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public ClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
