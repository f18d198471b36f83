package io.iqdb;

/** Thrown when a database directory is already open, in this JVM or in another process. */
public final class LockedException extends IqdbException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public LockedException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public LockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
