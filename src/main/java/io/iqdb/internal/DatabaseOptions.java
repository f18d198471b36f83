package io.iqdb.internal;

import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.RefreshPolicy;
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
 * @param verifyOnOpen whether to verify every index file's checksum when a collection opens
 * @param commitPolicy the default commit policy of collections
 * @param searchExecutor runs the searches of a batch ({@code null}: a pool the database owns)
 * @param walFileSystem the file layer of write-ahead logs ({@code null}: the real file system)
 * @param directoryWrapper wraps each Lucene directory, the catalog's included ({@code null}: none)
 * @param refreshPolicy when collections refresh their searchers in the background
 */
public record DatabaseOptions(
    Path path, Durability durability, boolean createIfMissing, double ramBufferMb, boolean verifyOnOpen,
    CommitPolicy commitPolicy, java.util.concurrent.Executor searchExecutor, WalFileSystem walFileSystem,
    UnaryOperator<Directory> directoryWrapper, RefreshPolicy refreshPolicy) {

  /**
   * Options without a refresh policy: the default one.
   *
   * @param path the directory, or {@code null} in memory
   * @param durability the default durability
   * @param createIfMissing whether to create a missing database
   * @param ramBufferMb the indexing buffer
   * @param verifyOnOpen whether to verify checksums at open
   * @param commitPolicy the default commit policy
   * @param searchExecutor the batch search executor, or {@code null}
   * @param walFileSystem the WAL file layer, or {@code null}
   * @param directoryWrapper the directory wrapper, or {@code null}
   */
  public DatabaseOptions(
      Path path, Durability durability, boolean createIfMissing, double ramBufferMb, boolean verifyOnOpen,
      CommitPolicy commitPolicy, java.util.concurrent.Executor searchExecutor, WalFileSystem walFileSystem,
      UnaryOperator<Directory> directoryWrapper) {
    this(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy, searchExecutor, walFileSystem,
        directoryWrapper, RefreshPolicy.defaults());
  }

  /**
   * These options with another refresh policy.
   *
   * @param policy the policy
   * @return new options
   */
  public DatabaseOptions withRefreshPolicy(RefreshPolicy policy) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy,
        searchExecutor, walFileSystem, directoryWrapper, policy);
  }

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
    this(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, CommitPolicy.defaults(), null, null, null);
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
        refreshPolicy);
  }

  /**
   * These options with another default commit policy.
   *
   * @param policy the policy
   * @return new options
   */
  public DatabaseOptions withCommitPolicy(CommitPolicy policy) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, policy, searchExecutor,
        walFileSystem, directoryWrapper, refreshPolicy);
  }

  /**
   * These options with an executor for batch searches.
   *
   * @param executor the executor, or {@code null} for a pool the database owns
   * @return new options
   */
  public DatabaseOptions withSearchExecutor(java.util.concurrent.Executor executor) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy, executor,
        walFileSystem, directoryWrapper, refreshPolicy);
  }
}
