package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.util.IOUtils;

/**
 * The files of an open {@link WriteAheadLog}: the current generation that records are appended to,
 * the sealed generations still needed for recovery, the sequence numbers, and whether the log has
 * failed or was closed. Appends, rolls, trims and the final close of the files happen here; when
 * to fsync, and who does it, is {@link GroupCommit}'s business.
 *
 * <p>{@code appendLock} serializes writes and the switch to a new generation; every method takes
 * it itself. Methods that write or fsync the file outside an append (the leader's fsync, rolls,
 * trims, the final close) expect the caller to hold the sync leadership (see {@link GroupCommit});
 * this class does not take it, so that {@link WriteAheadLog} alone decides the lock order.
 *
 * <p>Preallocation (SYNC mode): the newest generation is extended with zeros {@link
 * #PREALLOCATE_BYTES} at a time ahead of its records, so that most fsyncs overwrite allocated
 * blocks of a file whose length does not change; on ext4 and XFS such an fdatasync needs no
 * journal commit and takes about 2/3 of the time of one that appends. The zeros after the last
 * record read as a torn tail, which recovery cuts off (see the package documentation); a
 * generation is truncated to its records before it is sealed.
 */
final class GenerationSet {

  /** Zeros written ahead of the records of the newest generation, in SYNC mode. */
  static final int PREALLOCATE_BYTES = 1 << 20;

  private final Path dir;
  private final WalFileSystem fs;
  private final long maxGenerationBytes;

  /** SYNC mode: appended records wait in memory for the sync leader, which writes them at once. */
  private final boolean buffered;

  private final ReentrantLock appendLock = new ReentrantLock();

  /** Older generations still needed for recovery, oldest first; channels closed. */
  private final ArrayDeque<Generation> sealed = new ArrayDeque<>();

  // Replaced under appendLock; volatile so that an append can look whether it filled it.
  private volatile Generation current;
  private volatile long lastSeq;
  private volatile long syncedSeq;
  private long committedSeq;
  private volatile Throwable failure;
  private volatile boolean closed;

  /**
   * What a sync leader's fsync covers, taken under the append lock by {@link #takeSyncPoint}.
   *
   * @param generation the generation to fsync (no roll can replace it while the leader runs)
   * @param upTo the generation's length the fsync makes durable
   * @param upToSeq the last sequence number the fsync makes durable
   * @param taken the pending bytes the leader writes before the fsync (SYNC mode), or null
   */
  record SyncPoint(Generation generation, long upTo, long upToSeq, ByteBuffer taken) {}

  /**
   * A trim decided under the locks by {@link #startTrim}, carried out by {@link #finishTrim}.
   *
   * @param obsolete the sealed generations holding only committed records
   * @param checkpoint the checkpoint that records the trim point
   */
  record TrimPlan(List<Generation> obsolete, Checkpoint checkpoint) {}

  private GenerationSet(
      Path dir,
      WalOptions options,
      WalRecovery.Result recovered,
      Generation current,
      long lastSeq,
      long committedSeq) {
    this.dir = dir;
    this.fs = options.fs();
    this.maxGenerationBytes = options.maxGenerationBytes();
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
  }

  /**
   * Starts a new generation after the recovered ones (the checkpoint that points at it is written
   * by {@link #writeCheckpoint}).
   *
   * @param dir the log's directory
   * @param options the log's options
   * @param recovered what recovery found
   * @param committedSeq the caller's committed sequence number
   * @return the generation set, appending to the new generation
   * @throws IOException if the generation cannot be created
   */
  static GenerationSet start(
      Path dir, WalOptions options, WalRecovery.Result recovered, long committedSeq)
      throws IOException {
    long lastSeq = Math.max(recovered.highestSeq(), committedSeq);
    Generation current =
        Generation.create(options.fs(), dir, recovered.highestGeneration() + 1, lastSeq);
    long trimmedThrough = Math.max(committedSeq, recovered.checkpoint().committedSeq());
    return new GenerationSet(dir, options, recovered, current, lastSeq, trimmedThrough);
  }

  /**
   * Writes the checkpoint: the trim point and the synced end of the current generation. Caller
   * holds the checkpoint lock, or is the opening thread.
   */
  void writeCheckpoint() throws IOException {
    checkpoint().write(fs, dir);
  }

  private Checkpoint checkpoint() {
    return new Checkpoint(committedSeq, current.generation, current.synced);
  }

  /** Closes the current generation's file, for an open that fails after {@link #start}. */
  void abandon() {
    IOUtils.closeWhileHandlingException(current.channel);
  }

  /** The log's directory, for messages and thread names. */
  Path dir() {
    return dir;
  }

  /**
   * Appends a record to the current generation (in SYNC mode: to its pending bytes) with the next
   * sequence number.
   *
   * @param record the encoded record; its seq, synced-offset claim and CRC are set here
   * @return the record's sequence number
   */
  long append(ByteBuffer record) throws IOException {
    appendLock.lock();
    try {
      ensureUsable();
      long seq = lastSeq + 1;
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
      return seq;
    } finally {
      appendLock.unlock();
    }
  }

