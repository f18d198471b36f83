package io.iqdb;

/** Thrown for a vector component that is NaN or infinite, a zero vector under {@link Metric#COSINE}, or a vector that is not unit length under {@link Metric#DOT}. */
public final class InvalidVectorException extends InvalidArgumentException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public InvalidVectorException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public InvalidVectorException(String message, Throwable cause) {
    super(message, cause);
  }
}
