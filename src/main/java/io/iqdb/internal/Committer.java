package io.iqdb.internal;

import io.iqdb.CommitPolicy;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.index.IndexWriter;

/**
 * The commits of a collection: commits the index with the sequence number it contains everything
 * up to, trims the log, and commits in the background when the {@link CommitPolicy} says so. It
 * owns the commit mutex, the last committed sequence number and the commit statistics.
 *
 * <p>A commit takes no lock that writes take: writes go on while it runs (see {@link #commit}).
 * Only closing the collection stops writes, with {@link #lockAll}: the commit mutex, then the {@link
 * CollectionWriter}'s commit lock exclusively.
 */
final class Committer {
  private static final System.Logger LOG = System.getLogger("io.iqdb");

  /** The commit user-data key holding the last sequence number a commit contains. */
  static final String SEQ_KEY = "iqdb.seq";

  private final String name;
  private final CollectionWriter writes;
  private final IndexWriter writer;
  private final CollectionLog log;
  private final CommitPolicy policy;

  /** Serializes commits; taken before the writer's commit lock. */
  private final ReentrantLock commitMutex = new ReentrantLock();

  /** The sequence number the last commit contains. */
  private volatile long committedSeq;
  private volatile long lastCommitMillis = System.currentTimeMillis();
  private volatile long logBytesAtCommit;
  private final AtomicLong commits = new AtomicLong();

  Committer(
      String name, CollectionWriter writes, IndexWriter writer, CollectionLog log, CommitPolicy policy,
      long committedSeq) {
    this.name = name;
    this.writes = writes;
    this.writer = writer;
    this.log = log;
    this.policy = policy;
    this.committedSeq = committedSeq;
    this.logBytesAtCommit = log.sizeInBytes();
  }

  /**
   * Commits the index with a sequence number it contains everything up to, then trims the log.
   *
   * <p>No write waits for it. Every write applies its batch to the index writer before it logs it
   * (see {@link CollectionWriter#applyAndLog}), so when the log's last sequence number is {@code
   * seq}, every batch up to {@code seq} is already in the index writer, and the Lucene commit that
   * starts after that read contains them all. That read is the whole of what used to need writes
   * stopped. The Lucene commit (flushing the indexing buffer, building graphs or IVF lists, fsyncs)
   * runs while writes go on; some of them land in this commit too (Lucene applies each batch as one
   * atomic operation, so a commit holds a batch whole or not at all). Replaying them from the log
   * after a crash is harmless: each batch sets or deletes whole records by id, the log and the index
   * apply one id's writes in the same order (the id's lock stripe covers both), so replaying every
   * batch after {@code seq} in log order leaves each record as its last logged write left it,
   * whichever of them the commit held. A write that this commit holds but that never reaches the
   * log (a crash between its apply and its append, or a failed append, which fails the write and
   * the collection) was never acknowledged; it may survive a reopen, as any write in flight may.
   * Commits are serialized by {@link #commitMutex}.
   */
  void commit() {
    commitMutex.lock();
    try {
      writes.ensureWritable();
      long seq = log.lastSeq(); // before the Lucene commit starts: see above
      if (seq == committedSeq && !writer.hasUncommittedChanges()) {
        return; // nothing new: a commit would only add a segments file
      }
      try {
        writer.setLiveCommitData(Map.of(SEQ_KEY, Long.toString(seq)).entrySet());
        writer.commit();
      } catch (IOException | RuntimeException e) {
        throw writes.fail(e, "commit of collection '" + name + "'");
      }
      committedSeq = seq;
      lastCommitMillis = System.currentTimeMillis();
      commits.incrementAndGet();
      try {
        log.trim(seq);
      } catch (IOException | RuntimeException e) {
        // The commit is durable; the log keeps generations it no longer needs, and the next
        // commit's trim deletes them. Nothing is lost, so the collection stays usable.
        LOG.log(System.Logger.Level.WARNING,
            "collection '" + name + "': could not trim the write-ahead log after a commit; will retry at the next", e);
      }
      logBytesAtCommit = log.sizeInBytes();
    } finally {
      commitMutex.unlock();
    }
  }

  /**
   * Commits if the commit policy says so: writes are pending and enough log was written, or enough
   * time passed, since the last commit. Called by the database's background committer.
   *
   * @param nowMillis the current time
   * @return whether it committed
   */
  boolean maybeCommit(long nowMillis) {
    if (writes.isClosed() || writes.failure() != null || !policy.enabled() || log.lastSeq() == committedSeq) {
      return false;
    }
    boolean bySize = policy.maxLogBytes() > 0 && log.sizeInBytes() - logBytesAtCommit >= policy.maxLogBytes();
    boolean byAge = !policy.maxAge().isZero() && nowMillis - lastCommitMillis >= policy.maxAge().toMillis();
    if (!bySize && !byAge) {
      return false;
    }
    try {
      commit();
      return true;
    } catch (io.iqdb.ClosedException e) {
      return false;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "collection '" + name + "': background commit failed", e);
      return false;
    }
  }

  /** Whether a commit is running (or the collection is closing). */
  boolean committing() {
    return commitMutex.isLocked();
  }

  /**
   * Takes the commit mutex, then the commit lock exclusively: no commit and no write runs until
   * {@link #unlockAll}. Reentrant, so {@link #commit} may run in between (as close does).
   */
  void lockAll() {
    commitMutex.lock();
    writes.commitLock().writeLock().lock();
  }

  /** Releases what {@link #lockAll} took. */
  void unlockAll() {
    writes.commitLock().writeLock().unlock();
    commitMutex.unlock();
  }

  /** The sequence number the last commit contains. */
  long committedSeq() {
    return committedSeq;
  }

  /** When the last commit finished (or this collection was opened), in epoch milliseconds. */
  long lastCommitMillis() {
    return lastCommitMillis;
  }

  /** How many commits this collection made since it was opened. */
  long commits() {
    return commits.get();
  }
}
