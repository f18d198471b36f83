package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.internal.FaultHooks;
import io.iqdb.internal.wal.FaultInjectingWalFileSystem;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AsyncVectorCollection}: results, executors, and what cancelling a future does. */
class AsyncCollectionTest {
  private static final int DIM = 4;

  /** An executor that only queues: the test decides when (and whether) tasks run. */
  private static final class Queued implements Executor {
    final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    int runAll() {
      int n = 0;
      for (Runnable t; (t = tasks.poll()) != null; n++) {
        t.run();
      }
      return n;
    }
  }

  private static VectorCollection create(Iqdb db) {
    return db.createCollection("c", CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.flat()).build());
  }

  @Test
  void everyOperationOnTheDefaultVirtualThreads(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      AsyncVectorCollection a = create(db).async();
      float[] v = {1, 0, 0, 0};
      CompletableFuture<Void> one = a.upsert("a", v, Payload.of("lang", "en"));
      v[0] = 9; // copied when the call was made
      one.get(30, TimeUnit.SECONDS);
      a.upsert(VectorRecord.of("b", new float[] {0, 1, 0, 0})).get(30, TimeUnit.SECONDS);
      a.upsert("t", new float[] {0, 0, 1, 0}, null, "some text").get(30, TimeUnit.SECONDS);
      a.upsertAll(List.of(VectorRecord.of("c", new float[] {0, 0, 0, 1}), VectorRecord.of("d", new float[] {1, 1, 0, 0})))
          .get(30, TimeUnit.SECONDS);
      Optional<VectorRecord> got = a.get("a").get(30, TimeUnit.SECONDS);
      assertArrayEquals(new float[] {1, 0, 0, 0}, got.orElseThrow().vector());
      assertEquals(Optional.of("en"), got.get().payload().get("lang"));
      assertEquals(List.of("a", "d"), ids(a.search(new float[] {1, 0.1f, 0, 0}, 2).get(30, TimeUnit.SECONDS)));
      assertEquals(List.of("b"), ids(a.search(SearchRequest.of(new float[] {0, 1, 0, 0}, 1)).get(30, TimeUnit.SECONDS)));
      List<List<Hit>> batch = a.searchBatch(List.of(new float[] {0, 0, 0, 1}, new float[] {0, 0, 1, 0}), 1)
          .get(30, TimeUnit.SECONDS);
      assertEquals(List.of(List.of("c"), List.of("t")), batch.stream().map(AsyncCollectionTest::ids).toList());
      assertEquals(List.of(List.of("b")), a.searchBatchRequests(List.of(SearchRequest.of(new float[] {0, 1, 0, 0}, 1)))
          .get(30, TimeUnit.SECONDS).stream().map(AsyncCollectionTest::ids).toList());
      assertTrue(a.delete("a").get(30, TimeUnit.SECONDS));
      assertFalse(a.delete("a").get(30, TimeUnit.SECONDS));
      assertEquals(2, a.deleteAll(List.of("b", "c", "zz")).get(30, TimeUnit.SECONDS));
      a.flush().get(30, TimeUnit.SECONDS);
      assertEquals(2, a.collection().count());
    }
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(2, db.collection("c").count());
    }
  }

  @Test
  void failuresCompleteTheFutureNullsThrowAtOnce() throws Exception {
    try (Iqdb db = Iqdb.openInMemory()) {
      AsyncVectorCollection a = create(db).async();
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> a.upsert("x", new float[] {1, 2}, null).get(30, TimeUnit.SECONDS));
      assertInstanceOf(DimensionMismatchException.class, e.getCause());
      e = assertThrows(ExecutionException.class, () -> a.search(new float[DIM], 0).get(30, TimeUnit.SECONDS));
      assertInstanceOf(InvalidArgumentException.class, e.getCause());
      assertThrows(InvalidArgumentException.class, () -> a.upsert(null, new float[DIM], null));
      assertThrows(InvalidArgumentException.class, () -> db.collection("c").async(null));
      assertEquals(0, a.collection().count());
    }
  }

  @Test
  void runsOnTheGivenExecutorAndReportsItsRefusal() throws Exception {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = create(db);
      ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-pool"));
      AtomicInteger tasks = new AtomicInteger();
      AsyncVectorCollection a = c.async(task -> {
        tasks.incrementAndGet();
        pool.execute(() -> {
          assertEquals("my-pool", Thread.currentThread().getName());
          task.run();
        });
      });
      try {
        List<Hit> hits = a.upsert("a", new float[DIM], null)
            .thenCompose(ignored -> a.search(new float[DIM], 1))
            .get(30, TimeUnit.SECONDS);
        assertEquals(List.of("a"), ids(hits));
        assertTrue(a.get("a").get(30, TimeUnit.SECONDS).isPresent());
        assertEquals(3, tasks.get());
      } finally {
        pool.shutdown();
      }
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> c.async(pool).upsert("b", new float[DIM], null).get(30, TimeUnit.SECONDS));
      assertInstanceOf(RejectedExecutionException.class, e.getCause());
      assertTrue(c.get("b").isEmpty());
    }
  }

  /** A write cancelled (or timed out, or completed by the caller) before it started is not applied. */
  @Test
  void writeCancelledBeforeItStartsIsNotApplied() throws Exception {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = create(db);
      c.upsert("old", new float[DIM]);
      Queued queued = new Queued();
      AsyncVectorCollection a = c.async(queued);
      CompletableFuture<Void> upsert = a.upsert("a", new float[DIM], null);
      CompletableFuture<Void> batch = a.upsertAll(List.of(VectorRecord.of("b1", new float[DIM]), VectorRecord.of("b2", new float[DIM])));
      CompletableFuture<Boolean> delete = a.delete("old");
      CompletableFuture<Integer> deleteAll = a.deleteAll(List.of("old"));
      CompletableFuture<Void> flush = a.flush();
      long commits = c.stats().commits();
      CompletableFuture<Void> timedOut = a.upsert("t", new float[DIM], null).orTimeout(1, TimeUnit.MILLISECONDS);
      CompletableFuture<Void> completedByCaller = a.upsert("u", new float[DIM], null);
      assertTrue(upsert.cancel(true));
      assertTrue(batch.cancel(false));
      assertTrue(delete.cancel(true));
      assertTrue(deleteAll.cancel(true));
      assertTrue(flush.cancel(true));
      assertTrue(completedByCaller.complete(null));
      ExecutionException e = assertThrows(ExecutionException.class, () -> timedOut.get(30, TimeUnit.SECONDS));
      assertInstanceOf(TimeoutException.class, e.getCause());
      assertEquals(7, queued.runAll()); // the tasks run, and see their futures completed
      assertTrue(upsert.isCancelled() && batch.isCancelled() && delete.isCancelled() && deleteAll.isCancelled()
          && flush.isCancelled());
      assertEquals(commits, c.stats().commits(), "a cancelled flush committed");
      assertThrows(CancellationException.class, upsert::join);
      for (String id : List.of("a", "b1", "b2", "t", "u")) {
        assertTrue(c.get(id).isEmpty(), id + " was applied although its future was completed before it started");
      }
      assertTrue(c.get("old").isPresent(), "a cancelled delete was applied");
      // and the same view still writes
      CompletableFuture<Void> later = a.upsert("later", new float[DIM], null);
      queued.runAll();
      later.get(30, TimeUnit.SECONDS);
      assertTrue(c.get("later").isPresent());
      CompletableFuture<Void> flushLater = a.flush();
      queued.runAll();
      flushLater.get(30, TimeUnit.SECONDS);
      assertEquals(commits + 1, c.stats().commits(), "the flush the test lets run commits");
    }
  }

  /**
   * A write that started runs to its end: cancelling it then returns false and changes nothing,
   * and the future completes normally once the whole batch is written (here: while the batch waits
   * for a slow fsync).
   */
  @Test
  void writeCancelledWhileRunningIsAppliedWhole(@TempDir Path tmp) throws Exception {
    FaultInjectingWalFileSystem fs = new FaultInjectingWalFileSystem(new Random(42));
    Path dir = tmp.resolve("db");
    List<VectorRecord> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      records.add(VectorRecord.of("r" + i, new float[] {i, 0, 0, 0}));
    }
    try (Iqdb db = Iqdb.builder().path(dir).durability(Durability.sync()).commitPolicy(CommitPolicy.never())
        .faultHooks(FaultHooks.NONE.withWalFileSystem(fs)).open()) {
      VectorCollection c = create(db);
      c.upsert("warm", new float[DIM]);
      long forces = fs.forceCount();
      fs.setForceDelay(Duration.ofSeconds(2));
      CompletableFuture<Void> write = c.async().upsertAll(records);
      while (fs.forceCount() == forces) { // the batch is indexed and logged, and waits for its fsync
        assertFalse(write.isDone(), "the write ended without an fsync");
        Thread.sleep(1);
      }
      assertFalse(write.cancel(true), "a running write was cancelled");
      assertFalse(write.completeExceptionally(new IllegalStateException("no")));
      assertFalse(write.isCancelled());
      write.get(60, TimeUnit.SECONDS); // completes normally
      fs.setForceDelay(Duration.ZERO);
      assertEquals(201, c.count());
    }
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(201, db.collection("c").count(), "the write whose cancel failed is durable");
    }
  }

  /** A read cancelled before it started never runs; one cancelled while it runs is cancelled at once. */
  @Test
  void cancelledReads() throws Exception {
    AtomicInteger searches = new AtomicInteger();
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection real = create(db);
      // a collection that counts the searches reaching it
      VectorCollection counting = (VectorCollection) Proxy.newProxyInstance(
          VectorCollection.class.getClassLoader(), new Class<?>[] {VectorCollection.class}, (p, m, args) -> {
            if (m.getName().startsWith("search")) {
              searches.incrementAndGet();
            }
            return m.invoke(real, args);
          });
      Queued queued = new Queued();
      // (counting.async() would reach the proxy's target, whose async view bypasses the count)
      AsyncVectorCollection a = io.iqdb.internal.AsyncCollection.of(counting, queued);
      CompletableFuture<List<Hit>> search = a.search(new float[DIM], 1);
      CompletableFuture<List<List<Hit>>> batch = a.searchBatch(List.of(new float[DIM]), 1);
      CompletableFuture<Optional<VectorRecord>> get = a.get("x");
      assertTrue(search.cancel(true) && batch.cancel(true) && get.cancel(true));
      queued.runAll();
      assertEquals(0, searches.get(), "a search cancelled before it started ran");
      CompletableFuture<List<Hit>> dependent = a.search(new float[DIM], 1);
      dependent.thenRun(() -> { }).cancel(true); // cancelling a dependent stage leaves its source alone
      queued.runAll();
      assertEquals(1, searches.get());
      assertTrue(dependent.isDone() && !dependent.isCompletedExceptionally());
    }
  }

  /** Cancelling a running search cancels its future at once; the search itself stops early (see CancellableSearchTest). */
  @Test
  void cancellingARunningSearch() throws Exception {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = create(db);
      Random r = new Random(7);
      List<VectorRecord> records = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        records.add(VectorRecord.of("r" + i, new float[] {r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()}));
      }
      c.upsertAll(records);
      List<Thread> runners = new java.util.concurrent.CopyOnWriteArrayList<>();
      AsyncVectorCollection a = c.async(task -> {
        Thread t = new Thread(task);
        runners.add(t);
        t.start();
      });
      List<CompletableFuture<List<List<Hit>>>> searches = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        List<SearchRequest> requests = new ArrayList<>();
        for (int q = 0; q < 50; q++) {
          requests.add(SearchRequest.of(new float[] {r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()}, 10).exact(true));
        }
        searches.add(a.searchBatchRequests(requests));
      }
      for (CompletableFuture<List<List<Hit>>> s : searches) {
        assertTrue(s.cancel(true));
        assertTrue(s.isCancelled());
        assertThrows(CancellationException.class, s::join);
      }
      for (Thread t : runners) {
        t.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(t.isAlive(), "a cancelled search kept running");
      }
      // the collection is unaffected
      assertEquals(10, a.search(new float[DIM], 10).get(30, TimeUnit.SECONDS).size());
    }
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(Hit::id).toList();
  }
}
