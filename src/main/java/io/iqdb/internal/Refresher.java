package io.iqdb.internal;

import io.iqdb.RefreshPolicy;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.apache.lucene.search.SearcherManager;

/**
 * Moves a collection's {@link Tail} into its searcher: freezes the tail's active generation, refreshes
 * the {@link SearcherManager} (a new Lucene segment with the frozen records), then drops the frozen
 * generation. Between the freeze and the drop a read sees the frozen records twice, in the tail and
 * maybe in the searcher, and the tail's copy shadows the searcher's (the same version, or an older
 * one of a write still in progress); it never sees them nowhere.
 *
 * <p>Refreshes run in the background by the {@link RefreshPolicy} (the database's background thread
 * calls {@link #maybeRefresh}; a writer that fills the tail asks for one with {@link #afterWrite}),
 * and before the reads the tail cannot serve (see {@link CollectionImpl}).
 *
 * <p>A refresh takes no lock that writes take. It needs none: a write applies its batch to the index
 * writer before it appends it to the tail (see {@link CollectionWriter#applyAndLog}), so every entry
 * of a generation the refresh freezes was in the index writer before the freeze, hence before the
 * reader the refresh then opens. A write that appends after the freeze lands in the new active
 * generation (or, having read the tail's state just before the freeze, in the frozen one: it was
 * applied before that read), and a record that is in both the tail and the searcher is served from
 * the tail. Refreshes are serialized by the refresh lock.
 */
final class Refresher {
  private static final System.Logger LOG = System.getLogger("io.iqdb");

  /** Past this many times the policy's tail size, a writer refreshes itself: the tail's memory bound. */
  static final int HARD_LIMIT_FACTOR = 4;

  private final String name;
  private final SearcherManager searchers;
  private final CollectionWriter writes;
  private final Tail tail;
  private final RefreshPolicy policy;
  /** Runs the refreshes a writer asks for; the database's background thread. */
  private final Executor background;

  /** Whether the collection is committing: a refresh would wait for the commit's flush. */
  private final BooleanSupplier committing;

  /** Serializes refreshes (and closing the searchers). */
  private final ReentrantLock refreshLock = new ReentrantLock();
  /** The writer's write generation the searcher contains. */
  private volatile long refreshedGen;
  private volatile long lastRefreshMillis = System.currentTimeMillis();
  private final AtomicBoolean requested = new AtomicBoolean();

  Refresher(
      String name, SearcherManager searchers, CollectionWriter writes, Tail tail, RefreshPolicy policy,
      Executor background, BooleanSupplier committing) {
    this.name = name;
    this.committing = committing;
    this.searchers = searchers;
    this.writes = writes;
    this.tail = tail;
    this.policy = policy;
    this.background = background;
  }

  /** Whether writes (or a compaction) changed the index since the searcher was refreshed. */
  boolean pending() {
    return writes.writeGen() != refreshedGen;
  }

  /**
   * Refreshes the searcher if the index changed: on return the searcher contains every write that
   * returned before the call, and the tail no longer holds them.
   */
  void refresh() throws IOException {
    if (!pending()) {
      return;
    }
    refreshLock.lock();
    try {
      refreshLocked();
    } finally {
      refreshLock.unlock();
    }
  }

  private void refreshLocked() throws IOException {
    if (writes.isClosed()) {
      return;
    }
    // Read before the freeze: a write counted here appended to the tail before, so the freeze
    // takes it; one not counted leaves the generation pending, and a later refresh takes it.
    long gen = writes.writeGen();
    if (gen == refreshedGen) {
      return;
    }
    tail.freeze();
    searchers.maybeRefreshBlocking();
    // Only now, with the searcher that contains the frozen records installed: a read that no
    // longer sees them in the tail acquires a searcher that holds them.
    tail.dropFrozen();
    refreshedGen = gen;
    lastRefreshMillis = System.currentTimeMillis();
  }

  /**
   * Refreshes if the policy says so; called by the database's background thread. Never throws: a
   * failed refresh leaves the records in the tail, still visible, and the next one retries.
   *
   * @param nowMillis the current time
   */
  void maybeRefresh(long nowMillis) {
    if (!pending() || writes.isClosed() || writes.failure() != null) {
      return; // a failed collection keeps serving reads from its tail; its reopen recovers
    }
    if (nowMillis - lastRefreshMillis >= policy.maxAge().toMillis()
        || tail.activeSize() >= policy.maxTailRecords()) {
      refreshQuietly();
    }
  }

  /**
   * Called by a writer after its write returned from the locks: asks the background thread for a
   * refresh once the tail reached the policy's size, and refreshes itself past {@link
   * #HARD_LIMIT_FACTOR} times that size, unless a refresh or a commit of the collection is running.
   * Either would make the writer wait for the index writer's flush of its whole buffer (a refresh
   * running behind a commit waits for the commit's flush); the tail then grows until it ends, within
   * the index writer's own bound (Lucene blocks writes once its buffered and flushing documents reach
   * twice its buffer). The background thread refreshes after it.
   */
  void afterWrite() {
    int size = tail.activeSize();
    if (size < policy.maxTailRecords()) {
      return;
    }
    if ((long) size >= (long) HARD_LIMIT_FACTOR * policy.maxTailRecords()) {
      if (!committing.getAsBoolean() && refreshLock.tryLock()) {
        try {
          refreshLocked();
        } catch (IOException | RuntimeException e) {
          logFailure(e);
        } finally {
          refreshLock.unlock();
        }
        return;
      }
    }
    if (requested.compareAndSet(false, true)) {
      try {
        background.execute(() -> {
          requested.set(false);
          refreshQuietly();
        });
      } catch (RejectedExecutionException e) {
        requested.set(false); // the database is closing
      }
    }
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (IOException | RuntimeException e) {
      logFailure(e);
    }
  }

  private void logFailure(Exception e) {
    if (!writes.isClosed()) {
      LOG.log(System.Logger.Level.WARNING, "collection '" + name + "': background refresh failed", e);
    }
  }

  /** Closes the searcher manager once no refresh runs; a later refresh sees the collection closed. */
  void closeSearchers() throws IOException {
    refreshLock.lock();
    try {
      searchers.close();
    } finally {
      refreshLock.unlock();
    }
  }
}