  /** Whether the current generation has reached its maximum size and should be rolled. */
  boolean currentIsFull() {
    return current.written >= maxGenerationBytes;
  }

  /**
   * Takes what the next fsync covers: everything appended so far. Caller holds the sync leadership.
   *
   * @throws IOException if the log failed (a write may have failed it while the leader waited:
   *     then the leader must not fsync either)
   */
  SyncPoint takeSyncPoint() throws IOException {
    appendLock.lock();
    try {
      ensureUsable();
      Generation g = current;
      return new SyncPoint(g, g.written, lastSeq, g.hasPending() ? g.takePending() : null);
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Writes the bytes taken for {@code point} and fsyncs its generation. Caller holds the sync
   * leadership.
   *
   * @return false if there was nothing new to fsync
   * @throws IOException if the write or the fsync fails (the log is then failed)
   */
  boolean writeAndForce(SyncPoint point) throws IOException {
    Generation g = point.generation();
    try {
      if (point.taken() != null) {
        // Appends go on into the other buffer meanwhile; only the leader writes the file.
        g.writeTaken(point.taken(), PREALLOCATE_BYTES); // pending bytes: SYNC mode
      }
      if (point.upToSeq() <= syncedSeq) {
        return false; // nothing new (only a sync marker, which need not be durable)
      }
      // fdatasync is enough: the file only grows, and the new size is flushed with the data.
      g.channel.force(false);
      return true;
    } catch (Throwable t) {
      throw fail(t);
    }
  }

  /**
   * Records that {@code point} was fsynced and writes a sync marker. Caller holds the sync
   * leadership.
   */
  void markSynced(SyncPoint point) {
    // No roll can have happened meanwhile (rolls need the leadership), so all up to upToSeq is
    // in g.
    Generation g = point.generation();
    g.synced = point.upTo();
    syncedSeq = point.upToSeq();
    writeSyncMarker(g, point.upToSeq(), point.upTo());
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

  /** Rolls to a new generation if the current one is full. Caller holds the sync leadership. */
  void rollIfFull() throws IOException {
    appendLock.lock();
    try {
      if (closed || failure != null || current.written < maxGenerationBytes) {
        return;
      }
      rollLocked();
    } finally {
      appendLock.unlock();
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
   * The part of a trim that needs the locks: starts a new generation if the current one holds only
   * records up to {@code committedSeq}, raises the trim point and lists the generations to delete.
   * Caller holds the sync leadership.
   */
  TrimPlan startTrim(long committedSeq) throws IOException {
    appendLock.lock();
    try {
      ensureUsable();
      if (current.lastSeq >= 0 && current.lastSeq <= committedSeq) {
        rollLocked();
      }
      this.committedSeq = Math.max(this.committedSeq, committedSeq);
      List<Generation> obsolete = new ArrayList<>();
      for (Generation g : sealed) {
        if (g.lastSeq > committedSeq) {
          break;
        }
        obsolete.add(g);
      }
      return new TrimPlan(obsolete, checkpoint());
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * The rest of a trim, without the sync leadership: writes the checkpoint, then deletes the
   * obsolete generations. Caller holds the checkpoint lock.
   */
  void finishTrim(TrimPlan plan) throws IOException {
    // The checkpoint first: once it says seq <= committedSeq were committed, recovery no longer
    // expects those records, whichever of the deletions below reach the disk.
    plan.checkpoint().write(fs, dir);
    for (Generation g : plan.obsolete()) {
      fs.deleteIfExists(g.file);
      appendLock.lock();
      try {
        sealed.remove(g);
      } finally {
        appendLock.unlock();
      }
    }
    if (!plan.obsolete().isEmpty()) {
      fs.syncDirectory(dir);
    }
  }

  long lastSeq() {
    return lastSeq;
  }

  long syncedSeq() {
    return syncedSeq;
  }

  /** The bytes in the generation files still kept. */
  long sizeInBytes() {
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

  Throwable failure() {
    return failure;
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Marks the log closed: appends fail from now on.
   *
   * @return false if it was closed already
   */
  boolean markClosed() {
    appendLock.lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Fsyncs what was appended (unless the log failed), records the synced end in the checkpoint and
   * closes the current generation. Caller holds the checkpoint lock and the sync leadership.
   *
   * @throws IOException if the final fsync or checkpoint write fails
   */
  void closeFiles() throws IOException {
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
          writeCheckpoint();
        } catch (Throwable t) {
          throw fail(t);
        }
      }
    } finally {
      IOUtils.closeWhileHandlingException(current.channel);
      appendLock.unlock();
    }
  }

  /**
   * Throws if the log failed or was closed.
   *
   * @throws IOException if the log failed earlier
   * @throws AlreadyClosedException if the log is closed
   */
  void ensureUsable() throws IOException {
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
