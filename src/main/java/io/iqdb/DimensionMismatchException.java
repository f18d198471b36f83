package io.iqdb;

/** Thrown when a vector's length differs from its collection's dimension. */
public final class DimensionMismatchException extends InvalidArgumentException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public DimensionMismatchException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public DimensionMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
