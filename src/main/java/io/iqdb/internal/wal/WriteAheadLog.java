package io.iqdb.internal.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.util.IOUtils;

/**
 * The write-ahead log of one collection: batches of {@link WalEntry} are appended as records with
 * increasing sequence numbers, fsynced on demand with group commit, replayed on {@link #open} and
 * trimmed after each index commit. The file formats and the recovery rules are specified in {@code
 * package-info.java}.
 *
 * <p>Durability contract: once {@link #sync(long)} returns, the record and every earlier one
 * survive a power loss. Once {@link #append} returns, in ASYNC mode the record is in the operating
 * system's buffers (it survives a killed process); in SYNC mode it is only in memory until the
 * next sync (or roll, or close) writes it together with every record appended meanwhile (see
 * {@link Generation}): a SYNC caller waits for the sync before it acknowledges anything. After any
 * write or fsync error the log is <em>failed</em>: every later {@link #append}, {@link #sync} and
 * {@link #trim} throws, and a failed fsync is never retried (after a failed fsync the kernel may
 * have dropped the dirty pages, so a retry that succeeds proves nothing). Reopening recovers what
 * reached the disk.
 *
 * <p>Thread safety: all methods may be called concurrently. Records land in the file in sequence
 * order. A thread interrupted while it writes or fsyncs closes the underlying {@link FileChannel}
 * (a JDK rule), which fails the log; do not interrupt writer threads.
 *
 * <p>Concurrency design: {@code appendLock} serializes writes and the switch to a new generation.
 * Fsyncs, rolls and the final close are done by the one thread that holds the <em>sync
 * leadership</em> (a flag guarded by {@code syncState}); it does not hold {@code syncState} while
 * it fsyncs, so threads whose record a finished fsync covered learn it and return at once, while
 * the next fsync is already running (group commit without convoys). A new leader may wait a little
 * for the writers the last fsync released (see {@code awaitGroup}), so that all writers share each
 * fsync instead of splitting into two alternating halves. Order: {@code checkpointLock} (trim,
 * close), then the sync leadership, then {@code appendLock}; never the other way.
 *
 * <p>Waiting briefly without sleeping: a writer whose record is not yet fsynced, and a leader
 * gathering its group, yield the processor in a loop for a bounded time (up to two and a half
 * fsyncs for a writer, one for a leader) before they block, as long as fsyncs take at most {@code
 * MAX_SPIN_NANOS}. Such a fast fsync takes about as long as waking a blocked thread (on small
 * virtual machines especially), so blocking right away would cost every writer a wake-up on the
 * critical path; after slow fsyncs threads block.
 *
 * <p>Preallocation (SYNC mode): the newest generation is extended with zeros {@link
 * #PREALLOCATE_BYTES} at a time ahead of its records, so that most fsyncs overwrite allocated
 * blocks of a file whose length does not change; on ext4 and XFS such an fdatasync needs no
 * journal commit and takes about 2/3 of the time of one that appends. The zeros after the last
 * record read as a torn tail, which recovery cuts off (see the package documentation); a
 * generation is truncated to its records before it is sealed.
 */
public final class WriteAheadLog implements Closeable {

  /** The longest commit delay, whatever the last fsync took. */
  private static final long MAX_COMMIT_DELAY_NANOS = 1_000_000;

  /**
   * Fsyncs up to this long are waited for by yielding (spinning) rather than blocking, for at most
   * their duration; longer ones by blocking.
   */
  private static final long MAX_SPIN_NANOS = 500_000;

  /** How often a leader delayed for a slow fsync looks whether its group is complete. */
  private static final long COMMIT_DELAY_STEP_NANOS = 50_000;

  /** Zeros written ahead of the records of the newest generation, in SYNC mode. */
  static final int PREALLOCATE_BYTES = 1 << 20;

  private final Path dir;
  private final WalOptions options;
  private final WalFileSystem fs;

  /** SYNC mode: appended records wait in memory for the sync leader, which writes them at once. */
  private final boolean buffered;

