package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.internal.wal.WalEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay of the log at open, which runs on several threads (one per core, the ids split between
 * them): the result must be the log applied in order.
 */
class ReplayTest {
  @TempDir Path tmp;

  @Test
  void replayAppliesEveryIdsOperationsInLogOrder() throws IOException {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (IndexSpec index : List.of(IndexSpec.flat(), IndexSpec.hnsw())) {
      Path dir = tmp.resolve("db" + index.hashCode());
      try (Iqdb db = Iqdb.open(dir)) {
        db.createCollection("c", CollectionConfig.builder(3, Metric.L2).index(index).build());
      }
      // Batches of upserts and of deletes over a few ids, so that each id is written, overwritten
      // and deleted many times, in batches that span the replay threads.
      Map<String, float[]> model = new HashMap<>();
      List<List<WalEntry>> batches = new ArrayList<>();
      for (int b = 0; b < 400; b++) {
        List<WalEntry> batch = new ArrayList<>();
        boolean deletes = r.nextInt(4) == 0;
        // distinct ids in a batch, as the API logs them (upsertAll keeps an id's last occurrence)
        for (int i : r.ints(0, 40).distinct().limit(1 + r.nextInt(8)).toArray()) {
          String id = "id" + i;
          if (deletes) {
            batch.add(WalEntry.delete(id));
            model.remove(id);
          } else {
            float[] v = {r.nextFloat(), r.nextFloat(), b};
            batch.add(WalEntry.upsert(id, v, HardeningTest.payloadBytes("f", "v" + b)));
            model.put(id, v);
          }
        }
        batches.add(batch);
      }
      HardeningTest.appendToLog(dir, "c", batches);
      try (Iqdb db = Iqdb.open(dir)) {
        VectorCollection c = db.collection("c");
        assertEquals(model.size(), c.count(), "seed " + seed);
        for (int i = 0; i < 40; i++) {
          String id = "id" + i;
          Optional<VectorRecord> got = c.get(id);
          assertEquals(model.containsKey(id), got.isPresent(), id + ", seed " + seed);
          if (got.isPresent()) {
            assertArrayEquals(model.get(id), got.get().vector(), id + ", seed " + seed);
          }
        }
        assertEquals(0, c.stats().quarantined());
      }
    }
  }

  @Test
  void aBatchLuceneRefusesOnOneReplayThreadIsQuarantinedWhole() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      db.createCollection("c", CollectionConfig.builder(2, Metric.L2).index(IndexSpec.flat()).build());
    }
    // Lucene's field "f" holds points: a keyword "f" passes iQDB's checks, Lucene refuses it.
    HardeningTest.addForeignField(dir, "c");
    // "b1" and "b2" hash to different replay threads (their hash codes differ by one); the batch
    // must not be left half applied.
    assertTrue(Math.floorMod("b1".hashCode(), 2) != Math.floorMod("b2".hashCode(), 2));
    List<List<WalEntry>> batches = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batches.add(List.of(WalEntry.upsert("a" + i, new float[] {i, 0}, HardeningTest.payloadBytes("g", "x"))));
    }
    batches.add(List.of(
        WalEntry.upsert("b1", new float[] {0, 1}, HardeningTest.payloadBytes("g", "fine")),
        WalEntry.upsert("b2", new float[] {0, 1}, HardeningTest.payloadBytes("f", "refused"))));
    batches.add(List.of(WalEntry.upsert("z", new float[] {0, 2}, HardeningTest.payloadBytes("g", "last"))));
    HardeningTest.appendToLog(dir, "c", batches);
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      assertEquals(Optional.empty(), c.get("b1"));
      assertEquals(Optional.empty(), c.get("b2"));
      assertTrue(c.get("z").isPresent());
      assertEquals(52, c.count()); // a0..a49, z and the foreign record
      assertEquals(1, c.stats().quarantined());
    }
  }
}
