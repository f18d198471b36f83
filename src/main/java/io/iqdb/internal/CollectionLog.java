package io.iqdb.internal;

import io.iqdb.internal.wal.WalEntry;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * What a collection needs of its write-ahead log: sequence numbers, appends, syncs and trimming. The
 * {@link #none} log (durability NONE, or in memory) only counts.
 *
 * <p>A batch is a list of {@link WalEntry}, the write-ahead log's own entry type, from the write
 * path through the log to replay and quarantine: one type carries a logged operation end to end.
 * An upsert's payload is always the {@link PayloadCodec} encoding (never null) when it comes from
 * the write path.
 */
interface CollectionLog extends Closeable {

  /** A batch encoded for the log by {@link #encode}: checked, not yet logged. */
  interface Encoded {}

  /**
   * Encodes a batch for {@link #append}, without touching the log.
   *
   * @param ops the batch, at least one op
   * @return the encoded batch
   * @throws io.iqdb.InvalidArgumentException if the batch cannot be one log record (too large)
   */
  Encoded encode(List<WalEntry> ops);

  /**
   * Logs an encoded batch (not yet durable).
   *
   * @param batch the batch from {@link #encode}
   * @return its sequence number
   * @throws IOException on failure; the log then refuses further appends
   */
  long append(Encoded batch) throws IOException;

  /**
   * Makes every batch up to {@code seq} durable, if this log syncs on request.
   *
   * @param seq the sequence number
   * @throws IOException on failure
   */
  void sync(long seq) throws IOException;

  /**
   * Drops what a commit containing every batch up to {@code seq} made unnecessary.
   *
   * @param seq the committed sequence number
   * @throws IOException on failure
   */
  void trim(long seq) throws IOException;

  /**
   * The last sequence number assigned.
   *
   * @return the sequence number
   */
  long lastSeq();

  /**
   * Bytes on disk.
   *
   * @return the size
   */
  long sizeInBytes();

  /** What the {@link #none} log keeps of a batch: nothing. */
  Encoded NONE_ENCODED = new Encoded() {};

  /**
   * A log that keeps nothing and only counts sequence numbers.
   *
   * @param lastSeq the last sequence number used so far
   * @return the log
   */
  static CollectionLog none(long lastSeq) {
    return new CollectionLog() {
      private long seq = lastSeq;

      @Override
      public Encoded encode(List<WalEntry> ops) {
        return NONE_ENCODED;
      }

      @Override
      public synchronized long append(Encoded batch) {
        return ++seq;
      }

      @Override
      public void sync(long s) {}

      @Override
      public void trim(long s) {}

      @Override
      public synchronized long lastSeq() {
        return seq;
      }

      @Override
      public long sizeInBytes() {
        return 0;
      }

      @Override
      public void close() {}
    };
  }
}
