package io.iqdb.internal.wal;

import java.io.IOException;
import java.util.List;

/** Receives the records that {@link WriteAheadLog#open} replays, in sequence order. */
@FunctionalInterface
public interface WalReplayer {

  /**
   * Applies one logged batch. Called once per record with {@code seq > committedSeq}, in increasing
   * and gap-free sequence order; the batch is complete (a torn record is never handed out).
   *
   * @param seq the sequence number of the batch
   * @param batch the entries of the batch, in the order they were appended; owned by the callee
   * @throws IOException to abort the open; it is rethrown by {@link WriteAheadLog#open}
   */
  void replay(long seq, List<WalEntry> batch) throws IOException;
}
