package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import org.apache.lucene.util.IOUtils;

/**
 * One generation file of an open {@link WriteAheadLog}. {@code written}, {@code lastSeq} and the
 * pending bytes change under the append lock of its {@link GenerationSet}; {@code synced}, {@code
 * flushed}, {@code allocated} and the file's contents under the sync leadership of its {@link
 * GroupCommit} (in SYNC mode; in the other modes records are written under the append lock).
 *
 * <p>In SYNC mode the threads that append records do not write them: the records wait in memory
 * ({@link #buffer}), and the sync leader writes all of them with one write just before its fsync
 * ({@link #takePending}, {@link #writeTaken}). Every SYNC writer waits for an fsync anyway, so this
 * costs none of them anything and saves a system call per record.
 */
final class Generation {

  private static final int INITIAL_PENDING_BYTES = 64 << 10;

  final long generation;
  final Path file;
  FileChannel channel; // null once sealed and closed

  /**
   * The length of the generation's records and markers: {@code flushed} plus the pending bytes,
   * plus any that a leader has taken and is writing.
   */
  volatile long written;

  volatile long synced;
  long lastSeq = -1;

  /** The bytes written to the file so far; the rest of {@code written} is pending. */
  long flushed;

  /** The file's length: {@code flushed} plus the zeros written ahead of it (see preallocation). */
  long allocated;

  /** Appended but not yet written (a buffer in write mode); allocated by the first append. */
  private ByteBuffer pending = ByteBuffer.allocate(0);

  /** The buffer the last leader wrote, kept for the next {@link #takePending}. */
  private ByteBuffer spare;

  Generation(long generation, Path file, FileChannel channel, long size) {
    this.generation = generation;
    this.file = file;
    this.channel = channel;
    this.written = size;
    this.synced = size;
    this.flushed = size;
    this.allocated = size;
  }

  /**
   * Writes {@code bytes} at the end of the file now; nothing may be pending. Caller holds the
   * append lock.
   */
  void write(ByteBuffer bytes) throws IOException {
    long end = flushed + bytes.remaining();
    WalIo.writeFully(channel, bytes, flushed);
    flushed = end;
    written = end;
    allocated = Math.max(allocated, end);
  }

  /** Adds {@code bytes} to the pending bytes. Caller holds the append lock. */
  void buffer(ByteBuffer bytes) {
    int length = bytes.remaining();
    if (pending.remaining() < length) {
      int capacity = Math.max(INITIAL_PENDING_BYTES, 2 * pending.capacity());
      ByteBuffer larger = ByteBuffer.allocate(Math.max(capacity, pending.position() + length));
      larger.put(pending.flip());
      pending = larger;
    }
    pending.put(bytes);
    written += length;
  }

  /** Whether appended bytes wait to be written. Caller holds the append lock. */
  boolean hasPending() {
    return pending.position() > 0;
  }

  /**
   * Takes the pending bytes, for {@link #writeTaken}; later appends go to another buffer. Caller
   * holds the append lock and the sync leadership.
   */
  ByteBuffer takePending() {
    ByteBuffer taken = pending.flip();
    pending = spare != null ? spare : ByteBuffer.allocate(0);
    spare = null;
    return taken;
  }

  /**
   * Writes bytes from {@link #takePending} at the end of the file, first extending the file with
   * {@code preallocate} zeros after them if they would reach past its allocated length (not
   * fsynced here: the fsync that follows makes the zeros durable with the records). Caller holds
   * the sync leadership, not necessarily the append lock.
   */
  void writeTaken(ByteBuffer taken, int preallocate) throws IOException {
    long end = flushed + taken.remaining();
    if (preallocate > 0 && end > allocated) {
      WalIo.writeFully(channel, ByteBuffer.allocate(preallocate), end);
      allocated = end + preallocate;
    }
    WalIo.writeFully(channel, taken, flushed);
    flushed = end;
    allocated = Math.max(allocated, end);
    // a large batch may have grown the buffer: do not keep that much memory for good
    spare = taken.capacity() <= 4 * INITIAL_PENDING_BYTES ? taken.clear() : null;
  }

  /** Writes the pending bytes now, without preallocating. Caller holds both locks. */
  void flushPending() throws IOException {
    if (hasPending()) {
      writeTaken(takePending(), 0);
    }
  }

  /**
   * Truncates the zeros preallocated after the last record (not fsynced). Caller holds the append
   * lock and the sync leadership.
   *
   * @return whether the file was truncated
   */
  boolean cutPreallocation() throws IOException {
    if (allocated <= flushed) {
      return false;
    }
    channel.truncate(flushed);
    allocated = flushed;
    return true;
  }

  /** Creates a generation file with its header, fsyncs it and its directory entry. */
  static Generation create(WalFileSystem fs, Path dir, long generation, long baseSeq)
      throws IOException {
    Path file = dir.resolve(WalFormat.generationFileName(generation));
    FileChannel channel =
        fs.open(
            file,
            EnumSet.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ));
    boolean success = false;
    try {
      ByteBuffer header = WalFormat.encodeGenerationHeader(generation, baseSeq);
      WalIo.writeFully(channel, header, 0);
      channel.force(true);
      fs.syncDirectory(dir);
      success = true;
      return new Generation(generation, file, channel, WalFormat.GENERATION_HEADER_BYTES);
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(channel);
      }
    }
  }
}
