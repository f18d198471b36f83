package io.iqdb.internal;

import io.iqdb.AsyncVectorCollection;
import io.iqdb.Hit;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.lucene.index.QueryTimeout;

/**
 * {@link AsyncVectorCollection} over any {@link VectorCollection}: each operation is a task on the
 * executor that calls the synchronous method. Writes return a {@link WriteFuture}, which refuses to
 * be cancelled once its write started; searches on iQDB's own collections pass the future's
 * cancellation to Lucene as a {@link QueryTimeout}.
 */
public final class AsyncCollection implements AsyncVectorCollection {

  /** The default executor: a new virtual thread per operation (nothing to shut down). */
  private static final ThreadFactory VIRTUAL = Thread.ofVirtual().name("iqdb-async-", 0).factory();

  private static final Executor VIRTUAL_THREADS = task -> VIRTUAL.newThread(task).start();

  private final VectorCollection collection;
  private final Executor executor;

  private AsyncCollection(VectorCollection collection, Executor executor) {
    this.collection = collection;
    this.executor = executor;
  }

  /**
   * The asynchronous view of a collection.
   *
   * @param collection the collection
   * @param executor runs the operations, or {@code null} for a new virtual thread each
   * @return the view
   */
  public static AsyncVectorCollection of(VectorCollection collection, Executor executor) {
    return new AsyncCollection(collection, executor == null ? VIRTUAL_THREADS : executor);
  }

  @Override
  public VectorCollection collection() {
    return collection;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public CompletableFuture<Void> upsert(String id, float[] vector, Payload payload) {
    return upsert(id, vector, payload, null);
  }

  @Override
  public CompletableFuture<Void> upsert(String id, float[] vector, Payload payload, String text) {
    Args.notNull(id, "id");
    float[] copy = Args.notNull(vector, "vector").clone();
    return write(() -> {
      collection.upsert(id, copy, payload, text);
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> upsert(VectorRecord record) {
    Args.notNull(record, "record");
    return upsert(record.id(), record.vector(), record.payload(), record.text());
  }

  @Override
  public CompletableFuture<Void> upsertAll(Collection<VectorRecord> records) {
    Args.notNull(records, "records");
    List<VectorRecord> copy = new ArrayList<>(records.size());
    for (VectorRecord r : records) {
      // a null record is the synchronous method's to report, with its position
      copy.add(r == null ? null : new VectorRecord(r.id(), r.vector().clone(), r.payload(), r.text()));
    }
    return write(() -> {
      collection.upsertAll(copy);
      return null;
    });
  }

  @Override
  public CompletableFuture<Boolean> delete(String id) {
    Args.notNull(id, "id");
    return write(() -> collection.delete(id));
  }

  @Override
  public CompletableFuture<Integer> deleteAll(Collection<String> ids) {
    List<String> copy = new ArrayList<>(Args.notNull(ids, "ids"));
    return write(() -> collection.deleteAll(copy));
  }

  @Override
  public CompletableFuture<Void> flush() {
    return write(() -> {
      collection.flush();
      return null;
    });
  }

  private <T> CompletableFuture<T> write(Supplier<T> body) {
    WriteFuture<T> future = new WriteFuture<>();
    try {
      executor.execute(() -> {
        if (!future.start()) {
          return; // cancelled (or completed by the caller) before it started: not applied
        }
        try {
          future.finish(body.get(), null);
        } catch (Throwable t) {
          future.finish(null, t);
        }
      });
    } catch (RuntimeException e) { // the executor refused the task: it never runs
      future.completeExceptionally(e);
    }
    return future;
  }

  /**
   * The future of a write, which runs whole or not at all: it can be cancelled (or completed by
   * the caller) only before the write started; from then on it completes with the write's outcome
   * alone.
   */
  static final class WriteFuture<T> extends CompletableFuture<T> {
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int FINISHED = 2;

    private final AtomicInteger state = new AtomicInteger(PENDING);

    /** Claims the write for running; false if the future was completed before it started. */
    boolean start() {
      return state.compareAndSet(PENDING, RUNNING);
    }

    /** Completes with the outcome of the write that {@link #start} claimed. */
    void finish(T value, Throwable error) {
      state.set(FINISHED);
      if (error == null) {
        super.complete(value);
      } else {
        super.completeExceptionally(error);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (state.compareAndSet(PENDING, FINISHED)) {
        return super.cancel(false);
      }
      return isCancelled(); // running: it ends whole; finished: as CompletableFuture answers
    }

    @Override
    public boolean complete(T value) {
      return state.compareAndSet(PENDING, FINISHED) && super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      return state.compareAndSet(PENDING, FINISHED) && super.completeExceptionally(ex);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>(); // a dependent stage is an ordinary future
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public CompletableFuture<Optional<VectorRecord>> get(String id) {
    Args.notNull(id, "id");
    return read(cancelled -> collection.get(id));
  }

  @Override
  public CompletableFuture<List<Hit>> search(float[] query, int k) {
    float[] copy = Args.notNull(query, "query").clone();
    return read(cancelled -> search(SearchRequest.of(copy, k), cancelled));
  }

  @Override
  public CompletableFuture<List<Hit>> search(SearchRequest request) {
    Args.notNull(request, "request");
    return read(cancelled -> search(request, cancelled));
  }

  @Override
  public CompletableFuture<List<List<Hit>>> searchBatch(List<float[]> queries, int k) {
    List<float[]> copy = new ArrayList<>(Args.notNull(queries, "queries").size());
    for (float[] q : queries) {
      copy.add(q == null ? null : q.clone());
    }
    return read(cancelled -> collection instanceof CollectionImpl impl
        ? impl.searchBatchRequests(requests(copy, k), cancelled)
        : collection.searchBatch(copy, k));
  }

  /** The requests of {@link CollectionImpl#searchBatch}, checked as it checks them. */
  private static List<SearchRequest> requests(List<float[]> queries, int k) {
    SearchRequest.of(new float[0], k); // validates k once, as the synchronous method does
    return queries.stream().map(q -> SearchRequest.of(q, k)).toList();
  }

  @Override
  public CompletableFuture<List<List<Hit>>> searchBatchRequests(List<SearchRequest> requests) {
    List<SearchRequest> copy = new ArrayList<>(Args.notNull(requests, "requests"));
    return read(cancelled -> collection instanceof CollectionImpl impl
        ? impl.searchBatchRequests(copy, cancelled)
        : collection.searchBatchRequests(copy));
  }

  private List<Hit> search(SearchRequest request, QueryTimeout cancelled) {
    return collection instanceof CollectionImpl impl ? impl.search(request, cancelled) : collection.search(request);
  }

  /**
   * Runs a read on the executor, unless its future was cancelled first; a cancelled future's
   * {@code isCancelled} is the running read's {@link QueryTimeout}.
   */
  private <T> CompletableFuture<T> read(Function<QueryTimeout, T> body) {
    CompletableFuture<T> future = new CompletableFuture<>();
    QueryTimeout cancelled = future::isDone; // cancelled, or completed by the caller: stop either way
    try {
      executor.execute(() -> {
        if (future.isDone()) {
          return;
        }
        try {
          future.complete(body.apply(cancelled));
        } catch (Throwable t) {
          future.completeExceptionally(t);
        }
      });
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
    return future;
  }
}
