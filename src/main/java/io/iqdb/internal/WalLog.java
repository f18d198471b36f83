package io.iqdb.internal;

import io.iqdb.internal.wal.WalEntry;
import io.iqdb.internal.wal.WriteAheadLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A collection's {@link CollectionLog} backed by its {@link WriteAheadLog}. */
final class WalLog implements CollectionLog {
  private final WriteAheadLog wal;

  WalLog(WriteAheadLog wal) {
    this.wal = wal;
  }

  static List<WalEntry> toEntries(List<Op> ops) {
    List<WalEntry> entries = new ArrayList<>(ops.size());
    for (Op op : ops) {
      entries.add(switch (op) {
        case Upsert u -> WalEntry.upsert(u.id(), u.vector(), u.payload());
        case Delete d -> WalEntry.delete(d.id());
      });
    }
    return entries;
  }

  static List<Op> toOps(List<WalEntry> entries) {
    List<Op> ops = new ArrayList<>(entries.size());
    for (WalEntry e : entries) {
      ops.add(switch (e.op()) {
        case UPSERT -> new Upsert(e.id(), e.vector(), e.payload());
        case DELETE -> new Delete(e.id());
      });
    }
    return ops;
  }

  private record Encoded(WriteAheadLog.Record record) implements CollectionLog.Encoded {}

  @Override
  public CollectionLog.Encoded encode(List<Op> ops) {
    try {
      return new Encoded(WriteAheadLog.encode(toEntries(ops)));
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
