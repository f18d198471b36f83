package io.iqdb.internal.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Constants, encoders and decoders of the WAL files. The layouts are specified in {@code
 * package-info.java}; everything is little-endian.
 */
final class WalFormat {

  /** Bytes {@code 69 51 57 4C} ("iQWL") at the start of every generation file. */
  static final int GENERATION_MAGIC = 0x4C575169;

  /** Bytes {@code 69 51 52 43} ("iQRC") at the start of every record. */
  static final int RECORD_MAGIC = 0x43525169;

  /** Bytes {@code 69 51 43 4B} ("iQCK") at the start of the checkpoint file. */
  static final int CHECKPOINT_MAGIC = 0x4B435169;

  /** The generation file version written: 2 (version 1 had no sync markers). */
  static final int GENERATION_VERSION = 2;

  /** The oldest generation file version read. */
  static final int MIN_GENERATION_VERSION = 1;

  /** The first generation file version with sync markers. */
  static final int SYNC_MARKER_VERSION = 2;

  /** The checkpoint version. */
  static final int CHECKPOINT_VERSION = 1;

  /** magic, version, generation, base seq, CRC32C. */
  static final int GENERATION_HEADER_BYTES = 4 + 4 + 8 + 8 + 4;

  /** magic and body length, before the body. */
  static final int RECORD_PREFIX_BYTES = 8;

  /** The trailing CRC32C of a record. */
  static final int RECORD_CRC_BYTES = 4;

  /** seq, synced offset, entry count: the smallest body. */
  static final int MIN_BODY_BYTES = 8 + 8 + 4;

  /** The largest record, so that its length fits the int field with room to spare. */
  static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;

  /** magic, version, committed seq, synced generation, synced offset, CRC32C. */
  static final int CHECKPOINT_BYTES = 4 + 4 + 8 + 8 + 8 + 4;

  static final String GENERATION_PREFIX = "wal-";
  static final String GENERATION_SUFFIX = ".log";
  static final String CHECKPOINT_NAME = "wal.ckp";
  static final String CHECKPOINT_TEMP_NAME = "wal.ckp.tmp";

  private static final int PAYLOAD_ABSENT = -1;

  private WalFormat() {}

  /** The file name of a generation: zero-padded so that names sort like generations. */
  static String generationFileName(long generation) {
    // Locale.ROOT: some default locales format digits in other scripts.
    return GENERATION_PREFIX + String.format(Locale.ROOT, "%019d", generation) + GENERATION_SUFFIX;
  }

