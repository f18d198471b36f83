package io.iqdb.internal;

import io.iqdb.Payload;
import io.iqdb.internal.wal.WalEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The records a collection wrote since its searcher was last refreshed, in memory, so that reads
 * see them without a refresh (see {@link TailView} for how reads use them and {@link Refresher} for
 * how they move into the searcher).
 *
 * <p>The tail is a list of generations: the <em>active</em> one, which writes append to, and the
 * <em>frozen</em> ones, which a refresh froze and drops only once the searcher that contains them is
 * installed. A generation is an append-only log of entries (the latest write of an id shadows the
 * older ones) published batch by batch: a read sees a batch whole or not at all.
 *
 * <p>Why no write is ever invisible: a write applies to the index writer, then reads the tail's
 * state and appends to its active generation; a refresh freezes the active generation, then opens
 * its reader. So every entry of a frozen generation was applied to the index writer before the
 * refresh opens its reader (one that read the state before the freeze and appends after it still
 * applied before that read). A read takes its {@link #view} before it acquires its searcher: a generation missing from
 * the view was dropped, so the searcher the read then acquires contains it.
 */
final class Tail {
  /** A write of an id: an upsert ({@code vector} not null) or a delete. */
  static final class Entry {
    final String id;
    /** The vector of an upsert; {@code null} for a delete. */
    final float[] vector;
    final Payload payload;
    final String text;
    /** This entry's position in its generation. */
    final int pos;
    /** The previous entry of the same id in the same generation, or null. */
    final Entry prev;
    /** The position of the next entry of the same id in the same generation; MAX_VALUE for none. */
    volatile int supersededAt = Integer.MAX_VALUE;

    Entry(String id, float[] vector, Payload payload, String text, int pos, Entry prev) {
      this.id = id;
      this.vector = vector;
      this.payload = payload;
      this.text = text;
      this.pos = pos;
      this.prev = prev;
    }

    boolean isDelete() {
      return vector == null;
    }
  }

  /** One generation: an append-only log of entries and the latest entry of each id. */
  static final class Generation {
    private final ConcurrentHashMap<String, Entry> latest = new ConcurrentHashMap<>();
    /** Replaced (grown) only by appenders, under this generation's monitor, before {@link #size}. */
    private volatile Entry[] entries = new Entry[16];
    /** How many entries are published; written after the entries of a batch. */
    private volatile int size;

    /** Appends a batch; readers see it once the size is published. */
    synchronized void append(List<Entry> batch) {
      int n = size;
      Entry[] a = entries;
      if (n + batch.size() > a.length) {
        a = java.util.Arrays.copyOf(a, Math.max(a.length * 2, n + batch.size()));
        entries = a;
      }
      for (Entry e : batch) {
        a[e.pos] = e;
        if (e.prev != null) {
          e.prev.supersededAt = e.pos;
        }
        latest.put(e.id, e);
      }
      size = n + batch.size();
    }

    /**
     * Appends the writes of a batch, each linked to the id's previous entry in this generation. The
     * ids of a batch are distinct (the write path keeps an id's last occurrence), so an entry's
     * previous one is never in the same batch.
     */
    synchronized void appendWrites(List<WalEntry> ops, List<Payload> payloads, List<String> texts) {
      List<Entry> batch = new ArrayList<>(ops.size());
      int pos = size;
      int u = 0;
      for (WalEntry op : ops) {
        Entry prev = latest.get(op.id());
        Entry e;
        if (op.op() == WalEntry.Op.UPSERT) {
          e = new Entry(op.id(), op.vector(), payloads.get(u), texts.get(u), pos++, prev);
          u++;
        } else {
          e = new Entry(op.id(), null, null, null, pos++, prev);
        }
        batch.add(e);
      }
      append(batch);
    }

    int size() {
      return size;
    }

    /** The entries, valid up to a size read before this call. */
    Entry[] entries() {
      return entries;
    }

    /** The latest entry of an id among the first {@code size} entries, or null. */
    Entry latest(String id, int size) {
      Entry e = latest.get(id);
      while (e != null && e.pos >= size) {
        e = e.prev;
      }
      return e;
    }
  }

  /** The active generation and the frozen ones, newest first; replaced whole. */
  private record State(Generation active, List<Generation> frozen) {}

  private volatile State state = new State(new Generation(), List.of());

  /** Appends a write; the caller applied it to the index writer before. */
  void append(List<WalEntry> ops, List<Payload> payloads, List<String> texts) {
    state.active.appendWrites(ops, payloads, texts);
  }

  /** How many entries the active generation holds. */
  int activeSize() {
    return state.active.size();
  }

  /**
   * Freezes the active generation and starts a new one. The caller (a refresh, serialized) opens its
   * reader only after this; see the class comment for why no write is lost in between.
   */
  void freeze() {
    State s = state;
    if (s.active.size() == 0) {
      return;
    }
    List<Generation> frozen = new ArrayList<>(s.frozen.size() + 1);
    frozen.add(s.active);
    frozen.addAll(s.frozen);
    state = new State(new Generation(), List.copyOf(frozen));
  }

  /**
   * Drops the frozen generations, once the searcher that contains them is installed. Refreshes are
   * serialized, so none froze a generation since this one's {@link #freeze}.
   */
  void dropFrozen() {
    State s = state;
    state = new State(s.active, List.of());
  }

  /** A point-in-time view of the tail; see {@link TailView}. */
  TailView view() {
    State s = state;
    int size = s.active.size(); // the active generation's size, read once: the view's snapshot
    if (size == 0 && s.frozen.isEmpty()) {
      return TailView.EMPTY;
    }
    return new TailView(s.active, size, s.frozen);
  }
}
