package io.iqdb.internal.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.store.AlreadyClosedException;

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
 * order. Interrupting a caller is harmless: the files are written and fsynced on the log's own
 * {@link WalIoThread} (a thread interrupted while it blocks in a {@link FileChannel} would close
 * the channel, a JDK rule, and fail the log); a caller waits for it regardless of interrupts and
 * keeps its interrupt status.
 *
 * <p>Structure: the files (current and sealed generations, sequence numbers, rolls, trims,
 * checkpoints, the failed and closed states) are a {@link GenerationSet}; who fsyncs them, and how
 * the other writers wait, is {@link GroupCommit}; in ASYNC mode an {@link AsyncSyncer} fsyncs in
 * the background. This class opens the log and takes the locks in order. Order: {@code
 * checkpointLock} (trim, close), then the sync leadership ({@link GroupCommit}), then the append
 * lock ({@link GenerationSet}); never the other way.
 */
public final class WriteAheadLog implements Closeable {

  private final GenerationSet generations;
  private final GroupCommit groupCommit;
  private final ReentrantLock checkpointLock = new ReentrantLock();
  private final AsyncSyncer asyncSyncer; // null unless ASYNC mode

  /** Runs every file operation of the open log; see {@link WalIoThread}. */
  private final WalIoThread io;

  private WriteAheadLog(WalOptions options, GenerationSet generations, WalIoThread io) {
    this.generations = generations;
    this.io = io;
    this.groupCommit = new GroupCommit(generations, io);
    if (options.mode() == WalOptions.Mode.ASYNC) {
      asyncSyncer = new AsyncSyncer(generations, groupCommit, options.asyncInterval());
    } else {
      asyncSyncer = null;
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
    // Recovery reads on the opening thread; from here on every file operation runs on the log's
    // I/O thread, so that no interrupt of a writer can close the log's files.
    WalRecovery.Result recovered = WalRecovery.recover(fs, dir, committedSeq, replay);
    WalIoThread io = new WalIoThread("iqdb-wal-io " + dir);
    WalOptions live = options.withFileSystem(new IoThreadFileSystem(fs, io));
    GenerationSet generations = null;
    boolean success = false;
    try {
      generations = GenerationSet.start(dir, live, recovered, committedSeq);
      generations.writeCheckpoint();
      WriteAheadLog wal = new WriteAheadLog(live, generations, io);
      if (wal.asyncSyncer != null) {
        wal.asyncSyncer.start();
      }
      success = true;
      return wal;
    } finally {
      if (!success) {
        if (generations != null) {
          generations.abandon();
        }
        io.stop();
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
    long seq = generations.append(encoded.bytes);
    if (generations.currentIsFull()) {
      rollIfFull();
    }
    return seq;
  }

  private void rollIfFull() throws IOException {
    groupCommit.acquireLeadership();
    try {
      generations.rollIfFull();
    } finally {
      groupCommit.releaseLeadership();
    }
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
    long lastSeq = generations.lastSeq();
    if (seq > lastSeq) {
      throw new IllegalArgumentException(
          "cannot sync a record not yet appended; seq=" + seq + ", lastSeq=" + lastSeq);
    }
    groupCommit.sync(seq);
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
    long lastSeq = generations.lastSeq();
    if (committedSeq > lastSeq || committedSeq < 0) {
      throw new IllegalArgumentException(
          "committedSeq must be between 0 and lastSeq="
              + lastSeq
              + "; committedSeq="
              + committedSeq);
    }
    checkpointLock.lock();
    try {
      GenerationSet.TrimPlan plan;
      groupCommit.acquireLeadership();
      try {
        plan = generations.startTrim(committedSeq);
      } finally {
        groupCommit.releaseLeadership();
      }
      generations.finishTrim(plan);
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
    return generations.lastSeq();
  }

  /**
   * The highest sequence number known to be fsynced.
   *
   * @return the last synced sequence number
   */
  public long syncedSeq() {
    return generations.syncedSeq();
  }

  /**
   * The bytes in the generation files still kept.
   *
   * @return the size of the log on disk
   */
  public long sizeInBytes() {
    return generations.sizeInBytes();
  }

  /**
   * The error that failed the log, or null while it is healthy.
   *
   * @return the first write or fsync error
   */
  public Throwable failureCause() {
    return generations.failure();
  }

  /**
   * Stops the background fsync, fsyncs what was appended (unless the log failed), records the
   * synced end in the checkpoint and closes the files. Idempotent.
   *
   * @throws IOException if the final fsync or checkpoint write fails
   */
  @Override
  public void close() throws IOException {
    if (!generations.markClosed()) {
      return;
    }
    if (asyncSyncer != null) {
      asyncSyncer.stop();
    }
    checkpointLock.lock();
    groupCommit.acquireLeadership();
    try {
      generations.closeFiles();
    } finally {
      groupCommit.releaseLeadership();
      checkpointLock.unlock();
      io.stop();
    }
  }
}
