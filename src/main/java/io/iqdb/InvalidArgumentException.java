package io.iqdb;

/**
 * Thrown for bad input. Nothing was written. The subtypes name the kind of input; this class itself
 * is used for other bad arguments (such as {@code k} out of range or a bad configuration value).
 */
public sealed class InvalidArgumentException extends IqdbException
    permits DimensionMismatchException,
        InvalidVectorException,
        InvalidIdException,
        InvalidNameException,
        PayloadException,
        InvalidFilterException {

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the bad value
   */
  public InvalidArgumentException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong, naming the bad value
   * @param cause the underlying cause
   */
  public InvalidArgumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