  private final ReentrantLock checkpointLock = new ReentrantLock();
  private final ReentrantLock syncState = new ReentrantLock();
  private final Condition syncDone = syncState.newCondition();
  // written under syncState, read without it to decide whether spinning can help
  private volatile boolean syncing; // some thread holds the sync leadership

  /** Records the last fsync covered, and how long it took: inputs of the commit delay. */
  private volatile long lastGroupSize;

  private volatile long lastFsyncNanos;
  private final ReentrantLock appendLock = new ReentrantLock();

  /** Older generations still needed for recovery, oldest first; channels closed. */
  private final ArrayDeque<Generation> sealed = new ArrayDeque<>();

  private Generation current;
  private volatile long lastSeq;
  private volatile long syncedSeq;
  private long committedSeq;
  private volatile Throwable failure;
  private volatile boolean closed;
  private final Thread asyncThread;

  private WriteAheadLog(
      Path dir,
      WalOptions options,
      WalRecovery.Result recovered,
      Generation current,
      long lastSeq,
      long committedSeq) {
    this.dir = dir;
    this.options = options;
    this.fs = options.fs();
    this.buffered = options.mode() == WalOptions.Mode.SYNC;
    for (WalRecovery.Generation g : recovered.generations()) {
      Generation old =
          new Generation(
              g.generation(),
              dir.resolve(WalFormat.generationFileName(g.generation())),
              null,
              g.sizeBytes());
      old.lastSeq = g.lastSeq();
      sealed.add(old);
    }
    this.current = current;
    this.lastSeq = lastSeq;
    this.syncedSeq = lastSeq;
    this.committedSeq = committedSeq;
    if (options.mode() == WalOptions.Mode.ASYNC) {
      asyncThread = new Thread(this::asyncLoop, "iqdb-wal-sync " + dir);
      asyncThread.setDaemon(true);
    } else {
      asyncThread = null;
    }
  }

