package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import org.apache.lucene.util.IOUtils;

/**
 * One generation file of an open {@link WriteAheadLog}. {@code written}, {@code allocated} and
 * {@code lastSeq} change under the log's append lock, {@code synced} under its sync leadership.
 */
final class Generation {
  final long generation;
  final Path file;
  FileChannel channel; // null once sealed and closed
  volatile long written;
  volatile long synced;
  long lastSeq = -1;

  /** The file's length: {@code written} plus the zeros written ahead of it (see preallocation). */
  long allocated;

  Generation(long generation, Path file, FileChannel channel, long size) {
    this.generation = generation;
    this.file = file;
    this.channel = channel;
    this.written = size;
    this.synced = size;
    this.allocated = size;
  }

  /**
   * Truncates the zeros preallocated after the last record (not fsynced). Caller holds the append
   * lock.
   *
   * @return whether the file was truncated
   */
  boolean cutPreallocation() throws IOException {
    if (allocated <= written) {
      return false;
    }
    channel.truncate(written);
    allocated = written;
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
