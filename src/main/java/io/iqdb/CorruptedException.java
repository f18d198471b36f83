package io.iqdb;

import java.nio.file.Path;

/** Thrown when a file fails its checksum or structural checks. The message and {@link #file()} name it. */
public final class CorruptedException extends IqdbException {
  /** The corrupted file as given to the constructor, or {@code null}. */
  private final String file;

  /**
   * Creates the exception.
   *
   * @param message what was wrong; should name the file
   * @param file the corrupted file (a path or a Lucene resource description), or {@code null} if unknown
   * @param cause the underlying cause, or {@code null}
   */
  public CorruptedException(String message, String file, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /**
   * Creates the exception for a file on disk.
   *
   * @param message what was wrong
   * @param file the corrupted file
   */
  public CorruptedException(String message, Path file) {
    this(message + " (file: " + file + ")", file.toString(), null);
  }

  /**
   * Returns the corrupted file.
   *
   * @return the corrupted file as a path or Lucene resource description, or {@code null} if unknown
   */
  public String file() {
    return file;
  }
}
