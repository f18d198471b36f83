package io.iqdb.internal;

import io.iqdb.internal.wal.WalFileSystem;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.lucene.store.Directory;

/**
 * Where a fault-injection test or benchmark reaches under a database's storage, set with {@code
 * Iqdb.Builder.faultHooks}: the file layer of every write-ahead log (to count fsyncs, fail them,
 * slow them down, or cut the power) and a wrapper around every Lucene directory, the catalog's
 * included (Lucene's {@code MockDirectoryWrapper}, say).
 *
 * <p>Not API: this package is not exported, so modular code cannot name this type, and it may
 * change in any release. It exists for iQDB's own recovery tests, core tests and benchmarks, which
 * run on the class path. An application has no reason to set it.
 *
 * @param walFileSystem the file layer of every write-ahead log
 * @param directoryWrapper applied to each Lucene directory when it is opened
 */
public record FaultHooks(WalFileSystem walFileSystem, UnaryOperator<Directory> directoryWrapper) {

  /** No hook: the operating system's files, Lucene's directories as they are. */
  public static final FaultHooks NONE = new FaultHooks(WalFileSystem.defaultFileSystem(), UnaryOperator.identity());

  /**
   * Checks the hooks.
   *
   * @param walFileSystem the file layer of every write-ahead log
   * @param directoryWrapper applied to each Lucene directory when it is opened
   */
  public FaultHooks {
    Objects.requireNonNull(walFileSystem, "walFileSystem");
    Objects.requireNonNull(directoryWrapper, "directoryWrapper");
  }

  /**
   * These hooks with another write-ahead-log file layer.
   *
   * @param fs the file layer
   * @return new hooks
   */
  public FaultHooks withWalFileSystem(WalFileSystem fs) {
    return new FaultHooks(fs, directoryWrapper);
  }

  /**
   * These hooks with another directory wrapper.
   *
   * @param wrapper the wrapper
   * @return new hooks
   */
  public FaultHooks withDirectoryWrapper(UnaryOperator<Directory> wrapper) {
    return new FaultHooks(walFileSystem, wrapper);
  }

  /**
   * The application thread on whose behalf the current thread works: iQDB runs the calls that write
   * files on threads of its own while the caller waits, so a hook that tells threads apart (to block
   * or fail the I/O of one of them) asks this instead of {@link Thread#currentThread()}.
   *
   * @return the calling application thread, or the current thread when it is not running a call for one
   */
  public static Thread caller() {
    return Uninterruptible.caller();
  }
}
