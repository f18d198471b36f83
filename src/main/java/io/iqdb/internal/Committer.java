package io.iqdb.internal;

import io.iqdb.CommitPolicy;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.lucene.index.IndexWriter;

/**
 * The commits of a collection: commits the index with the sequence number it contains everything
 * up to, trims the log, and commits in the background when the {@link CommitPolicy} says so. It
 * owns the commit mutex, the last committed sequence number and the commit statistics.
 *
 * <p>Lock order: the commit mutex, then the {@link CollectionWriter}'s commit lock exclusively (held
 * only while a commit fixes its sequence number, or while the collection closes). Writes never take
 * the commit mutex, so they wait for a commit only while it fixes its sequence number.
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
   * <p>Writers are blocked only while the sequence number is fixed: under the commit lock taken
   * exclusively, no write is between its apply and its append, so every logged batch up to {@code
   * seq} is in the index writer. The Lucene commit itself (flushing the indexing buffer, building
   * graphs or IVF lists, fsyncs) runs without the lock, so writes go on meanwhile; some of them may
   * land in this commit too. Replaying them from the log after a crash is harmless: each batch sets
   * or deletes whole records by id, the log and the index apply one id's writes in the same order
   * (the id's lock stripe covers both), so replaying every batch after {@code seq} in log order
   * leaves each record as its last logged write left it, whichever of them the commit held.
   * Commits are serialized by {@link #commitMutex}.
   */
  void commit() {
    commitMutex.lock();
    try {
      long seq;
      writes.commitLock().writeLock().lock();
      try {
        writes.ensureWritable();
        seq = log.lastSeq();
        if (seq == committedSeq && !writer.hasUncommittedChanges()) {
          return; // nothing new: a commit would only add a segments file
        }
        writer.setLiveCommitData(Map.of(SEQ_KEY, Long.toString(seq)).entrySet());
      } finally {
        writes.commitLock().writeLock().unlock();
      }
      try {
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

  /** Runs {@code body} while no commit runs (so none deletes the files of the last one); writes go on. */
  <T> T withoutCommits(Supplier<T> body) {
    commitMutex.lock();
    try {
      return body.get();
    } finally {
      commitMutex.unlock();
    }
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
