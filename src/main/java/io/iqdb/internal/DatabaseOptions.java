package io.iqdb.internal;

import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.RefreshPolicy;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * Options of an open database. {@code Iqdb.Builder} holds one of these, starting from {@link
 * #DEFAULTS}, and each of its setters checks its argument and derives new options: the defaults
 * live here, the checks of user input in the builder, and nothing is copied between the two.
 *
 * @param path the directory, or {@code null} in memory
 * @param durability the default durability of collections
 * @param createIfMissing whether to create a missing database
 * @param ramBufferMb the indexing buffer per collection in MiB
 * @param verifyOnOpen whether to verify every index file's checksum when a collection opens
 * @param commitPolicy the default commit policy of collections
 * @param searchExecutor runs the searches of a batch ({@code null}: a pool the database owns)
 * @param hooks where fault-injection tests reach under the storage ({@link FaultHooks#NONE}: nowhere)
 * @param verifyInBackground whether one background thread verifies every index file's checksum in
 *     full after open (when {@code verifyOnOpen} is off)
 * @param refreshPolicy when collections refresh their searchers in the background
 */
public record DatabaseOptions(
    Path path, Durability durability, boolean createIfMissing, double ramBufferMb, boolean verifyOnOpen,
    CommitPolicy commitPolicy, Executor searchExecutor, FaultHooks hooks, boolean verifyInBackground,
    RefreshPolicy refreshPolicy) {

  /** The default of every option; the path is unset ({@code null}: in memory). */
  public static final DatabaseOptions DEFAULTS =
      new DatabaseOptions(null, Durability.sync(), true, 64, false, CommitPolicy.defaults(), null, FaultHooks.NONE,
          true, RefreshPolicy.defaults());

  /**
   * These options with another directory.
   *
   * @param dir the directory, or {@code null} in memory
   * @return new options
   */
  public DatabaseOptions withPath(Path dir) {
    return new DatabaseOptions(dir, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy,
        searchExecutor, hooks, verifyInBackground, refreshPolicy);
  }

  /**
   * These options with another default durability.
   *
   * @param d the durability
   * @return new options
   */
  public DatabaseOptions withDurability(Durability d) {
    return new DatabaseOptions(path, d, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy, searchExecutor,
        hooks, verifyInBackground, refreshPolicy);
  }

  /**
   * These options creating a missing database or not.
   *
   * @param create whether to create
   * @return new options
   */
  public DatabaseOptions withCreateIfMissing(boolean create) {
    return new DatabaseOptions(path, durability, create, ramBufferMb, verifyOnOpen, commitPolicy, searchExecutor,
        hooks, verifyInBackground, refreshPolicy);
  }

  /**
   * These options with another indexing buffer.
   *
   * @param mb the buffer in MiB
   * @return new options
   */
  public DatabaseOptions withRamBufferMb(double mb) {
    return new DatabaseOptions(path, durability, createIfMissing, mb, verifyOnOpen, commitPolicy, searchExecutor,
        hooks, verifyInBackground, refreshPolicy);
  }

  /**
   * These options verifying checksums at open or not.
   *
   * @param verify whether to verify
   * @return new options
   */
  public DatabaseOptions withVerifyOnOpen(boolean verify) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verify, commitPolicy, searchExecutor,
        hooks, verifyInBackground, refreshPolicy);
  }

  /**
   * These options with another default commit policy.
   *
   * @param policy the policy
   * @return new options
   */
  public DatabaseOptions withCommitPolicy(CommitPolicy policy) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, policy, searchExecutor,
        hooks, verifyInBackground, refreshPolicy);
  }

  /**
   * These options with an executor for batch searches.
   *
   * @param executor the executor, or {@code null} for a pool the database owns
   * @return new options
   */
  public DatabaseOptions withSearchExecutor(Executor executor) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy, executor,
        hooks, verifyInBackground, refreshPolicy);
  }

  /**
   * These options with fault-injection hooks.
   *
   * @param h the hooks
   * @return new options
   */
  public DatabaseOptions withHooks(FaultHooks h) {
    return new DatabaseOptions(
        path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy, searchExecutor, h, verifyInBackground, refreshPolicy);
  }

  /**
   * These options verifying checksums in the background after open or not.
   *
   * @param verify whether to verify
   * @return new options
   */
  public DatabaseOptions withVerifyInBackground(boolean verify) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy,
        searchExecutor, hooks, verify, refreshPolicy);
  }

  /**
   * These options with another refresh policy.
   *
   * @param policy the policy
   * @return new options
   */
  public DatabaseOptions withRefreshPolicy(RefreshPolicy policy) {
    return new DatabaseOptions(path, durability, createIfMissing, ramBufferMb, verifyOnOpen, commitPolicy,
        searchExecutor, hooks, verifyInBackground, policy);
  }
}
