package io.iqdb;

/** Thrown for a filter on a field no record has, or whose value type differs from the field's type. */
public final class InvalidFilterException extends InvalidArgumentException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public InvalidFilterException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public InvalidFilterException(String message, Throwable cause) {
    super(message, cause);
  }
}
