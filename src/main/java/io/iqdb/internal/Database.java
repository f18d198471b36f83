package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.CollectionExistsException;
import io.iqdb.CollectionNotFoundException;
import io.iqdb.CommitPolicy;
import io.iqdb.IqdbException;
import io.iqdb.LockedException;
import io.iqdb.NotADatabaseException;
import io.iqdb.VectorCollection;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.IOUtils;

/**
 * The implementation behind {@code Iqdb}: the database lock, the catalog and the open collections.
 *
 * <p>Directory layout: {@code iqdb.lock} (the process lock, held while open), {@link
 * Catalog} (its files), and {@code collections/<name>/} per collection (see {@link CollectionStore}).
 */
public final class Database {
  /** The lock file at the database root. */
  public static final String LOCK_FILE = "iqdb.lock";

  private static final System.Logger LOG = System.getLogger("io.iqdb");

  private final DatabaseOptions options;
  private final Path dir;
  private final Directory lockDir;
  private final Lock lock;
  /** The database root as a Lucene directory, for the catalog; wrapped like the indexes in tests. */
  private final Directory catalogDir;
  private final Map<String, CollectionConfig> catalog = new TreeMap<>();
  private final Map<String, VectorCollection> collections = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** How often the background thread looks at each collection's policies (more often for a shorter refresh age). */
  static final long COMMITTER_TICK_MILLIS = 100;

  /** Runs the searches of batches: the user's executor, or {@link #ownSearchPool}. */
  private final java.util.concurrent.Executor searchExecutor;

  /** The pool the database owns when the user passed no search executor, else {@code null}. */
  private final java.util.concurrent.ForkJoinPool ownSearchPool;

  /** Opens (or creates) the collections, replaying their logs. */
  private final CollectionOpener opener;

  /** Where collections write files, out of reach of interrupts; shut down after they closed. */
  private final Uninterruptible writers;

  /** The background checksum verification after open, or {@code null}; see {@link #startVerifier()}. */
  private volatile IntegrityVerifier verifier;

