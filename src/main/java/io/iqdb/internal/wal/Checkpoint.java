package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;

/**
 * The contents of {@code wal.ckp}; see {@code package-info.java} for the layout and meaning.
 *
 * @param committedSeq the highest sequence number ever passed to {@code trim} (or to {@code open}):
 *     records at or below it may have been deleted
 * @param syncedGeneration the generation that {@code syncedOffset} refers to; 0 if none
 * @param syncedOffset the first {@code syncedOffset} bytes of {@code syncedGeneration} were fsynced
 */
record Checkpoint(long committedSeq, long syncedGeneration, long syncedOffset) {

  static final Checkpoint EMPTY = new Checkpoint(0, 0, 0);

  /** Reads the checkpoint, or returns null if there is none. */
  static Checkpoint read(WalFileSystem fs, Path dir) throws IOException {
    Path file = dir.resolve(WalFormat.CHECKPOINT_NAME);
    ByteBuffer buf = ByteBuffer.allocate(WalFormat.CHECKPOINT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    long size;
    try (FileChannel channel = fs.open(file, EnumSet.of(StandardOpenOption.READ))) {
      size = channel.size();
      if (size == WalFormat.CHECKPOINT_BYTES) {
        WalIo.readFully(channel, buf, 0);
      }
    } catch (NoSuchFileException e) {
      return null;
    }
    // The checkpoint is replaced by an atomic rename of a fully fsynced file, so it is never torn:
    // any damage is corruption.
    if (size != WalFormat.CHECKPOINT_BYTES) {
      throw new CorruptWalException(
          "checkpoint has " + size + " bytes, expected " + WalFormat.CHECKPOINT_BYTES, file, -1);
    }
    if (buf.getInt(0) != WalFormat.CHECKPOINT_MAGIC) {
      throw new CorruptWalException("bad checkpoint magic", file, 0);
    }
    int crcAt = WalFormat.CHECKPOINT_BYTES - 4;
    if (buf.getInt(crcAt) != WalFormat.crc32c(buf.array(), 0, crcAt)) {
      throw new CorruptWalException("checkpoint checksum mismatch", file, crcAt);
    }
    if (buf.getInt(4) != WalFormat.CHECKPOINT_VERSION) {
      throw new CorruptWalException(
          "unsupported checkpoint version "
              + buf.getInt(4)
              + " (this build reads version "
              + WalFormat.CHECKPOINT_VERSION
              + ")",
          file,
          4);
    }
    Checkpoint checkpoint = new Checkpoint(buf.getLong(8), buf.getLong(16), buf.getLong(24));
    if (checkpoint.committedSeq < 0
        || checkpoint.syncedGeneration < 0
        || checkpoint.syncedOffset < 0) {
      throw new CorruptWalException("checkpoint holds negative values: " + checkpoint, file, 8);
    }
    return checkpoint;
  }

  /**
   * Replaces the checkpoint durably: write a temporary file, fsync it, rename it over the old one,
   * fsync the directory. A crash at any point leaves either the old or the new checkpoint.
   */
  void write(WalFileSystem fs, Path dir) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(WalFormat.CHECKPOINT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(WalFormat.CHECKPOINT_MAGIC).putInt(WalFormat.CHECKPOINT_VERSION);
    buf.putLong(committedSeq).putLong(syncedGeneration).putLong(syncedOffset);
    buf.putInt(WalFormat.crc32c(buf.array(), 0, WalFormat.CHECKPOINT_BYTES - 4));
    buf.flip();
    Path temp = dir.resolve(WalFormat.CHECKPOINT_TEMP_NAME);
    try (FileChannel channel =
        fs.open(
            temp,
            EnumSet.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE))) {
      WalIo.writeFully(channel, buf, 0);
      channel.force(true);
    }
    fs.atomicRename(temp, dir.resolve(WalFormat.CHECKPOINT_NAME));
    fs.syncDirectory(dir);
  }
}
