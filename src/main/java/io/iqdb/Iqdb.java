package io.iqdb;

import io.iqdb.internal.Database;
import io.iqdb.internal.DatabaseOptions;
import io.iqdb.internal.FaultHooks;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An iQDB database: a directory (or an in-memory instance) holding named {@link VectorCollection
 * collections}. Open it, use it from any number of threads, close it.
 *
 * <pre>{@code
 * try (Iqdb db = Iqdb.open(Path.of("vectors.iqdb"))) {
 *   VectorCollection docs = db.createCollection("docs",
 *       CollectionConfig.builder(384, Metric.COSINE).index(IndexSpec.hnsw()).build());
 *   docs.upsert("a1", vector, Payload.of("lang", "en"));
 *   List<Hit> hits = docs.search(query, 10);
 * }
 * }</pre>
 *
 * <p>A directory is open in at most one {@code Iqdb} at a time, across processes: a second open
 * fails with {@link LockedException}.
 */
public final class Iqdb implements AutoCloseable {

  private final Database db;

  private Iqdb(Database db) {
    this.db = db;
  }

  /**
   * Opens the database in {@code directory}, creating it (and the directory) if missing, with
   * default options.
   *
   * @param directory the database directory
   * @return the open database
   * @throws LockedException if the database is already open
   * @throws NotADatabaseException if the directory is not empty and not an iQDB database
   */
  public static Iqdb open(Path directory) {
    return builder().path(directory).open();
  }

  /**
   * Opens a new, empty database held in memory and gone when closed. It behaves as an on-disk one
   * except that nothing survives {@link #close()}.
   *
   * @return the open database
   */
  public static Iqdb openInMemory() {
    return builder().inMemory().open();
  }

  /**
   * Starts configuring a database.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates a collection and commits it empty.
   *
   * <p>Names: 1..{@value io.iqdb.internal.Names#MAX_LENGTH} characters from {@code [A-Za-z0-9_-]},
   * starting with a letter or digit.
   *
   * @param name the collection name
   * @param config the configuration
   * @return the new collection
   * @throws InvalidNameException if the name is invalid
   * @throws CollectionExistsException if the name is taken
   */
  public VectorCollection createCollection(String name, CollectionConfig config) {
    return db.createCollection(name, config);
  }

  /**
   * An existing collection.
   *
   * @param name the name
   * @return the collection
   * @throws CollectionNotFoundException if there is none by that name
   */
  public VectorCollection collection(String name) {
    return db.collection(name);
  }

  /**
   * An existing collection, if there is one.
   *
   * @param name the name
   * @return the collection, or empty
   */
  public Optional<VectorCollection> findCollection(String name) {
    return db.findCollection(name);
  }

  /**
   * The names of all collections, sorted.
   *
   * @return the names
   */
  public List<String> listCollections() {
    return db.listCollections();
  }

  /**
   * Drops a collection and deletes its files. Handles to it become closed.
   *
   * @param name the name
   * @return whether it existed
   */
  public boolean dropCollection(String name) {
    return db.dropCollection(name);
  }

  /**
   * Commits every collection: Lucene segments are fsynced and the write-ahead logs trimmed. Writes
   * acknowledged before the call are durable afterwards in every durability mode.
   */
  public void flush() {
    db.flush();
  }

  /**
   * Checks the integrity of every collection: runs Lucene's CheckIndex on the last commit of each
   * index (every file's checksum and structure). Writes nothing. The write-ahead logs were checked
   * when the database was opened: recovery replays them and fails on corruption.
   *
   * @return a description of each problem, by collection name; empty when every collection is clean
   */
  public java.util.Map<String, String> check() {
    return db.check();
  }

