package io.iqdb.internal;

import io.iqdb.Hit;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.lucene.search.IndexSearcher;

/**
 * Reads that merge a searcher with a {@link TailView} taken before it: the view's latest entry of an
 * id (an upsert or a delete) replaces the searcher's document of that id.
 *
 * <p>A vector search asks the searcher for {@code k} hits, drops those whose ids the view shadows,
 * and asks again for more while it has fewer than {@code k} left and the searcher had more to give;
 * then it merges the rest with the view's exact top {@code k}. Usually nothing is shadowed and one
 * search suffices: a record written since the last refresh that was in the searcher's top {@code k}
 * costs one more search.
 */
final class TailSearch {
  private final SearchExecutor executor;
  private final PayloadFilter payloadFilter;
  private final Schema schema;

  TailSearch(SearchExecutor executor, Schema schema) {
    this.executor = executor;
    this.schema = schema;
    this.payloadFilter = new PayloadFilter(new FilterCompiler(schema));
  }

  /**
   * Whether a request can be served from a searcher plus a tail: a vector search, filtered by a
   * {@link io.iqdb.Filter} at most. A text or hybrid search needs BM25 statistics over the records,
   * and a Lucene query filter cannot be evaluated on a payload: those refresh first.
   */
  static boolean servesFromTail(SearchRequest request) {
    return request.text() == null && request.luceneFilter() == null;
  }

  /** A search; {@link #servesFromTail} must hold unless the view is empty. */
  List<Hit> search(IndexSearcher searcher, TailView view, SearchRequest request) throws IOException {
    return search(searcher, view, request, null);
  }

  /**
   * A search reporting to {@code trace} (if not {@code null}) what it did; {@link #servesFromTail}
   * must hold unless the view is empty.
   */
  List<Hit> search(IndexSearcher searcher, TailView view, SearchRequest request, SearchTrace trace)
      throws IOException {
    if (view.isEmpty()) {
      return executor.search(searcher, request, request.k(), trace);
    }
    int k = request.k();
    int asked = k;
    List<Hit> kept;
    while (true) {
      List<Hit> hits = executor.search(searcher, request, asked, trace);
      kept = new ArrayList<>(Math.min(hits.size(), k));
      for (Hit h : hits) {
        if (!view.shadows(h.id())) {
          kept.add(h);
        }
      }
      if (kept.size() >= k || hits.size() < asked) {
        break;
      }
      int shadowed = hits.size() - kept.size();
      asked = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(2L * asked, (long) k + 2L * shadowed));
    }
    Predicate<Payload> accept = request.filter() == null ? null : payloadFilter.compile(request.filter());
    List<Hit> fromTail = view.search(
        request.vector(), k, accept, schema.similarity(), request.includePayload(), request.includeVectors());
    if (trace != null) {
      trace.tailRecords(view.size());
    }
    return merge(kept, fromTail, k);
  }

  /** The best {@code k} of two lists sorted best first; on a tie the searcher's hit comes first. */
  static List<Hit> merge(List<Hit> a, List<Hit> b, int k) {
    List<Hit> out = new ArrayList<>(Math.min(k, a.size() + b.size()));
    int i = 0;
    int j = 0;
    while (out.size() < k && (i < a.size() || j < b.size())) {
      if (j >= b.size() || (i < a.size() && a.get(i).score() >= b.get(j).score())) {
        out.add(a.get(i++));
      } else {
        out.add(b.get(j++));
      }
    }
    return out;
  }

  /** A record by id: the view's latest entry of it, else the searcher's document. */
  static VectorRecord get(IndexSearcher searcher, TailView view, String id) throws IOException {
    Tail.Entry e = view.lookup(id);
    if (e == null) {
      return SearchExecutor.get(searcher, id);
    }
    return e.isDelete() ? null : new VectorRecord(id, e.vector.clone(), e.payload, e.text);
  }

  /** Whether a record exists: the view's latest entry of it, else the searcher's document. */
  static boolean exists(IndexSearcher searcher, TailView view, String id) throws IOException {
    Tail.Entry e = view.lookup(id);
    return e == null ? SearchExecutor.docOf(searcher, id) >= 0 : !e.isDelete();
  }
}
