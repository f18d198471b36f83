package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interrupting writer threads again and again, at random moments, and sometimes starting a write
 * with the interrupt status already set, never fails the collection: every write returns normally
 * (with the caller's interrupt status kept), the collection still takes writes and flushes
 * afterwards, and every acknowledged write and delete is there, after a reopen too. Before, the
 * first interrupt that reached a file operation failed the collection: either the log's file
 * channel (SYNC, ASYNC) or Lucene's, which the index writer uses from the writing thread to check
 * its lock and to open the segment files it flushes. The log alone, interrupted mid-append and
 * mid-fsync: {@code TestWriteAheadLog#testInterruptedWritersNeverFailTheLog}.
 */
class InterruptTest {
  private static final int DIM = 8;
  private static final int WRITERS = 4;

  @ParameterizedTest
  @ValueSource(strings = {"SYNC", "ASYNC", "MEMORY"})
  void interruptedWritersNeverFailTheLog(String mode, @TempDir Path tmp) throws Exception {
    long seed = new Random().nextLong();
    System.out.println("InterruptTest seed=" + seed + " mode=" + mode);
    Durability durability = mode.equals("SYNC") ? Durability.sync() : Durability.async(Duration.ofMillis(5));
    Map<String, float[]> acknowledged = new ConcurrentHashMap<>();
    Set<String> deleted = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicLong interrupts = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    AtomicLong interruptedReturns = new AtomicLong();
    Path dir = tmp.resolve("db");
    Iqdb.Builder builder = mode.equals("MEMORY") ? Iqdb.builder().inMemory() : Iqdb.builder().path(dir);
    try (Iqdb db = builder.durability(durability)
        // small commits: background commits trim (and roll) the log while the writers run
        .commitPolicy(new CommitPolicy(64 << 10, Duration.ofMillis(200))).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(DIM, Metric.L2).build());
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(new Thread(() -> {
          Random r = new Random(seed + writer);
          try {
            for (int i = 0; !stop.get(); i++) {
              String id = "w" + writer + "-" + i;
              if (i % 7 == 6) {
                List<VectorRecord> batch = new ArrayList<>();
                for (int b = 0; b < 4; b++) {
                  batch.add(VectorRecord.of(id + "b" + b, vector(r), Payload.of("n", (long) i)));
                }
                c.upsertAll(batch);
                batch.forEach(rec -> acknowledged.put(rec.id(), rec.vector()));
              } else if (i % 11 == 10 && (i - 3) % 7 != 6) {
                String victim = "w" + writer + "-" + (i - 3);
                assertTrue(c.delete(victim), "delete of an acknowledged record " + victim);
                acknowledged.remove(victim);
                deleted.add(victim);
              } else {
                float[] v = vector(r);
                c.upsert(id, v, Payload.of("n", (long) i));
                acknowledged.put(id, v);
              }
              writes.incrementAndGet();
              if (Thread.interrupted()) {
                // Sometimes the next write starts with the interrupt status set, sometimes not.
                interruptedReturns.incrementAndGet();
                if (r.nextBoolean()) {
                  Thread.currentThread().interrupt();
                }
              }
            }
          } catch (Throwable t) {
            errors.add(t);
          }
        }, "writer-" + w));
      }
      Thread interrupter = new Thread(() -> {
        Random r = new Random(seed);
        while (!stop.get()) {
          writers.get(r.nextInt(WRITERS)).interrupt();
          interrupts.incrementAndGet();
          LockSupport.parkNanos(r.nextInt(200_000));
        }
      }, "interrupter");
      writers.forEach(Thread::start);
      interrupter.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < deadline && errors.isEmpty()) {
        Thread.sleep(50);
      }
      stop.set(true);
      interrupter.join();
      for (Thread t : writers) {
        t.join();
      }
      if (!errors.isEmpty()) {
        AssertionError e = new AssertionError(errors.size() + " writer(s) failed (seed " + seed + ")", errors.get(0));
        errors.stream().skip(1).forEach(e::addSuppressed);
        throw e;
      }
      System.out.println("InterruptTest " + mode + ": " + writes.get() + " writes, " + interrupts.get()
          + " interrupts, " + interruptedReturns.get() + " writes returned with the interrupt status set");
      assertTrue(writes.get() > 100, "too few writes: " + writes.get());
      assertTrue(interruptedReturns.get() > 10, "the interrupts rarely hit a write: " + interruptedReturns.get());
      // still healthy: takes writes and flushes
      c.upsert("after", new float[DIM]);
      acknowledged.put("after", new float[DIM]);
      db.flush();
      c.upsert("after-flush", new float[DIM]);
      acknowledged.put("after-flush", new float[DIM]);
      check(c, acknowledged, deleted);
    }
    if (!mode.equals("MEMORY")) {
      try (Iqdb db = Iqdb.open(dir)) {
        check(db.collection("c"), acknowledged, deleted);
      }
    }
  }

  private static void check(VectorCollection c, Map<String, float[]> acknowledged, Set<String> deleted) {
    {
      assertEquals(acknowledged.size(), c.count(), "records after reopen");
      for (Map.Entry<String, float[]> e : acknowledged.entrySet()) {
        Optional<VectorRecord> back = c.get(e.getKey());
        assertTrue(back.isPresent(), "acknowledged write lost: " + e.getKey());
        assertArrayEquals(e.getValue(), back.get().vector(), e.getKey());
      }
      for (String id : deleted) {
        assertTrue(c.get(id).isEmpty(), "acknowledged delete lost: " + id);
      }
    }
  }

  private static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = r.nextFloat();
    }
    return v;
  }
}
