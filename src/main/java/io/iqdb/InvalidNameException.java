package io.iqdb;

/** Thrown for a collection name outside the documented character set or length (see {@link Iqdb#createCollection}). */
public final class InvalidNameException extends InvalidArgumentException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public InvalidNameException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public InvalidNameException(String message, Throwable cause) {
    super(message, cause);
  }
}
