package io.iqdb.cli;

/**
 * A failure the command reports to the user in one sentence, with the exit code that classifies it.
 */
public class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The process exit code, one of the {@link ExitCode} constants. */
  private final int exitCode;

  /**
   * Creates the exception.
   *
   * @param exitCode one of the {@link ExitCode} constants
   * @param message one sentence saying what went wrong and with which value
   */
  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  /**
   * Creates the exception with a cause (printed only with {@code --verbose}).
   *
   * @param exitCode one of the {@link ExitCode} constants
   * @param message one sentence saying what went wrong and with which value
   * @param cause the underlying cause
   */
  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /**
   * Bad input data.
   *
   * @param message what was wrong
   * @return the exception
   */
  public static CliException badInput(String message) {
    return new CliException(ExitCode.BAD_INPUT, message);
  }

  /**
   * Something named on the command line does not exist.
   *
   * @param message what is missing
   * @return the exception
   */
  public static CliException notFound(String message) {
    return new CliException(ExitCode.NOT_FOUND, message);
  }

  /**
   * The exit code.
   *
   * @return one of the {@link ExitCode} constants
   */
  public int exitCode() {
    return exitCode;
  }
}
