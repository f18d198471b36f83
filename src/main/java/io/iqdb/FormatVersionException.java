package io.iqdb;

/** Thrown when a file was written by a format version that this release cannot read (too old or too new). */
public final class FormatVersionException extends IqdbException {

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the bad value
   */
  public FormatVersionException(String message) {
    super(message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong, naming the bad value
   * @param cause the underlying cause
   */
  public FormatVersionException(String message, Throwable cause) {
    super(message, cause);
  }
}
