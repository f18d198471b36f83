package io.iqdb;

/** Thrown for a payload that is too large, holds an unsupported value type, or gives a field a type that conflicts with the type earlier records gave it. */
public final class PayloadException extends InvalidArgumentException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public PayloadException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public PayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
