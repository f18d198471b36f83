package io.iqdb.internal;

import io.iqdb.internal.wal.WalEntry;
import io.iqdb.internal.wal.WriteAheadLog;
import java.io.IOException;
import java.util.List;

/** A collection's {@link CollectionLog} backed by its {@link WriteAheadLog}. */
final class WalLog implements CollectionLog {
  private final WriteAheadLog wal;

  WalLog(WriteAheadLog wal) {
    this.wal = wal;
  }

  private record Encoded(WriteAheadLog.Record record) implements CollectionLog.Encoded {}

  @Override
  public CollectionLog.Encoded encode(List<WalEntry> ops) {
    try {
      return new Encoded(WriteAheadLog.encode(ops));
    } catch (IllegalArgumentException e) {
      throw new io.iqdb.InvalidArgumentException(
          "a batch of " + ops.size() + " records is too large for one write-ahead-log record ("
              + e.getMessage() + "); split it into smaller batches", e);
    }
  }

  @Override
  public long append(CollectionLog.Encoded batch) throws IOException {
    return wal.append(((Encoded) batch).record());
  }

  @Override
  public void sync(long seq) throws IOException {
    wal.sync(seq);
  }

  @Override
  public void trim(long seq) throws IOException {
    wal.trim(seq);
  }

  @Override
  public long lastSeq() {
    return wal.lastSeq();
  }

  @Override
  public long sizeInBytes() {
    return wal.sizeInBytes();
  }

  @Override
  public void close() throws IOException {
    wal.close();
  }
}