  /**
   * Opens the log in {@code dir}, creating the directory if needed, and recovers: every record with
   * {@code seq > committedSeq} is handed to {@code replay} in sequence order; a torn tail (what a
   * crash leaves of writes that were never fsynced) is cut off; anything else damaged raises {@link
   * CorruptWalException}. New records then go to a new generation file, numbered after the highest
   * of the recovered records and {@code committedSeq}.
   *
   * @param dir the log's directory; the log owns the files named {@code wal-*.log}, {@code wal.ckp}
   *     and {@code wal.ckp.tmp} in it
   * @param options the options
   * @param committedSeq the highest sequence number contained in the caller's last durable commit
   *     (0 if none); records up to it are skipped
   * @param replay receives the records to re-apply
   * @return the open log
   * @throws CorruptWalException if the log is damaged beyond what a crash explains
   * @throws IOException on an I/O error, or if {@code replay} throws
   */
  public static WriteAheadLog open(
      Path dir, WalOptions options, long committedSeq, WalReplayer replay) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(replay, "replay");
    if (committedSeq < 0) {
      throw new IllegalArgumentException("committedSeq must be >= 0; committedSeq=" + committedSeq);
    }
    WalFileSystem fs = options.fs();
    fs.createDirectories(dir);
    if (dir.toAbsolutePath().getParent() != null) {
      // The log's own directory entry must be durable too, or a power loss could take the whole
      // directory, synced records included. (One level only: the caller makes its parents durable.)
      fs.syncDirectory(dir.toAbsolutePath().getParent());
    }
    WalRecovery.Result recovered = WalRecovery.recover(fs, dir, committedSeq, replay);
    long lastSeq = Math.max(recovered.highestSeq(), committedSeq);
    Generation current = Generation.create(fs, dir, recovered.highestGeneration() + 1, lastSeq);
    boolean success = false;
    try {
      long trimmedThrough = Math.max(committedSeq, recovered.checkpoint().committedSeq());
      new Checkpoint(trimmedThrough, current.generation, current.synced).write(fs, dir);
      WriteAheadLog wal =
          new WriteAheadLog(dir, options, recovered, current, lastSeq, trimmedThrough);
      if (wal.asyncThread != null) {
        wal.asyncThread.start();
      }
      success = true;
      return wal;
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(current.channel);
      }
    }
  }

  /**
   * Appends one batch as one record with the next sequence number. In ASYNC mode the record is
   * written to the file (not fsynced) before this returns; in SYNC mode it is kept in memory for
   * the next {@link #sync(long)}, which writes and fsyncs it.
   *
   * @param batch the entries, at least one; not copied
   * @return the sequence number of the record
   * @throws IOException if the write fails (the log is then failed) or the log failed earlier
   * @throws AlreadyClosedException if the log is closed
   */
  public long append(List<WalEntry> batch) throws IOException {
    return append(encode(batch));
  }

  /**
   * Encodes a batch as a record for {@link #append(Record)}, without touching the log: the
   * checks that can refuse a batch (empty, or larger than a record can be, about 2 GiB) run here.
   *
   * @param batch the entries, at least one; not copied
   * @return the record
   * @throws IllegalArgumentException if the batch is empty or too large for one record
   */
  public static Record encode(List<WalEntry> batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one entry");
    }
    return new Record(WalFormat.encodeRecord(batch));
  }

  /** A batch encoded by {@link #encode}, appended at most once. */
  public static final class Record {
    private final ByteBuffer bytes;

    private Record(ByteBuffer bytes) {
      this.bytes = bytes;
    }
  }

  /**
   * Appends one encoded batch; see {@link #append(List)}.
   *
   * @param encoded the record from {@link #encode}
   * @return the sequence number of the record
   * @throws IOException if the write fails (the log is then failed) or the log failed earlier
   * @throws AlreadyClosedException if the log is closed
   */
  public long append(Record encoded) throws IOException {
    // Encoded outside the lock; only the seq, the synced-offset claim and the CRC need it.
    ByteBuffer record = encoded.bytes;
    long seq;
    boolean full;
    appendLock.lock();
    try {
      ensureUsable();
      seq = lastSeq + 1;
      Generation g = current;
      WalFormat.seal(record, seq, g.synced);
      if (buffered) {
        g.buffer(record);
      } else {
        try {
          g.write(record);
        } catch (Throwable t) {
          throw fail(t);
        }
      }
      g.lastSeq = seq;
      lastSeq = seq;
      full = g.written >= options.maxGenerationBytes();
    } finally {
      appendLock.unlock();
    }
    if (full) {
      rollIfFull();
    }
    return seq;
  }

  /**
   * Returns once the record {@code seq} and all earlier ones are fsynced. Concurrent callers share
   * fsyncs (group commit): one caller fsyncs everything appended so far while the others wait, and
   * those whose record was covered return without an fsync of their own.
   *
   * @param seq a sequence number returned by {@link #append}
   * @throws IOException if the fsync fails (the log is then failed) or the log failed earlier
   * @throws AlreadyClosedException if the log is closed
   */
  public void sync(long seq) throws IOException {
    if (seq > lastSeq) {
      throw new IllegalArgumentException(
          "cannot sync a record not yet appended; seq=" + seq + ", lastSeq=" + lastSeq);
    }
    ensureUsable();
    if (seq <= syncedSeq) {
      return;
    }
    spinWhileSyncing(seq);
    syncState.lock();
    try {
      while (true) {
        // A leader may have failed, or covered this seq, while we waited.
        ensureUsable();
        if (seq <= syncedSeq) {
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
        && seq > syncedSeq
        && failure == null
        && !closed
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
    while (lastSeq - syncedSeq < target && System.nanoTime() < deadline) {
      if (fsyncNanos > MAX_SPIN_NANOS) {
        LockSupport.parkNanos(this, COMMIT_DELAY_STEP_NANOS);
      } else {
        Thread.yield();
      }
    }
  }

  private void acquireLeadership() {
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

  private void releaseLeadership() {
    syncState.lock();
    try {
      syncing = false;
      syncDone.signalAll();
    } finally {
      syncState.unlock();
    }
  }

  /** Fsyncs everything appended so far. Caller holds the sync leadership. */
  private void syncAllAsLeader() throws IOException {
    Generation g;
    long upTo;
    long upToSeq;
    ByteBuffer taken = null;
    appendLock.lock();
    try {
      // A write may have failed the log while this leader waited: then it must not fsync either.
      ensureUsable();
      g = current;
      upTo = g.written;
      upToSeq = lastSeq;
      if (g.hasPending()) {
        taken = g.takePending();
      }
    } finally {
      appendLock.unlock();
    }
    long start = System.nanoTime();
    try {
      if (taken != null) {
        // Appends go on into the other buffer meanwhile; only the leader writes the file.
        g.writeTaken(taken, PREALLOCATE_BYTES); // pending bytes: SYNC mode
      }
      if (upToSeq <= syncedSeq) {
        return; // nothing new (only a sync marker, which need not be durable)
      }
      // fdatasync is enough: the file only grows, and the new size is flushed with the data.
      g.channel.force(false);
    } catch (Throwable t) {
      throw fail(t);
    }
    lastFsyncNanos = System.nanoTime() - start;
    lastGroupSize = upToSeq - syncedSeq;
    // No roll can have happened meanwhile (rolls need the leadership), so all up to upToSeq is
    // in g.
    g.synced = upTo;
    syncedSeq = upToSeq;
    writeSyncMarker(g, upToSeq, upTo);
  }

  /**
   * Writes (without fsync) a marker claiming that {@code upTo} bytes of {@code g} are fsynced. If
   * it reaches the disk, recovery can tell damage to those bytes from a torn tail even when no
   * record follows the last fsync (after a killed process, say); if it does not, nothing is lost.
   */
  private void writeSyncMarker(Generation g, long upToSeq, long upTo) {
    appendLock.lock();
    try {
      if (failure != null || current != g) {
        return;
      }
      ByteBuffer marker = WalFormat.encodeSyncMarker(upToSeq, upTo);
      if (g.hasPending()) {
        g.buffer(marker); // written with the records appended during the fsync, by the next leader
        return;
      }
      try {
        g.write(marker);
      } catch (Throwable t) {
        // The fsync succeeded, so this sync's seq is durable; the next call reports the failure.
        fail(t);
      }
    } finally {
      appendLock.unlock();
    }
  }

  private void rollIfFull() throws IOException {
    acquireLeadership();
    try {
      appendLock.lock();
      try {
        if (closed || failure != null || current.written < options.maxGenerationBytes()) {
          return;
        }
        rollLocked();
      } finally {
        appendLock.unlock();
      }
    } finally {
      releaseLeadership();
    }
  }

  /**
   * Seals the current generation and starts the next. Caller holds the leadership and appendLock.
   */
  private void rollLocked() throws IOException {
    Generation old = current;
    try {
      // Recovery treats every generation but the newest as completely fsynced: make it so before
      // the next generation exists, without the preallocated zeros (they would read as damage).
      old.flushPending();
      old.cutPreallocation();
      old.channel.force(false);
      old.synced = old.written;
      syncedSeq = lastSeq;
      current = Generation.create(fs, dir, old.generation + 1, lastSeq);
    } catch (Throwable t) {
      throw fail(t);
    }
    sealed.add(old);
    IOUtils.closeWhileHandlingException(old.channel);
    old.channel = null;
  }

  /**
   * Called after a durable index commit that contains every record with {@code seq <=
   * committedSeq}: deletes the generations holding only such records (starting a new generation
   * first if the current one holds only such records) and records the trim point in the checkpoint.
   *
   * @param committedSeq the highest sequence number in the commit; at most {@link #lastSeq()}
   * @throws IOException if an I/O operation fails; a failed checkpoint write or deletion leaves the
   *     log usable (the files are kept and deleted by a later trim)
   * @throws AlreadyClosedException if the log is closed
   */
  public void trim(long committedSeq) throws IOException {
    if (committedSeq > lastSeq || committedSeq < 0) {
      throw new IllegalArgumentException(
          "committedSeq must be between 0 and lastSeq="
              + lastSeq
              + "; committedSeq="
              + committedSeq);
    }
    checkpointLock.lock();
    try {
      List<Generation> obsolete = new ArrayList<>();
      Checkpoint checkpoint;
      acquireLeadership();
      try {
        appendLock.lock();
        try {
          ensureUsable();
          if (current.lastSeq >= 0 && current.lastSeq <= committedSeq) {
            rollLocked();
          }
          this.committedSeq = Math.max(this.committedSeq, committedSeq);
          for (Generation g : sealed) {
            if (g.lastSeq > committedSeq) {
              break;
            }
            obsolete.add(g);
          }
          checkpoint = new Checkpoint(this.committedSeq, current.generation, current.synced);
        } finally {
          appendLock.unlock();
        }
      } finally {
        releaseLeadership();
      }
      // The checkpoint first: once it says seq <= committedSeq were committed, recovery no longer
      // expects those records, whichever of the deletions below reach the disk.
      checkpoint.write(fs, dir);
      for (Generation g : obsolete) {
        fs.deleteIfExists(g.file);
        appendLock.lock();
        try {
          sealed.remove(g);
        } finally {
          appendLock.unlock();
        }
      }
      if (!obsolete.isEmpty()) {
        fs.syncDirectory(dir);
      }
    } finally {
      checkpointLock.unlock();
    }
  }

  /**
   * The highest sequence number assigned so far (after {@link #open}: the highest recovered one, or
   * the committed one if larger).
   *
   * @return the last sequence number
   */
  public long lastSeq() {
    return lastSeq;
  }

  /**
   * The highest sequence number known to be fsynced.
   *
   * @return the last synced sequence number
   */
  public long syncedSeq() {
    return syncedSeq;
  }

  /**
   * The bytes in the generation files still kept.
   *
   * @return the size of the log on disk
   */
  public long sizeInBytes() {
    appendLock.lock();
    try {
      long size = current.written;
      for (Generation g : sealed) {
        size += g.written;
      }
      return size;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * The error that failed the log, or null while it is healthy.
   *
   * @return the first write or fsync error
   */
  public Throwable failureCause() {
    return failure;
  }

  /**
   * Stops the background fsync, fsyncs what was appended (unless the log failed), records the
   * synced end in the checkpoint and closes the files. Idempotent.
   *
   * @throws IOException if the final fsync or checkpoint write fails
   */
  @Override
  public void close() throws IOException {
    appendLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      appendLock.unlock();
    }
    if (asyncThread != null) {
      LockSupport.unpark(asyncThread);
      try {
        asyncThread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    checkpointLock.lock();
    acquireLeadership();
    appendLock.lock();
    try {
      if (failure == null) {
        try {
          current.flushPending();
          if (current.cutPreallocation() || current.written != current.synced) {
            current.channel.force(false);
            current.synced = current.written;
            syncedSeq = lastSeq;
          }
          // Lets recovery treat damage anywhere in this generation as corruption, not a torn tail.
          new Checkpoint(committedSeq, current.generation, current.synced).write(fs, dir);
        } catch (Throwable t) {
          throw fail(t);
        }
      }
    } finally {
      IOUtils.closeWhileHandlingException(current.channel);
      appendLock.unlock();
      releaseLeadership();
      checkpointLock.unlock();
    }
  }

  private void asyncLoop() {
    long intervalNanos = options.asyncInterval().toNanos();
    while (!closed) {
      long deadline = System.nanoTime() + intervalNanos;
      long left;
      while (!closed && (left = deadline - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, left);
      }
      acquireLeadership();
      try {
        if (closed || failure != null) {
          return;
        }
        syncAllAsLeader();
      } catch (IOException | AlreadyClosedException e) {
        // A failure is recorded by fail(), and the next append or sync reports it; a close that
        // raced with this round fsyncs by itself.
        return;
      } finally {
        releaseLeadership();
      }
    }
  }

  private void ensureUsable() throws IOException {
    Throwable f = failure;
    if (f != null) {
      throw new IOException(
          "write-ahead log "
              + dir
              + " failed earlier and refuses writes; reopen it to recover: "
              + f,
          f);
    }
    if (closed) {
      throw new AlreadyClosedException("write-ahead log " + dir + " is closed");
    }
  }

  /** Records the first failure; returns the exception to throw for {@code t}. */
  private IOException fail(Throwable t) {
    synchronized (this) {
      if (failure == null) {
        failure = t;
      }
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof IOException e) {
      return e;
    }
    return new IOException("write-ahead log " + dir + " failed: " + t, t);
  }
}
