package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The write-ahead log holds data that cannot be the result of a crash: a damaged record inside the
 * region known to have been fsynced, a damaged file header or checkpoint, or missing records. The
 * message names the file and the byte offset.
 */
public final class CorruptWalException extends IOException {

  private final transient Path file;
  private final long offset;

  /**
   * Creates the exception.
   *
   * @param reason what is wrong
   * @param file the damaged file
   * @param offset the byte offset in {@code file} where the damage starts, or -1 if not applicable
   */
  public CorruptWalException(String reason, Path file, long offset) {
    super(reason + " (file=" + file + (offset >= 0 ? ", offset=" + offset : "") + ")");
    this.file = file;
    this.offset = offset;
  }

  /**
   * The damaged file.
   *
   * @return the file
   */
  public Path file() {
    return file;
  }

  /**
   * The byte offset where the damage starts.
   *
   * @return the offset, or -1 if not applicable
   */
  public long offset() {
    return offset;
  }
}
