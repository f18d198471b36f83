package io.iqdb.internal;

import io.iqdb.RefreshPolicy;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>Lock order: the refresh lock, then the writer's commit lock (exclusively, only to freeze).
 * Nothing holding the commit lock takes the refresh lock.
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

  private final Object refreshLock = new Object();
  /** The writer's write generation the searcher contains. */
  private volatile long refreshedGen;
  private volatile long lastRefreshMillis = System.currentTimeMillis();
  private final AtomicBoolean requested = new AtomicBoolean();

  Refresher(
      String name, SearcherManager searchers, CollectionWriter writes, Tail tail, RefreshPolicy policy,
      Executor background) {
    this.name = name;
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
    synchronized (refreshLock) {
      long gen;
      writes.commitLock().writeLock().lock();
      try {
        if (writes.isClosed()) {
          return;
        }
        gen = writes.writeGen();
        if (gen == refreshedGen) {
          return;
        }
        tail.freeze();
      } finally {
        writes.commitLock().writeLock().unlock();
      }
      searchers.maybeRefreshBlocking();
      // Only now, with the searcher that contains the frozen records installed: a read that no
      // longer sees them in the tail acquires a searcher that holds them.
      tail.dropFrozen();
      refreshedGen = gen;
      lastRefreshMillis = System.currentTimeMillis();
    }
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
   * #HARD_LIMIT_FACTOR} times that size.
   */
  void afterWrite() {
    int size = tail.activeSize();
    if (size < policy.maxTailRecords()) {
      return;
    }
    if ((long) size >= (long) HARD_LIMIT_FACTOR * policy.maxTailRecords()) {
      refreshQuietly();
      return;
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
      if (!writes.isClosed()) {
        LOG.log(System.Logger.Level.WARNING, "collection '" + name + "': background refresh failed", e);
      }
    }
  }

  /** Closes the searcher manager once no refresh runs; a later refresh sees the collection closed. */
  void closeSearchers() throws IOException {
    synchronized (refreshLock) {
      searchers.close();
    }
  }
}
