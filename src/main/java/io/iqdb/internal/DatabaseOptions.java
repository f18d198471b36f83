package io.iqdb.internal;

import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.internal.wal.WalFileSystem;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.apache.lucene.store.Directory;

/**
 * Options of an open database, from {@code Iqdb.Builder}, plus hooks for fault-injection tests.
 *
 * @param path the directory, or {@code null} in memory
 * @param durability the default durability of collections
 * @param createIfMissing whether to create a missing database
 * @param ramBufferMb the indexing buffer per collection in MiB
 * @param verifyOnOpen whether to verify every index file's checksum when a collection opens (else
 *     only the footers of its files, and what Lucene verifies itself)
 * @param commitPolicy the default commit policy of collections
 * @param searchExecutor runs the searches of a batch ({@code null}: a pool the database owns)
 * @param walFileSystem the file layer of write-ahead logs ({@code null}: the real file system)
 * @param directoryWrapper wraps each Lucene directory, the catalog's included ({@code null}: none)
 * @param verifyInBackground whether to verify every index file's checksum in a background thread
 *     after open (when {@code verifyOnOpen} is off)
 */
public record DatabaseOptions(
    Path path, Durability durability, boolean createIfMissing, double ramBufferMb, boolean verifyOnOpen,
    CommitPolicy commitPolicy, java.util.concurrent.Executor searchExecutor, WalFileSystem walFileSystem,
    UnaryOperator<Directory> directoryWrapper, boolean verifyInBackground) {

  /**
   * Options with the default commit policy and without test hooks.
   *
   * @param path the directory, or {@code null} in memory
   * @param durability the default durability
   * @param createIfMissing whether to create a missing database
   * @param ramBufferMb the indexing buffer
   * @param verifyOnOpen whether to verify checksums at open
   */
  public DatabaseOptions(
      Path path, Durability durability, boolean createIfMissing, double ramBufferMb, boolean verifyOnOpen) {
    this(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, CommitPolicy.defaults(), null, null, null, true);
  }

  /**
   * These options with test hooks.
   *
   * @param fs the WAL file layer
   * @param wrapper the directory wrapper
   * @return new options
   */
  public DatabaseOptions withHooks(WalFileSystem fs, UnaryOperator<Directory> wrapper) {
    return new DatabaseOptions(
        path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy, searchExecutor, fs, wrapper,
        verifyInBackground);
  }

  /**
   * These options with another default commit policy.
   *
   * @param policy the policy
   * @return new options
   */
  public DatabaseOptions withCommitPolicy(CommitPolicy policy) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, policy, searchExecutor,
        walFileSystem, directoryWrapper, verifyInBackground);
  }

  /**
   * These options with an executor for batch searches.
   *
   * @param executor the executor, or {@code null} for a pool the database owns
   * @return new options
   */
  public DatabaseOptions withSearchExecutor(java.util.concurrent.Executor executor) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy, executor,
        walFileSystem, directoryWrapper, verifyInBackground);
  }

  /**
   * These options with background verification on or off.
   *
   * @param verify whether to verify checksums in the background after open
   * @return new options
   */
  public DatabaseOptions withBackgroundVerification(boolean verify) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy,
        searchExecutor, walFileSystem, directoryWrapper, verify);
  }
}
