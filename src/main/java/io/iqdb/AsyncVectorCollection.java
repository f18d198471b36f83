package io.iqdb;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A {@link VectorCollection} whose operations return at once with a {@link CompletableFuture} and
 * run on an {@link Executor}: by default a new virtual thread per operation, or the executor given
 * to {@link VectorCollection#async(Executor)}. Obtained from {@link VectorCollection#async()}; it
 * keeps no state of its own, so it costs nothing to obtain and is as thread-safe as the collection.
 *
 * <p>Each operation does what the synchronous method of the same name does, with the same
 * visibility (a read that starts after a write's future completed sees the write) and durability
 * (a write's future completes once the write is as durable as the collection's {@link Durability}
 * makes a returned write). A {@code null} argument is refused at once with an {@link
 * InvalidArgumentException}; every other failure, bad input included, completes the future
 * exceptionally with the exception that the synchronous method throws. Vectors and collections
 * passed in are copied when the call is made, so the caller may reuse them at once; a {@link
 * SearchRequest}'s vector is not copied.
 *
 * <h2>Cancellation</h2>
 *
 * <p><b>Writes</b> ({@code upsert}, {@code upsertAll}, {@code delete}, {@code deleteAll}, {@code
 * flush}) are applied whole or not at all, and their future says which:
 *
 * <ul>
 *   <li>Cancelled before it started (while it waits for a thread of the executor), a write never
 *       runs: {@link CompletableFuture#cancel cancel} returns {@code true}, and nothing of the
 *       write is applied.
 *   <li>Once started, a write runs to its end: {@code cancel} returns {@code false}, and the future
 *       completes with the write's outcome. (Stopping half way could leave some records of a batch
 *       written and others not, or a write in the index but not yet durable.)
 * </ul>
 *
 * So a write's future that {@link CompletableFuture#isCancelled is cancelled} means the write was
 * not applied, and one that completed normally means it was. Completing the future yourself ({@code
 * complete}, {@code completeExceptionally}, {@code orTimeout}, {@code completeOnTimeout}) follows
 * the same rule: before the write started it keeps the write from running; afterwards it has no
 * effect. ({@code obtrudeValue} and {@code obtrudeException} overwrite the outcome regardless: do
 * not use them on these futures.)
 *
 * <p><b>Reads</b> ({@code get}, {@code search}, {@code searchBatch}, {@code searchBatchRequests})
 * change nothing, so cancelling one takes effect at once: the future is cancelled, a read that has
 * not started never runs, and a running search stops at its next check of Lucene's {@link
 * org.apache.lucene.index.QueryTimeout} (as it visits documents and vector graph nodes) and drops
 * its partial result.
 *
 * <p><b>Interrupts.</b> Cancelling never interrupts a thread ({@code mayInterruptIfRunning} is
 * ignored, as {@link CompletableFuture} does). An executor that interrupts its threads anyway (a
 * {@code shutdownNow}, say) cannot fail the collection either: iQDB writes its files on threads
 * it owns, and a write in progress completes whole (see the README's concurrency section).
 */
public interface AsyncVectorCollection {

  /**
   * The collection this view runs its operations on.
   *
   * @return the collection
   */
  VectorCollection collection();

  /**
   * {@link VectorCollection#upsert(String, float[], Payload)}, asynchronously.
   *
   * @param id the record id
   * @param vector the vector (copied)
   * @param payload the payload, or {@code null} for none
   * @return completes when the record is written; see the class documentation for cancellation
   */
  CompletableFuture<Void> upsert(String id, float[] vector, Payload payload);

  /**
   * {@link VectorCollection#upsert(String, float[], Payload, String)}, asynchronously.
   *
   * @param id the record id
   * @param vector the vector (copied)
   * @param payload the payload, or {@code null} for none
   * @param text the text, or {@code null} for none
   * @return completes when the record is written; see the class documentation for cancellation
   */
  CompletableFuture<Void> upsert(String id, float[] vector, Payload payload, String text);

  /**
   * {@link VectorCollection#upsert(VectorRecord)}, asynchronously.
   *
   * @param record the record (its vector is copied)
   * @return completes when the record is written; see the class documentation for cancellation
   */
  CompletableFuture<Void> upsert(VectorRecord record);

  /**
   * {@link VectorCollection#upsertAll}, asynchronously: one batch, applied whole or not at all.
   *
   * @param records the records (the collection and each vector are copied)
   * @return completes when the batch is written; see the class documentation for cancellation
   */
  CompletableFuture<Void> upsertAll(Collection<VectorRecord> records);

  /**
   * {@link VectorCollection#delete}, asynchronously.
   *
   * @param id the id
   * @return whether a record with this id existed; see the class documentation for cancellation
   */
  CompletableFuture<Boolean> delete(String id);

  /**
   * {@link VectorCollection#deleteAll}, asynchronously: one batch, applied whole or not at all.
   *
   * @param ids the ids (copied)
   * @return how many of them existed; see the class documentation for cancellation
   */
  CompletableFuture<Integer> deleteAll(Collection<String> ids);

  /**
   * {@link VectorCollection#get}, asynchronously.
   *
   * @param id the id
   * @return the record, or empty if absent
   */
  CompletableFuture<Optional<VectorRecord>> get(String id);

  /**
   * {@link VectorCollection#search(float[], int)}, asynchronously; cancelling it stops the search.
   *
   * @param query the query vector (copied)
   * @param k the number of hits
   * @return hits, best first
   */
  CompletableFuture<List<Hit>> search(float[] query, int k);

  /**
   * {@link VectorCollection#search(SearchRequest)}, asynchronously; cancelling it stops the
   * search.
   *
   * @param request the request
   * @return hits, best first
   */
  CompletableFuture<List<Hit>> search(SearchRequest request);

  /**
   * {@link VectorCollection#searchBatch}, asynchronously; cancelling it stops every search of the
   * batch.
   *
   * @param queries the query vectors (the list and each vector are copied)
   * @param k the number of hits per query
   * @return one hit list per query, in order
   */
  CompletableFuture<List<List<Hit>>> searchBatch(List<float[]> queries, int k);

  /**
   * {@link VectorCollection#searchBatchRequests}, asynchronously; cancelling it stops every search
   * of the batch.
   *
   * @param requests the requests (the list is copied)
   * @return one hit list per request, in order
   */
  CompletableFuture<List<List<Hit>>> searchBatchRequests(List<SearchRequest> requests);

  /**
   * {@link VectorCollection#flush}, asynchronously: a commit runs whole or not at all, like a write
   * (see the class documentation for cancellation).
   *
   * @return completes when the collection is committed
   */
  CompletableFuture<Void> flush();
}
