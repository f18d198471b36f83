package io.iqdb.internal;

import io.iqdb.Hit;
import io.iqdb.Payload;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Predicate;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * A point-in-time view of a collection's {@link Tail}: the active generation up to the size it had
 * when the view was taken, and the frozen generations. The latest entry of an id in the view
 * shadows every older version of it, in older generations and in the searcher; a read merges the
 * view with a searcher acquired after it (see {@link TailSearch}).
 */
final class TailView {
  /** The view of an empty tail. */
  static final TailView EMPTY = new TailView(null, 0, List.of());

  private final Tail.Generation active;
  private final int activeSize;
  /** Newest first. */
  private final List<Tail.Generation> frozen;

  TailView(Tail.Generation active, int activeSize, List<Tail.Generation> frozen) {
    this.active = active;
    this.activeSize = activeSize;
    this.frozen = frozen;
  }

  /** Whether the view holds no entry: the searcher alone answers. */
  boolean isEmpty() {
    return activeSize == 0 && frozen.isEmpty();
  }

  /** The entries of the view (upserts and deletes, superseded ones included). */
  int size() {
    int n = activeSize;
    for (Tail.Generation g : frozen) {
      n += g.size();
    }
    return n;
  }

  /** The latest entry of an id in the view (an upsert or a delete), or null: ask the searcher. */
  Tail.Entry lookup(String id) {
    if (activeSize > 0) {
      Tail.Entry e = active.latest(id, activeSize);
      if (e != null) {
        return e;
      }
    }
    for (Tail.Generation g : frozen) {
      Tail.Entry e = g.latest(id, g.size());
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  /** Whether the view holds a write of the id, so that the searcher's document of it is stale. */
  boolean shadows(String id) {
    return lookup(id) != null;
  }

  /**
   * The {@code k} best live records of the view that the filter accepts, by exact score, best
   * first.
   *
   * @param query the query vector
   * @param k how many
   * @param accept the filter on payloads, or null for all
   * @param similarity the collection's similarity, whose scores Lucene's exact search reports too
   * @param includePayload whether the hits carry payload and text
   * @param includeVectors whether the hits carry vectors
   */
  List<Hit> search(
      float[] query, int k, Predicate<Payload> accept, VectorSimilarityFunction similarity,
      boolean includePayload, boolean includeVectors) {
    // Worst first: the lower score, on a tie the newer record, so that ties go to the older record
    // as in Lucene (the lower document) and the result does not depend on the refresh timing.
    PriorityQueue<Scored> best = new PriorityQueue<>(k + 1, WORST_FIRST);
    if (activeSize > 0) {
      Tail.Entry[] entries = active.entries();
      long generation = frozen.size(); // the newest
      for (int i = 0; i < activeSize; i++) {
        Tail.Entry e = entries[i];
        if (e.supersededAt >= activeSize) {
          offer(best, k, e, generation << 32 | i, query, accept, similarity);
        }
      }
    }
    for (int g = 0; g < frozen.size(); g++) {
      Tail.Generation gen = frozen.get(g);
      int size = gen.size();
      Tail.Entry[] entries = gen.entries();
      long generation = frozen.size() - 1 - g; // frozen generations are listed newest first
      for (int i = 0; i < size; i++) {
        Tail.Entry e = entries[i];
        if (e.supersededAt == Integer.MAX_VALUE && newestOutside(e.id, g)) {
          offer(best, k, e, generation << 32 | i, query, accept, similarity);
        }
      }
    }
    List<Hit> hits = new ArrayList<>(best.size());
    while (!best.isEmpty()) {
      Scored s = best.poll();
      Tail.Entry e = s.entry;
      hits.add(new Hit(
          e.id, s.score, includePayload ? e.payload : Payload.empty(),
          includeVectors ? e.vector.clone() : null, includePayload ? e.text : null));
    }
    java.util.Collections.reverse(hits);
    return hits;
  }

  /** Whether no generation newer than frozen generation {@code g} holds the id. */
  private boolean newestOutside(String id, int g) {
    if (activeSize > 0 && active.latest(id, activeSize) != null) {
      return false;
    }
    for (int j = 0; j < g; j++) {
      Tail.Generation newer = frozen.get(j);
      if (newer.latest(id, newer.size()) != null) {
        return false;
      }
    }
    return true;
  }

  /** A scored record; {@code age} orders records oldest first (generation, then position). */
  private record Scored(Tail.Entry entry, float score, long age) {}

  private static final java.util.Comparator<Scored> WORST_FIRST =
      java.util.Comparator.comparingDouble((Scored s) -> s.score).thenComparing(
          java.util.Comparator.comparingLong((Scored s) -> s.age).reversed());

  private static void offer(
      PriorityQueue<Scored> best, int k, Tail.Entry e, long age, float[] query, Predicate<Payload> accept,
      VectorSimilarityFunction similarity) {
    if (e.isDelete() || (accept != null && !accept.test(e.payload))) {
      return;
    }
    float score = similarity.compare(query, e.vector);
    if (best.size() < k) {
      best.add(new Scored(e, score, age));
      return;
    }
    Scored worst = best.peek();
    if (score > worst.score || (score == worst.score && age < worst.age)) { // as WORST_FIRST orders
      best.poll();
      best.add(new Scored(e, score, age));
    }
  }
}
