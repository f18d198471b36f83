package io.iqdb.internal.wal;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for a {@link WriteAheadLog}: who fsyncs the {@link GenerationSet}, and how the
 * other writers wait for it.
 *
 * <p>Fsyncs, rolls and the final close are done by the one thread that holds the <em>sync
 * leadership</em> (a flag guarded by {@code syncState}); it does not hold {@code syncState} while
 * it fsyncs, so threads whose record a finished fsync covered learn it and return at once, while
 * the next fsync is already running (group commit without convoys). A new leader may wait a little
 * for the writers the last fsync released (see {@link #awaitGroup}), so that all writers share
 * each fsync instead of splitting into two alternating halves.
 *
 * <p>Waiting briefly without sleeping: a writer whose record is not yet fsynced, and a leader
 * gathering its group, yield the processor in a loop for a bounded time (up to two and a half
 * fsyncs for a writer, one for a leader) before they block, as long as fsyncs take at most {@link
 * #MAX_SPIN_NANOS}. Such a fast fsync takes about as long as waking a blocked thread (on small
 * virtual machines especially), so blocking right away would cost every writer a wake-up on the
 * critical path; after slow fsyncs threads block.
 */
final class GroupCommit {

  /** The longest commit delay, whatever the last fsync took. */
  private static final long MAX_COMMIT_DELAY_NANOS = 1_000_000;

  /**
   * Fsyncs up to this long are waited for by yielding (spinning) rather than blocking, for at most
   * their duration; longer ones by blocking.
   */
  private static final long MAX_SPIN_NANOS = 500_000;

  /** How often a leader delayed for a slow fsync looks whether its group is complete. */
  private static final long COMMIT_DELAY_STEP_NANOS = 50_000;

  private final GenerationSet generations;

  /** Where the leader's write and fsync run; see {@link WalIoThread}. */
  private final WalIoThread io;

  private final ReentrantLock syncState = new ReentrantLock();
  private final Condition syncDone = syncState.newCondition();
  // written under syncState, read without it to decide whether spinning can help
  private volatile boolean syncing; // some thread holds the sync leadership

  /** Records the last fsync covered, and how long it took: inputs of the commit delay. */
  private volatile long lastGroupSize;

  private volatile long lastFsyncNanos;

  GroupCommit(GenerationSet generations, WalIoThread io) {
    this.generations = generations;
    this.io = io;
  }

  /**
   * Returns once the record {@code seq} and all earlier ones are fsynced: either another leader's
   * fsync covers it, or this thread takes the leadership and fsyncs everything appended so far.
   *
   * @param seq an appended sequence number
   * @throws IOException if the fsync fails (the log is then failed) or the log failed earlier
   */
  void sync(long seq) throws IOException {
    generations.ensureUsable();
    if (seq <= generations.syncedSeq()) {
      return;
    }
    spinWhileSyncing(seq);
    syncState.lock();
    try {
      while (true) {
        // A leader may have failed, or covered this seq, while we waited.
        generations.ensureUsable();
        if (seq <= generations.syncedSeq()) {
          return;
        }
        if (!syncing) {
          break;
        }
        syncDone.awaitUninterruptibly();
      }
      syncing = true;
    } finally {
      syncState.unlock();
    }
    try {
      awaitGroup();
      syncAllAsLeader();
    } finally {
      releaseLeadership();
    }
  }

  /**
   * While another thread fsyncs and {@code seq} is not yet covered, yields for up to two and a half
   * fsyncs: the running fsync may cover {@code seq} after all, or end and let this thread lead the
   * next, or be followed by one that covers it, all without the cost of blocking and being woken.
   */
  private void spinWhileSyncing(long seq) {
    long fsyncNanos = lastFsyncNanos;
    if (fsyncNanos > MAX_SPIN_NANOS) {
      return; // a slow disk: blocking costs little beside the fsync, spinning would waste CPU
    }
    // A record appended while an fsync runs needs that fsync to end and the next one as well.
    long deadline = System.nanoTime() + fsyncNanos * 5 / 2;
    while (syncing
        && seq > generations.syncedSeq()
        && generations.failure() == null
        && !generations.isClosed()
        && System.nanoTime() < deadline) {
      Thread.yield();
    }
  }

  /**
   * Commit delay: when the last fsync covered several writers, they are about to append again (they
   * were woken when it finished, just before this leader was chosen). Without a short wait they
   * would miss this fsync and form the next group, so that writers split into two groups that
   * alternate, each about half the size. Waits at most as long as the last fsync took (yielding
   * after a fast one, sleeping after a slow one), only while fewer records are pending than the
   * last fsync covered; a lone writer never waits.
   */
  private void awaitGroup() {
    long target = lastGroupSize;
    if (target <= 1) {
      return;
    }
    long fsyncNanos = lastFsyncNanos;
    long deadline = System.nanoTime() + Math.min(fsyncNanos, MAX_COMMIT_DELAY_NANOS);
    while (generations.lastSeq() - generations.syncedSeq() < target
        && System.nanoTime() < deadline) {
      if (fsyncNanos > MAX_SPIN_NANOS) {
        LockSupport.parkNanos(this, COMMIT_DELAY_STEP_NANOS);
      } else {
        Thread.yield();
      }
    }
  }

  /** Waits until no other thread holds the sync leadership, then takes it. */
  void acquireLeadership() {
    syncState.lock();
    try {
      while (syncing) {
        syncDone.awaitUninterruptibly();
      }
      syncing = true;
    } finally {
      syncState.unlock();
    }
  }

  /** Gives up the sync leadership and wakes the threads waiting for an fsync or the leadership. */
  void releaseLeadership() {
    syncState.lock();
    try {
      syncing = false;
      syncDone.signalAll();
    } finally {
      syncState.unlock();
    }
  }

  /**
   * Fsyncs everything appended so far and measures the fsync for the next commit delay. Caller
   * holds the sync leadership.
   *
   * @throws IOException if the write or fsync fails (the log is then failed) or the log failed
   *     earlier
   */
  void syncAllAsLeader() throws IOException {
    GenerationSet.SyncPoint point = generations.takeSyncPoint();
    long start = System.nanoTime();
    // The write of the pending records and the fsync in one hand-off to the I/O thread (they take
    // no lock, as a call on that thread must not: see WalIoThread).
    if (!io.call(() -> generations.writeAndForce(point))) {
      return;
    }
    lastFsyncNanos = System.nanoTime() - start;
    lastGroupSize = point.upToSeq() - generations.syncedSeq();
    generations.markSynced(point);
  }
}
