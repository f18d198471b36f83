package io.iqdb.internal;

import io.iqdb.ClosedException;
import io.iqdb.CorruptedException;
import io.iqdb.FormatVersionException;
import io.iqdb.IqdbException;
import io.iqdb.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.store.AlreadyClosedException;

/** Translates Lucene's and Java's exceptions into the public {@link IqdbException} hierarchy. */
public final class Errors {
  private Errors() {}

  /**
   * Translates a throwable raised while doing {@code what}.
   *
   * @param t the throwable
   * @param what what was being done, e.g. "upsert into collection 'docs'"
   * @return the exception to throw
   */
  public static RuntimeException translate(Throwable t, String what) {
    if (t instanceof IqdbException e) {
      return e;
    }
    if (t instanceof UncheckedIOException u) {
      t = u.getCause();
    }
    if (isDiskFull(t)) {
      return new StorageException(what + " failed: disk full: " + rootMessage(t), t);
    }
    if (t instanceof CorruptIndexException c && isPlainIoError(c.getCause())) {
      // Lucene wraps a failed read while opening a segment as "may be missing or corrupt"; the
      // file itself may be fine, so this is an I/O error, not proof of corruption.
      return new StorageException(what + " failed: I/O error reading " + c.getResourceDescription() + ": " + c.getCause(), c);
    }
    return switch (t) {
      case CorruptIndexException c ->
          new CorruptedException(what + " failed: corrupted index: " + c.getMessage(), c.getResourceDescription(), c);
      case IndexFormatTooOldException o ->
          new FormatVersionException(what + " failed: index format too old: " + o.getMessage(), o);
      case IndexFormatTooNewException n ->
          new FormatVersionException(what + " failed: index format too new: " + n.getMessage(), n);
      case AlreadyClosedException a ->
          new StorageException(what + " failed: the index was closed after an earlier failure: " + rootMessage(a), a);
      case IllegalStateException ise when ise.getCause() != null ->
          new StorageException(what + " failed: " + ise.getMessage() + ": " + rootMessage(ise), ise);
      case IOException io -> new StorageException(what + " failed: I/O error: " + describe(io), io);
      case Error err -> throw err;
      default -> new StorageException(what + " failed: " + t, t);
    };
  }

  /**
   * The exception for a call on something closed.
   *
   * @param what what is closed
   * @return the exception
   */
  public static ClosedException closed(String what) {
    return new ClosedException(what + " is closed");
  }

  static boolean isDiskFull(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("disk full"))) {
        return true;
      }
    }
    return false;
  }

  /** Whether a read failed for a reason other than what the bytes say (EOF, checksum, missing file). */
  private static boolean isPlainIoError(Throwable cause) {
    return cause instanceof IOException
        && !(cause instanceof CorruptIndexException)
        && !(cause instanceof java.io.EOFException)
        && !(cause instanceof java.nio.file.NoSuchFileException)
        && !(cause instanceof java.io.FileNotFoundException)
        && !(cause instanceof IndexFormatTooNewException)
        && !(cause instanceof IndexFormatTooOldException);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (cause: " + root + ")";
  }

  private static String describe(IOException io) {
    if (io instanceof FileSystemException fs) {
      return fs.getClass().getSimpleName() + ": " + fs.getMessage();
    }
    return io.toString();
  }
}
