package io.iqdb.internal;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * What a collection needs of its write-ahead log: sequence numbers, appends, syncs and trimming. The
 * {@link #none} log (durability NONE, or in memory) only counts.
 */
interface CollectionLog extends Closeable {

  /** One write of a batch. */
  sealed interface Op permits Upsert, Delete {
    String id();
  }

  /**
   * An upsert.
   *
   * @param id the id
   * @param vector the vector
   * @param payload the encoded payload
   */
  record Upsert(String id, float[] vector, byte[] payload) implements Op {}

  /**
   * A delete.
   *
   * @param id the id
   */
  record Delete(String id) implements Op {}

  /**
   * Logs a batch (not yet durable).
   *
   * @param ops the batch
   * @return its sequence number
   * @throws IOException on failure; the log then refuses further appends
   */
  long append(List<Op> ops) throws IOException;

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
      public synchronized long append(List<Op> ops) {
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
