package io.iqdb;

/** Thrown when opening a directory that exists, is not empty, and holds no iQDB catalog. Nothing in it is touched. */
public final class NotADatabaseException extends IqdbException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public NotADatabaseException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public NotADatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
