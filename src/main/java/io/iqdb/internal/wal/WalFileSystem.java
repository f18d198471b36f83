package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Every file operation of the write-ahead log goes through this interface, so that tests can count
 * fsyncs, inject I/O errors and simulate power loss (a crash that keeps only what was fsynced).
 *
 * <p>Writes, reads, {@code force} (fsync) and {@code truncate} go through the {@link FileChannel}
 * that {@link #open} returns; the WAL uses only positional reads and writes, {@code size}, {@code
 * truncate}, {@code force} and {@code close} on it. Names become durable only after {@link
 * #syncDirectory}, as with POSIX: a created, renamed or deleted file may reappear in its old state
 * after a crash until its directory has been fsynced.
 */
public interface WalFileSystem {

  /**
   * Opens a file channel.
   *
   * @param file the file
   * @param options the open options, as for {@link FileChannel#open(Path, Set,
   *     java.nio.file.attribute.FileAttribute[])}
   * @return the channel
   * @throws IOException if the file cannot be opened
   */
  FileChannel open(Path file, Set<? extends OpenOption> options) throws IOException;

  /**
   * Deletes a file if it exists.
   *
   * @param file the file
   * @throws IOException if it exists and cannot be deleted
   */
  void deleteIfExists(Path file) throws IOException;

  /**
   * Atomically renames {@code source} to {@code target}, replacing {@code target} if it exists.
   *
   * @param source the existing file
   * @param target the new name
   * @throws IOException if the rename fails
   */
  void atomicRename(Path source, Path target) throws IOException;

  /**
   * Lists the regular files directly inside a directory.
   *
   * @param dir the directory
   * @return the files, in no particular order
   * @throws IOException if the directory cannot be read
   */
  List<Path> list(Path dir) throws IOException;

  /**
   * Creates a directory and its missing parents.
   *
   * @param dir the directory
   * @throws IOException if it cannot be created
   */
  void createDirectories(Path dir) throws IOException;

  /**
   * Fsyncs a directory, making file creations, renames and deletions inside it durable.
   *
   * @param dir the directory
   * @throws IOException if the fsync fails
   */
  void syncDirectory(Path dir) throws IOException;

  /**
   * The file system of the operating system, through {@link FileChannel}.
   *
   * @return the default file system
   */
  static WalFileSystem defaultFileSystem() {
    return NioWalFileSystem.INSTANCE;
  }
}
