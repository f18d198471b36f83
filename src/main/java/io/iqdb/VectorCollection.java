package io.iqdb;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.apache.lucene.search.Query;

/**
 * A named set of records sharing one dimension, metric and index. Obtained from {@link
 * Iqdb#createCollection} or {@link Iqdb#collection}; valid until the collection is dropped or the
 * database is closed. Thread-safe: any number of threads may write and search at once.
 *
 * <p>Visibility is read-your-writes: a {@code get} or {@code search} that starts after a write has
 * returned, on any thread, sees that write. Durability follows the collection's {@link Durability}.
 */
public interface VectorCollection {

  /** The longest record id, in UTF-8 bytes. */
  int MAX_ID_BYTES = 512;

  /**
   * The longest record text, in UTF-8 bytes (1 MiB). A text is kept whole in the write-ahead log
   * and beside the document, so the cap bounds the memory one write and one hit can take.
   */
  int MAX_TEXT_BYTES = 1 << 20;

  /**
   * The collection's name.
   *
   * @return the name
   */
  String name();

  /**
   * The collection's configuration.
   *
   * @return the configuration
   */
  CollectionConfig config();

  /**
   * Inserts or replaces the record with this id, atomically.
   *
   * @param id the record id (1..{@value #MAX_ID_BYTES} UTF-8 bytes)
   * @param vector the vector, of the collection's dimension
   * @param payload the payload, or {@code null} for none
   * @throws InvalidArgumentException (a subtype) for bad input; nothing is written
   */
  default void upsert(String id, float[] vector, Payload payload) {
    upsert(id, vector, payload, null);
  }

  /**
   * Inserts or replaces the record with this id and its text, atomically. The text is stored
   * (returned by {@link #get}, {@link #scan} and in {@link Hit#text()}) and indexed for BM25 with
   * Lucene's {@code StandardAnalyzer} (see {@link SearchRequest#text(String)}).
   *
   * @param id the record id (1..{@value #MAX_ID_BYTES} UTF-8 bytes)
   * @param vector the vector, of the collection's dimension
   * @param payload the payload, or {@code null} for none
   * @param text the text, at most {@value #MAX_TEXT_BYTES} UTF-8 bytes of well-formed UTF-16, or
   *     {@code null} for none
   * @throws InvalidArgumentException (a subtype) for bad input; nothing is written
   */
  void upsert(String id, float[] vector, Payload payload, String text);

  /**
   * Inserts or replaces the record with this id, with an empty payload.
   *
   * @param id the record id
   * @param vector the vector
   */
  default void upsert(String id, float[] vector) {
    upsert(id, vector, Payload.empty());
  }

  /**
   * Inserts or replaces a record.
   *
   * @param record the record
   */
  default void upsert(VectorRecord record) {
    if (record == null) {
      throw new InvalidArgumentException("record must not be null");
    }
    upsert(record.id(), record.vector(), record.payload(), record.text());
  }

  /**
   * Inserts or replaces many records as one batch: one write-ahead-log sync, all-or-nothing after a
   * crash. Every record is validated before anything is written. If an id repeats, the last wins.
   *
   * @param records the records
   * @throws InvalidArgumentException (a subtype) naming the first bad record; nothing is written
   */
  void upsertAll(Collection<VectorRecord> records);

  /**
   * Reads a record. The vector comes from the index's full-precision vector storage.
   *
   * @param id the id
   * @return the record, or empty if absent
   */
  Optional<VectorRecord> get(String id);

  /**
   * Deletes a record.
   *
   * @param id the id
   * @return whether a record with this id existed
   */
  boolean delete(String id);

  /**
   * Deletes many records as one batch.
   *
   * @param ids the ids
   * @return how many of them existed
   */
  int deleteAll(Collection<String> ids);

  /**
   * The number of live records.
   *
   * @return the count
   */
  long count();

  /**
   * Iterates over all records, in no particular order, as of the moment of the call (a
   * point-in-time view). Close the stream to release the view.
   *
   * @return a stream of records; close it when done
   */
  Stream<VectorRecord> scan();

  /**
   * The {@code k} nearest neighbours of {@code query}.
   *
   * @param query the query vector
   * @param k the number of hits, 1..{@value SearchRequest#MAX_K}
   * @return hits, best first; fewer than {@code k} if the collection is smaller
   */
  default List<Hit> search(float[] query, int k) {
    return search(SearchRequest.of(query, k));
  }

  /**
   * The {@code k} nearest neighbours of {@code query} among records matching {@code filter}.
   *
   * @param query the query vector
   * @param k the number of hits
   * @param filter the payload filter
   * @return hits, best first
   */
  default List<Hit> search(float[] query, int k, Filter filter) {
    return search(SearchRequest.of(query, k).filter(filter));
  }

  /**
   * The {@code k} nearest neighbours of {@code query} among documents matching a Lucene query.
   *
   * @param query the query vector
   * @param k the number of hits
   * @param filter any Lucene query over this collection's index, used as a filter
   * @return hits, best first
   */
  default List<Hit> search(float[] query, int k, Query filter) {
    return search(SearchRequest.of(query, k).filter(filter));
  }

  /**
   * Runs a search request.
   *
   * @param request the request
   * @return hits, best first
   */
  List<Hit> search(SearchRequest request);

  /**
   * Runs a search request and returns its hits with, if the request asks for it ({@link
   * SearchRequest#explain(boolean)}), what was done to find them: per segment the plan (exact, HNSW,
   * IVF), the {@code ef} or {@code probes} used and why, vectors scored, candidates rescored and
   * time. The hits are those {@link #search(SearchRequest)} returns.
   *
   * @param request the request
   * @return the hits and the explanation
   */
  default SearchResult searchResult(SearchRequest request) {
    return new SearchResult(search(request), null);
  }

  /**
   * Runs several queries against one point-in-time view, in parallel where cores allow.
   *
   * @param queries the query vectors
   * @param k the number of hits per query
   * @return one hit list per query, in order
   */
  List<List<Hit>> searchBatch(List<float[]> queries, int k);

  /**
   * Runs several requests against one point-in-time view.
   *
   * @param requests the requests
   * @return one hit list per request, in order
   */
  List<List<Hit>> searchBatchRequests(List<SearchRequest> requests);

  /**
   * Commits this collection's index (see {@link Iqdb#flush()}).
   */
  void flush();

  /**
   * Merges segments and reclaims the space of deleted records, then commits; searches that start
   * after it returns search the merged segments.
   *
   * @param maxSegments the number of segments to merge down to (1 for the most compact index)
   */
  void compact(int maxSegments);

  /**
   * This collection's operations, returning {@link java.util.concurrent.CompletableFuture}s, each
   * run on a new virtual thread. See {@link AsyncVectorCollection} for what cancelling them does.
   *
   * @return the asynchronous view of this collection
   */
  default AsyncVectorCollection async() {
    return io.iqdb.internal.AsyncCollection.of(this, null);
  }

  /**
   * This collection's operations, returning {@link java.util.concurrent.CompletableFuture}s, each
   * run on {@code executor}. See {@link AsyncVectorCollection} for what cancelling them does.
   *
   * @param executor runs the operations (the caller's own pool, say); iQDB never shuts it down
   * @return the asynchronous view of this collection
   */
  default AsyncVectorCollection async(Executor executor) {
    return io.iqdb.internal.AsyncCollection.of(this, io.iqdb.internal.Args.notNull(executor, "executor"));
  }

  /**
   * Counters and sizes for operators.
   *
   * @return the statistics
   */
  CollectionStats stats();
}
