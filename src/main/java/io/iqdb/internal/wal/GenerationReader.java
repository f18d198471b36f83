package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** Reads records from one generation file during recovery, telling valid ones from damaged ones. */
final class GenerationReader {

  /** A record whose magic, length and CRC are valid; {@code bytes} holds the whole record. */
  record Parsed(long offset, int length, long seq, long syncedOffset, ByteBuffer bytes) {
    /** A sync marker: no entries, not replayed. */
    boolean isSyncMarker() {
      return bytes.getInt(24) == 0;
    }
  }

  private static final int SCAN_BLOCK = 64 * 1024;
  private static final int SMALLEST_RECORD =
      WalFormat.RECORD_PREFIX_BYTES + WalFormat.MIN_BODY_BYTES + WalFormat.RECORD_CRC_BYTES;

  private final FileChannel channel;
  private final long size;
  private String problem;

  GenerationReader(FileChannel channel, long size) {
    this.channel = channel;
    this.size = size;
  }

  /** Why the last {@link #tryRead} returned null. */
  String problem() {
    return problem;
  }

  /** Returns the record at {@code offset}, or null (see {@link #problem()}) if it is not valid. */
  Parsed tryRead(long offset) throws IOException {
    if (size - offset < WalFormat.RECORD_PREFIX_BYTES) {
      problem = "incomplete record header (" + (size - offset) + " bytes before end of file)";
      return null;
    }
    ByteBuffer prefix =
        ByteBuffer.allocate(WalFormat.RECORD_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    WalIo.readFully(channel, prefix, offset);
    if (prefix.getInt(0) != WalFormat.RECORD_MAGIC) {
      problem = "bad record magic 0x" + Integer.toHexString(prefix.getInt(0));
      return null;
    }
    int bodyLength = prefix.getInt(4);
    long total = (long) WalFormat.RECORD_PREFIX_BYTES + bodyLength + WalFormat.RECORD_CRC_BYTES;
    if (bodyLength < WalFormat.MIN_BODY_BYTES || total > WalFormat.MAX_RECORD_BYTES) {
      problem = "record body length out of range: " + bodyLength;
      return null;
    }
    if (total > size - offset) {
      problem =
          "incomplete record: "
              + total
              + " bytes long but only "
              + (size - offset)
              + " before end of file";
      return null;
    }
    ByteBuffer record = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    WalIo.readFully(channel, record, offset);
    int crcAt = (int) total - WalFormat.RECORD_CRC_BYTES;
    if (record.getInt(crcAt) != WalFormat.crc32c(record.array(), 0, crcAt)) {
      problem = "record checksum mismatch";
      return null;
    }
    record.flip();
    problem = null;
    return new Parsed(offset, (int) total, record.getLong(8), record.getLong(16), record);
  }

  /**
   * Finds the first valid record that starts after {@code from} and whose synced-offset claim
   * exceeds {@code minClaim}: proof that bytes up to that claim had been fsynced. Returns its
   * offset, or -1 if there is none. A search byte by byte for the record magic: the length field at
   * {@code from} cannot be trusted.
   */
  long findValidRecordClaimingBeyond(long from, long minClaim) throws IOException {
    ByteBuffer block = ByteBuffer.allocate(SCAN_BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    long start = from + 1;
    while (size - start >= SMALLEST_RECORD) {
      block.clear().limit((int) Math.min(SCAN_BLOCK, size - start));
      WalIo.readFully(channel, block, start);
      int n = block.limit();
      for (int i = 0; i + 4 <= n; i++) {
        if (block.getInt(i) == WalFormat.RECORD_MAGIC) {
          Parsed candidate = tryRead(start + i);
          if (candidate != null && candidate.syncedOffset() > minClaim) {
            return start + i;
          }
        }
      }
      // The last three bytes may begin a magic that straddles the block boundary.
      start += Math.max(1, n - 3);
    }
    return -1;
  }
}