  /** Runs background commits (see {@link CommitPolicy}, on disk only) and refreshes (see {@link io.iqdb.RefreshPolicy}). */
  private final java.util.concurrent.ScheduledExecutorService committer;
  /** The committer's threads, joined on close: its termination is signalled before they exit. */
  private final List<Thread> committerThreads = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Database(DatabaseOptions options, Path dir, Directory lockDir, Lock lock, Directory catalogDir) {
    this.options = options;
    this.dir = dir;
    this.lockDir = lockDir;
    this.lock = lock;
    this.catalogDir = catalogDir;
    if (options.searchExecutor() != null) {
      searchExecutor = options.searchExecutor();
      ownSearchPool = null;
    } else {
      ownSearchPool = new java.util.concurrent.ForkJoinPool(Runtime.getRuntime().availableProcessors());
      searchExecutor = ownSearchPool;
    }
    // The background thread commits (on disk) and refreshes (also in memory); see commitAndRefresh.
    committer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "iqdb-committer " + (dir == null ? "in-memory" : dir));
      t.setDaemon(true);
      committerThreads.add(t);
      return t;
    });
    long tick = Math.max(1, Math.min(COMMITTER_TICK_MILLIS, options.refreshPolicy().maxAge().toMillis()));
    committer.scheduleWithFixedDelay(
        this::commitAndRefresh, tick, tick, java.util.concurrent.TimeUnit.MILLISECONDS);
    writers = new Uninterruptible("iqdb-write " + (dir == null ? "in-memory" : dir));
    opener = new CollectionOpener(options, dir, searchExecutor, committer, writers);
  }

  /**
   * One tick of the background thread: each collection commits if its commit policy says so (on
   * disk), and refreshes its searcher if its refresh policy does.
   */
  private void commitAndRefresh() {
    long now = System.currentTimeMillis();
    for (VectorCollection v : collections.values()) {
      if (closed) {
        return;
      }
      if (v instanceof CollectionImpl c) {
        if (dir != null) {
          c.maybeCommit(now); // never throws: failures are logged and the collection reports them
        }
        c.maybeRefresh(now); // never throws either
      }
    }
  }

  /**
   * Opens a database: takes the lock, reads the catalog, opens and recovers every collection.
   *
   * @param options the options
   * @return the database
   */
  public static Database open(DatabaseOptions options) {
    if (options.path() == null) {
      return new Database(options, null, null, null, null);
    }
    Path dir = options.path().toAbsolutePath().normalize();
    Directory lockDir = null;
    Lock lock = null;
    Directory catalogDir = null;
    Database db = null;
    boolean success = false;
    try {
      checkIsDatabase(dir, options.createIfMissing());
      Files.createDirectories(dir);
      lockDir = FSDirectory.open(dir);
      try {
        lock = lockDir.obtainLock(LOCK_FILE);
      } catch (LockObtainFailedException e) {
        throw new LockedException(
            "database " + dir + " is already open (in this or another process): " + e.getMessage(), e);
      }
      catalogDir = FSDirectory.open(dir); // closed below if the wrapper throws
      catalogDir = options.hooks().directoryWrapper().apply(catalogDir);
      Catalog.deletePending(catalogDir);
      if (!Catalog.exists(dir)) {
        Catalog.write(catalogDir, Map.of());
      }
      db = new Database(options, dir, lockDir, lock, catalogDir);
      db.load();
      db.startVerifier();
      success = true;
      return db;
    } catch (IOException | RuntimeException e) {
      throw Errors.translate(e, "open of database " + dir);
    } finally {
      if (!success) {
        if (db != null) {
          db.closeCollectionsQuietly();
        }
        IOUtils.closeWhileHandlingException(catalogDir, lock, lockDir);
      }
    }
  }

  private static void checkIsDatabase(Path dir, boolean create) throws IOException {
    if (!Files.exists(dir)) {
      if (!create) {
        throw new NotADatabaseException("no database at " + dir + " (createIfMissing is false)");
      }
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new NotADatabaseException("not a directory, so not an iQDB database: " + dir);
    }
    if (Catalog.exists(dir)) {
      return;
    }
    List<String> others = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String n = p.getFileName().toString();
        if (!n.equals(LOCK_FILE) && !Catalog.isCatalogFile(n)) {
          others.add(n);
        }
      }
    }
    if (!others.isEmpty()) {
      throw new NotADatabaseException(
          "directory " + dir + " is not empty and holds no iQDB catalog (" + Catalog.PREFIX
              + "N); refusing to touch it. Entries: " + others.subList(0, Math.min(5, others.size())));
    }
    if (!create) {
      throw new NotADatabaseException("no database at " + dir + " (createIfMissing is false)");
    }
  }

  private void load() throws IOException {
    catalog.putAll(Catalog.read(catalogDir));
    Path collectionsDir = dir.resolve("collections");
    if (Files.isDirectory(collectionsDir)) {
      // A collection directory missing from the catalog is left over from a create that crashed
      // before its catalog entry was written, or a drop that crashed after: nothing acknowledged.
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(collectionsDir)) {
        for (Path p : entries) {
          if (!catalog.containsKey(p.getFileName().toString())) {
            IOUtils.rm(p);
          }
        }
      }
    }
    for (Map.Entry<String, CollectionConfig> e : catalog.entrySet()) {
      collections.put(e.getKey(), openOrBroken(e.getKey(), e.getValue()));
    }
  }

  /**
   * Opens a collection; one that cannot be opened does not stop the database from opening: it is
   * served as a {@link BrokenCollection} that refuses calls and says why. Only failures of the
   * JVM itself ({@link Error}) propagate.
   */
  private VectorCollection openOrBroken(String name, CollectionConfig config) {
    try {
      return opener.open(name, config, false);
    } catch (IOException | RuntimeException e) {
      RuntimeException translated = Errors.translate(e, "open of collection '" + name + "'");
      BrokenCollection broken =
          new BrokenCollection(name, config, CollectionStore.collectionDir(dir, name).toString(), translated);
      LOG.log(System.Logger.Level.ERROR, broken.reason(), translated);
      return broken;
    }
  }

  /**
   * Creates a collection: commits it empty, then records it in the catalog.
   *
   * @param name the name
   * @param config the config
   * @return the collection
   */
  public synchronized VectorCollection createCollection(String name, CollectionConfig config) {
    ensureOpen();
    Names.checkCollectionName(name);
    if (config == null) {
      throw new io.iqdb.InvalidArgumentException("config must not be null");
    }
    if (catalog.containsKey(name)) {
      throw new CollectionExistsException("collection '" + name + "' already exists");
    }
    new IndexFormats(config).codec(); // rejects unsupported index settings before touching disk
    CollectionImpl c = null;
    boolean catalogTouched = false;
    try {
      c = opener.open(name, config, true);
      Map<String, CollectionConfig> next = new TreeMap<>(catalog);
      next.put(name, config);
      if (dir != null) {
        catalogTouched = true;
        Catalog.write(catalogDir, next);
      }
      catalog.put(name, config);
      collections.put(name, c);
      return c;
    } catch (IOException | RuntimeException e) {
      if (c != null) {
        closeQuietly(c);
      }
      if (!catalogTouched) {
        deleteCollectionFiles(name);
      }
      // else: the failed catalog write may still have become durable and name the collection, so
      // its files stay; the next open deletes them if the durable catalog does not name it.
      throw Errors.translate(e, "creation of collection '" + name + "'");
    }
  }

  /**
   * A collection.
   *
   * @param name the name
   * @return the collection
   */
  public VectorCollection collection(String name) {
    return findCollection(name)
        .orElseThrow(() -> new CollectionNotFoundException(
            "collection '" + name + "' does not exist; collections: " + listCollections()));
  }

  /**
   * A collection if present.
   *
   * @param name the name
   * @return the collection
   */
  public Optional<VectorCollection> findCollection(String name) {
    ensureOpen();
    Args.notNull(name, "name");
    return Optional.ofNullable(collections.get(name));
  }

  /**
   * Collection names.
   *
   * @return the names, sorted
   */
  public synchronized List<String> listCollections() {
    ensureOpen();
    return List.copyOf(catalog.keySet());
  }

  /**
   * Drops a collection: removes it from the catalog, then deletes its files.
   *
   * @param name the name
   * @return whether it existed
   */
  public synchronized boolean dropCollection(String name) {
    ensureOpen();
    Args.notNull(name, "name");
    VectorCollection c = collections.get(name);
    if (c == null) {
      return false;
    }
    try {
      Map<String, CollectionConfig> next = new TreeMap<>(catalog);
      next.remove(name);
      if (dir != null) {
        Catalog.write(catalogDir, next);
      }
    } catch (IOException e) {
      throw Errors.translate(e, "drop of collection '" + name + "'");
    }
    catalog.remove(name);
    collections.remove(name);
    closeQuietly(c);
    deleteCollectionFiles(name);
    return true;
  }

  private void deleteCollectionFiles(String name) {
    if (dir != null) {
      try {
        IOUtils.rm(CollectionStore.collectionDir(dir, name));
      } catch (IOException e) {
        // Left for the next open, which deletes collection directories missing from the catalog.
      }
    }
  }

  /**
   * Integrity check of every collection: Lucene's CheckIndex on its last commit. Writes nothing:
   * what is not committed yet lives in the write-ahead log, which was verified when it was replayed.
   *
   * @return problems by collection name; empty when everything is clean
   */
  public synchronized Map<String, String> check() {
    ensureOpen();
    Map<String, String> problems = new LinkedHashMap<>();
    for (Map.Entry<String, VectorCollection> e : new TreeMap<>(collections).entrySet()) {
      String report = switch (e.getValue()) {
        case CollectionImpl c -> c.check();
        case BrokenCollection b -> b.reason();
        default -> throw new AssertionError(e.getValue());
      };
      if (report != null) {
        problems.put(e.getKey(), report);
      }
    }
    return problems;
  }

  /**
   * Commits every collection that is open. A failure of one does not keep the others from being
   * committed: the first failure is thrown once all were tried, the others suppressed in it.
   */
  public void flush() {
    ensureOpen();
    RuntimeException first = null;
    for (VectorCollection v : new TreeMap<>(collections).values()) {
      if (v instanceof CollectionImpl c) {
        try {
          c.commit();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * The path.
   *
   * @return the directory, or empty in memory
   */
  public Optional<Path> path() {
    return Optional.ofNullable(dir);
  }

  /**
   * Whether closed.
   *
   * @return true if closed
   */
  public boolean isClosed() {
    return closed;
  }

  /** Commits and closes every collection and releases the lock. Idempotent. */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopCommitter();
    RuntimeException first = null;
    for (VectorCollection v : collections.values()) {
      if (v instanceof CollectionImpl c) {
        try {
          c.close(true);
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          }
        }
      }
    }
    collections.clear();
    writers.shutdown();
    try {
      IOUtils.close(catalogDir, lock, lockDir);
    } catch (IOException e) {
      if (first == null) {
        first = Errors.translate(e, "release of the lock of database " + dir);
      }
    }
    if (first != null) {
      throw first instanceof IqdbException ? first : Errors.translate(first, "close of database " + dir);
    }
  }

  /** Starts the background checksum verification of the collections just opened ({@link IntegrityVerifier}). */
  private void startVerifier() {
    if (options.verifyOnOpen() || !options.verifyInBackground()) {
      return;
    }
    List<CollectionImpl> opened = new ArrayList<>();
    for (VectorCollection v : collections.values()) {
      if (v instanceof CollectionImpl c) {
        opened.add(c);
      }
    }
    if (opened.isEmpty()) {
      return;
    }
    verifier = IntegrityVerifier.start(opened, () -> closed, String.valueOf(dir));
  }

  /** Stops the background committer, waiting for a commit it is running, and the search pool. */
  private void stopCommitter() {
    if (ownSearchPool != null) {
      ownSearchPool.shutdown();
      // its threads end with the database: wait for them (a part of a search still running ends in
      // milliseconds)
      try {
        ownSearchPool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    IntegrityVerifier v = verifier;
    if (v != null) {
      v.awaitStop(); // it stops between segments once `closed` is set
    }
    if (committer != null) {
      committer.shutdown(); // no interrupt: a commit interrupted in its I/O would be a tragic failure
      try {
        committer.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        for (Thread t : committerThreads) {
          t.join(10_000); // the database's threads end with it
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeCollectionsQuietly() {
    stopCommitter();
    for (VectorCollection c : collections.values()) {
      closeQuietly(c);
    }
    writers.shutdown();
  }

  private static void closeQuietly(VectorCollection v) {
    if (v instanceof CollectionImpl c) {
      try {
        c.close(false);
      } catch (RuntimeException ignored) {
        // already failing; the first error is the one reported
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw Errors.closed("database " + (dir == null ? "(in memory)" : dir.toString()));
    }
  }
}
