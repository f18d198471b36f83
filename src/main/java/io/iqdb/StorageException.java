package io.iqdb;

/** Thrown on an I/O failure (including a full disk), and by every write to a collection that refused further writes after such a failure. Reopening the database recovers from the last commit plus the write-ahead log. */
public final class StorageException extends IqdbException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public StorageException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