  /**
   * The database directory.
   *
   * @return the directory, or empty for an in-memory database
   */
  public Optional<Path> path() {
    return db.path();
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true if closed
   */
  public boolean isClosed() {
    return db.isClosed();
  }

  /**
   * Flushes and closes every collection and releases the lock. Idempotent.
   */
  @Override
  public void close() {
    db.close();
  }

  /**
   * Builds an {@link Iqdb}. Call {@link #path(Path)} or {@link #inMemory()}, then {@link #open()}.
   */
  public static final class Builder {
    // Every option and its default live in DatabaseOptions; the builder only checks user input.
    private DatabaseOptions options = DatabaseOptions.DEFAULTS;
    private boolean located; // path(...) or inMemory() was called

    private Builder() {}

    /**
     * The database directory. Required unless {@link #inMemory()}.
     *
     * @param directory the directory
     * @return this builder
     */
    public Builder path(Path directory) {
      if (directory == null) {
        throw new InvalidArgumentException("directory must not be null");
      }
      options = options.withPath(directory);
      located = true;
      return this;
    }

    /**
     * Holds the database in memory; nothing survives close.
     *
     * @return this builder
     */
    public Builder inMemory() {
      options = options.withPath(null);
      located = true;
      return this;
    }

    /**
     * The default durability of collections (a collection may override it). Default: {@link
     * Durability#sync()}.
     *
     * @param durability the durability
     * @return this builder
     */
    public Builder durability(Durability durability) {
      if (durability == null) {
        throw new InvalidArgumentException("durability must not be null");
      }
      options = options.withDurability(durability);
      return this;
    }

    /**
     * Whether to create the database if the directory holds none. Default: {@code true}. When
     * {@code false}, opening a missing database fails with {@link NotADatabaseException}.
     *
     * @param create whether to create
     * @return this builder
     */
    public Builder createIfMissing(boolean create) {
      options = options.withCreateIfMissing(create);
      return this;
    }

    /**
     * The indexing buffer of each collection, in MiB, before Lucene writes a segment. Default: 64.
     *
     * @param mb the buffer size, in (0, 2048]
     * @return this builder
     */
    public Builder ramBufferMb(double mb) {
      if (!(mb > 0 && mb <= 2048)) {
        throw new InvalidArgumentException("ramBufferMb must be in (0, 2048]; ramBufferMb=" + mb);
      }
      options = options.withRamBufferMb(mb);
      return this;
    }

    /**
     * Whether opening a collection reads every index file in full to verify its checksum, so that
     * any damaged file is reported at open ({@link CorruptedException} naming it, or the collection
     * set aside). Costs one sequential read of the whole index before the first query: seconds for
     * gigabytes. Default: {@code false}: opening verifies in full only the small files Lucene parses
     * (the segments file, segment and field infos, each format's metadata, deleted documents) and
     * checks the checksum footer of every other file (its length and structure); the data files
     * are verified in full by {@link #verifyChecksumsInBackground(boolean) a background pass} after
     * open, by every merge that reads them, and by {@link Iqdb#check()}. See the README, "Opening
     * and corruption", for what a damaged data file may do before the background pass reaches it.
     *
     * @param verify whether to verify every file in full at open
     * @return this builder
     */
    public Builder verifyChecksumsOnOpen(boolean verify) {
      options = options.withVerifyOnOpen(verify);
      return this;
    }

    /**
     * Whether, after open, one background thread reads every index file of every collection in
     * full to verify its checksum (a no-op with {@link #verifyChecksumsOnOpen(boolean)
     * verifyChecksumsOnOpen(true)}, which already did, and in memory). On a mismatch the
     * collection is marked corrupted: every later call on it throws {@link CorruptedException}
     * naming the file, {@link Iqdb#check()} reports it, and a warning is logged through {@code
     * System.Logger} ({@code io.iqdb}). Default: {@code true}.
     *
     * @param verify whether to verify in the background
     * @return this builder
     */
    public Builder verifyChecksumsInBackground(boolean verify) {
      options = options.withVerifyInBackground(verify);
      return this;
    }

    /**
     * When collections commit by themselves, bounding the write-ahead log and the time a reopen
     * after a crash takes (a collection may override it). Default {@link CommitPolicy#defaults()}:
     * after 4 MiB of log or 60 seconds; {@link CommitPolicy#never()} turns it off.
     *
     * @param commitPolicy the policy
     * @return this builder
     */
    public Builder commitPolicy(CommitPolicy commitPolicy) {
      if (commitPolicy == null) {
        throw new InvalidArgumentException("commitPolicy must not be null");
      }
      options = options.withCommitPolicy(commitPolicy);
      return this;
    }

    /**
     * The executor that runs the searches of a {@code searchBatch} in parallel, and the parts of a
     * large exact scan (a flat index or an exact search over millions of vector components, split
     * into ranges of documents); the calling thread takes part too. Default: a pool the database
     * owns, one thread per core, stopped at close.
     * The database never shuts down an executor passed here.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder searchExecutor(java.util.concurrent.Executor executor) {
      if (executor == null) {
        throw new InvalidArgumentException("executor must not be null");
      }
      options = options.withSearchExecutor(executor);
      return this;
    }

    /**
     * For fault-injection testing only: where iQDB's own crash and fault tests and benchmarks reach
     * under the storage (the file layer of the write-ahead logs, a wrapper around each Lucene
     * directory), to inject I/O errors, fill the disk, slow fsyncs down or cut the power. Default:
     * none. Not part of the supported API: the parameter's type is in the non-exported package
     * {@code io.iqdb.internal} (modular code cannot name it) and may change in any release; an
     * application has no reason to call this.
     *
     * @param hooks the hooks
     * @return this builder
     */
    @SuppressWarnings("exports") // the type is internal on purpose: see above
    public Builder faultHooks(FaultHooks hooks) {
      if (hooks == null) {
        throw new InvalidArgumentException("hooks must not be null");
      }
      options = options.withHooks(hooks);
      return this;
    }

    /**
     * When collections refresh their Lucene searchers in the background. Reads do not depend on it
     * for visibility: writes since the last refresh are served from memory (the tail), so a write is
     * visible to every read that starts after it returns. A refresh bounds the tail's memory and the
     * exact work a search does on it. Default {@link RefreshPolicy#defaults()}: after one second or
     * 4,096 tail records.
     *
     * @param refreshPolicy the policy
     * @return this builder
     */
    public Builder refreshPolicy(RefreshPolicy refreshPolicy) {
      if (refreshPolicy == null) {
        throw new InvalidArgumentException("refreshPolicy must not be null");
      }
      options = options.withRefreshPolicy(refreshPolicy);
      return this;
    }

    /**
     * Opens the database.
     *
     * @return the open database
     * @throws InvalidArgumentException if neither a path nor in-memory was chosen
     * @throws LockedException if the database is already open
     * @throws NotADatabaseException if the directory is not an iQDB database
     */
    public Iqdb open() {
      if (!located) {
        throw new InvalidArgumentException("Iqdb.builder() needs path(directory) or inMemory()");
      }
      return new Iqdb(Database.open(options));
    }
  }
}
