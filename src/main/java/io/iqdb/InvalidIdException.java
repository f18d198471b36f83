package io.iqdb;

/** Thrown for a record id that is null, empty or too long (see {@link VectorCollection#MAX_ID_BYTES}). */
public final class InvalidIdException extends InvalidArgumentException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public InvalidIdException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public InvalidIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