  /** The generation of a file name, or -1 if the name is not a generation file's. */
  static long parseGeneration(String fileName) {
    if (!fileName.startsWith(GENERATION_PREFIX) || !fileName.endsWith(GENERATION_SUFFIX)) {
      return -1;
    }
    String digits =
        fileName.substring(
            GENERATION_PREFIX.length(), fileName.length() - GENERATION_SUFFIX.length());
    // Only the canonical spelling, so that no two names map to the same generation.
    if (digits.length() != 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static int crc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  static ByteBuffer encodeGenerationHeader(long generation, long baseSeq) {
    ByteBuffer buf = ByteBuffer.allocate(GENERATION_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(GENERATION_MAGIC).putInt(GENERATION_VERSION).putLong(generation).putLong(baseSeq);
    buf.putInt(crc32c(buf.array(), 0, GENERATION_HEADER_BYTES - 4));
    return buf.flip();
  }

  /** Returns null if {@code header} is a valid header of {@code generation}, else the problem. */
  static String checkGenerationHeader(byte[] header, long generation) {
    ByteBuffer buf = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    if (buf.getInt(0) != GENERATION_MAGIC) {
      return "bad generation header magic";
    }
    if (buf.getInt(GENERATION_HEADER_BYTES - 4) != crc32c(header, 0, GENERATION_HEADER_BYTES - 4)) {
      return "generation header checksum mismatch";
    }
    if (buf.getLong(8) != generation) {
      return "header names generation " + buf.getLong(8) + " but the file name says " + generation;
    }
    if (buf.getLong(16) < 0) {
      return "negative base seq " + buf.getLong(16) + " in generation header";
    }
    return null;
  }

  /**
   * Returns null if this build reads the version of a header that passed {@link
   * #checkGenerationHeader}, else the problem.
   */
  static String checkGenerationVersion(byte[] header) {
    int version = headerVersion(header);
    if (version < MIN_GENERATION_VERSION || version > GENERATION_VERSION) {
      return "unsupported WAL generation format version "
          + version
          + " (this build reads versions "
          + MIN_GENERATION_VERSION
          + " to "
          + GENERATION_VERSION
          + ")";
    }
    return null;
  }

  static int headerVersion(byte[] header) {
    return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
  }

  /** The base seq of a header that passed {@link #checkGenerationHeader}. */
  static long baseSeq(byte[] header) {
    return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(16);
  }

  /**
   * Encodes a batch as a record whose seq, synced offset and CRC are still blank; {@link #seal}
   * fills them in once the sequence number is known.
   */
  static ByteBuffer encodeRecord(List<WalEntry> batch) {
    long size = RECORD_PREFIX_BYTES + MIN_BODY_BYTES + RECORD_CRC_BYTES;
    List<byte[]> ids = new ArrayList<>(batch.size());
    for (WalEntry entry : batch) {
      if (entry == null) {
        throw new IllegalArgumentException("a batch must not contain null entries");
      }
      byte[] id = entry.id().getBytes(StandardCharsets.UTF_8);
      ids.add(id);
      size += 1 + 4 + id.length;
      if (entry.op() == WalEntry.Op.UPSERT) {
        size +=
            4
                + 4L * entry.vector().length
                + 4
                + (entry.payload() == null ? 0 : entry.payload().length);
      }
    }
    if (size > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "a batch must encode to at most " + MAX_RECORD_BYTES + " bytes; bytes=" + size);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(RECORD_MAGIC).putInt((int) size - RECORD_PREFIX_BYTES - RECORD_CRC_BYTES);
    buf.putLong(0).putLong(0).putInt(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      WalEntry entry = batch.get(i);
      byte[] id = ids.get(i);
      buf.put(entry.op().code()).putInt(id.length).put(id);
      if (entry.op() == WalEntry.Op.UPSERT) {
        float[] vector = entry.vector();
        buf.putInt(vector.length);
        buf.asFloatBuffer().put(vector);
        buf.position(buf.position() + 4 * vector.length);
        byte[] payload = entry.payload();
        if (payload == null) {
          buf.putInt(PAYLOAD_ABSENT);
        } else {
          buf.putInt(payload.length).put(payload);
        }
      }
    }
    // The CRC slot at the end is still blank; the whole capacity is the record.
    assert buf.remaining() == RECORD_CRC_BYTES;
    return buf.clear();
  }

  /**
   * A sync marker: a record without entries whose seq is the last one fsynced and whose synced
   * offset is the fsynced end of the generation. Not replayed; only a witness for recovery.
   */
  static ByteBuffer encodeSyncMarker(long syncedSeq, long syncedOffset) {
    int size = RECORD_PREFIX_BYTES + MIN_BODY_BYTES + RECORD_CRC_BYTES;
    ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(RECORD_MAGIC).putInt(MIN_BODY_BYTES).putLong(0).putLong(0).putInt(0);
    ByteBuffer record = buf.clear();
    seal(record, syncedSeq, syncedOffset);
    return record;
  }

  /** Fills in the sequence number, the synced-offset claim and the CRC of an encoded record. */
  static void seal(ByteBuffer record, long seq, long syncedOffset) {
    record.putLong(8, seq).putLong(16, syncedOffset);
    int crcAt = record.limit() - RECORD_CRC_BYTES;
    record.putInt(crcAt, crc32c(record.array(), 0, crcAt));
  }

  /**
   * Decodes the entries of a record whose CRC matched. Returns null if the body is malformed,
   * which, behind a matching CRC, can only mean corruption or a bug.
   */
  static List<WalEntry> decodeEntries(ByteBuffer record) {
    ByteBuffer buf = record.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int end = buf.limit() - RECORD_CRC_BYTES;
    buf.limit(end).position(24);
    int count = buf.getInt();
    if (count <= 0 || count > (end - buf.position()) / 5) {
      return null;
    }
    List<WalEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (buf.remaining() < 5) {
        return null;
      }
      WalEntry.Op op = WalEntry.Op.fromCode(buf.get());
      int idLength = buf.getInt();
      if (op == null || idLength < 0 || idLength > buf.remaining()) {
        return null;
      }
      String id = new String(buf.array(), buf.position(), idLength, StandardCharsets.UTF_8);
      buf.position(buf.position() + idLength);
      if (op == WalEntry.Op.DELETE) {
        entries.add(WalEntry.delete(id));
        continue;
      }
      if (buf.remaining() < 4) {
        return null;
      }
      int dim = buf.getInt();
      if (dim < 0 || dim > (buf.remaining() - 4) / 4) {
        return null;
      }
      float[] vector = new float[dim];
      buf.asFloatBuffer().get(vector);
      buf.position(buf.position() + 4 * dim);
      int payloadLength = buf.getInt();
      byte[] payload = null;
      if (payloadLength != PAYLOAD_ABSENT) {
        if (payloadLength < 0 || payloadLength > buf.remaining()) {
          return null;
        }
        payload = new byte[payloadLength];
        buf.get(payload);
      }
      entries.add(WalEntry.upsert(id, vector, payload));
    }
    return buf.hasRemaining() ? null : entries;
  }
}
