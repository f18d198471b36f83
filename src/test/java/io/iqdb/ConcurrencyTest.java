package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers and readers at once: no exception, read-your-writes, every acknowledged write present. */
class ConcurrencyTest {
  private static final int DIM = 16;

  @Test
  void fourWritersFourReadersSeveralSeconds(@TempDir Path tmp) throws Exception {
    long seed = new Random().nextLong();
    System.out.println("ConcurrencyTest seed=" + seed);
    Map<String, float[]> acknowledged = new ConcurrentHashMap<>();
    Map<String, Boolean> deleted = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    try (Iqdb db = Iqdb.open(tmp.resolve("db"))) {
      VectorCollection c = db.createCollection("c",
          CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.hnsw(8, 32)).build());
      c.upsert("w-seed", new float[DIM], Payload.of("writer", 0L)); // makes the filter field known
      acknowledged.put("w-seed", new float[DIM]);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        futures.add(pool.submit(() -> {
          Random r = new Random(seed + writer);
          for (int i = 0; !stop.get(); i++) {
            String id = "w" + writer + "-" + i;
            float[] v = vector(r);
            if (i % 10 == 9) {
              List<VectorRecord> batch = new ArrayList<>();
              for (int b = 0; b < 5; b++) {
                batch.add(VectorRecord.of(id + "b" + b, vector(r), Payload.of("writer", (long) writer)));
              }
              c.upsertAll(batch);
              batch.forEach(rec -> acknowledged.put(rec.id(), rec.vector()));
            } else {
              c.upsert(id, v, Payload.of("writer", (long) writer));
              acknowledged.put(id, v);
              // read-your-writes, from the writing thread
              Optional<VectorRecord> back = c.get(id);
              assertTrue(back.isPresent(), "own write not visible: " + id);
              if (i % 7 == 3) {
                // Marked deleted before the call: a delete is visible to concurrent reads before it
                // returns (from its apply on, during its fsync), and a reader that still finds the
                // id acknowledged must then know that it may be gone.
                deleted.put(id, true);
                assertTrue(c.delete(id));
                acknowledged.remove(id);
                assertTrue(c.get(id).isEmpty(), "own delete not visible: " + id);
              }
            }
            if (i % 200 == 199) {
              db.flush();
            }
          }
          return null;
        }));
      }
      for (int rd = 0; rd < 4; rd++) {
        int reader = rd;
        futures.add(pool.submit(() -> {
          Random r = new Random(seed - reader);
          while (!stop.get()) {
            List<Hit> hits = c.search(SearchRequest.of(vector(r), 10)
                .filter(Filter.eq("writer", (long) r.nextInt(4))));
            for (Hit h : hits) {
              assertTrue(h.id().startsWith("w"), h.id());
            }
            // another thread's acknowledged write is visible to a read that starts after it
            String some = acknowledged.keySet().stream().findAny().orElse(null);
            if (some != null && acknowledged.containsKey(some)) {
              Optional<VectorRecord> rec = c.get(some);
              assertTrue(rec.isPresent() || deleted.containsKey(some), "acknowledged id missing: " + some);
            }
            reads.incrementAndGet();
          }
          return null;
        }));
      }
      Thread.sleep(4000);
      stop.set(true);
      pool.shutdown();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
      for (Future<?> f : futures) {
        f.get(); // rethrows any assertion or exception from a worker
      }
      assertTrue(reads.get() > 0);
      assertEquals(acknowledged.size(), c.count());
      for (Map.Entry<String, float[]> e : acknowledged.entrySet()) {
        assertTrue(c.get(e.getKey()).isPresent(), "missing " + e.getKey());
      }
    }
    try (Iqdb db = Iqdb.open(tmp.resolve("db"))) {
      VectorCollection c = db.collection("c");
      assertEquals(acknowledged.size(), c.count());
      for (Map.Entry<String, float[]> e : acknowledged.entrySet()) {
        assertTrue(java.util.Arrays.equals(e.getValue(), c.get(e.getKey()).orElseThrow().vector()));
      }
      for (String d : deleted.keySet()) {
        assertTrue(c.get(d).isEmpty(), d);
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
