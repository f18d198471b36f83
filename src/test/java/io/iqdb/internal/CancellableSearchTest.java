package io.iqdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.CollectionConfig;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.SearchRequest;
import io.iqdb.VectorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.index.QueryTimeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A search whose {@link QueryTimeout} says stop (the async API's cancelled future) stops early: it
 * consults the timeout and returns a partial result, where the same search without one finds the
 * real nearest neighbours.
 */
class CancellableSearchTest {
  private static final int DIM = 8;

  @ParameterizedTest
  @ValueSource(strings = {"flat-exact", "hnsw"})
  void aCancelledSearchStopsEarly(String kind) {
    IndexSpec index = kind.equals("hnsw") ? IndexSpec.hnsw() : IndexSpec.flat();
    try (Iqdb db = Iqdb.openInMemory()) {
      CollectionImpl c = (CollectionImpl) db.createCollection("c", CollectionConfig.builder(DIM, Metric.L2).index(index).build());
      Random r = new Random(11);
      List<VectorRecord> records = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        records.add(VectorRecord.of("r" + i, vector(r)));
      }
      c.upsertAll(records);
      assertEquals(20_000, c.count()); // refreshes: the searcher, not the tail, holds the records
      for (int q = 0; q < 5; q++) {
        SearchRequest request = SearchRequest.of(vector(r), 10).exact(kind.equals("flat-exact"));
        List<Hit> full = c.search(request);
        assertEquals(full, c.search(request, () -> false), "a timeout that never fires changes the result");
        AtomicInteger checks = new AtomicInteger();
        QueryTimeout cancelled = () -> {
          checks.incrementAndGet();
          return true;
        };
        List<Hit> partial = c.search(request, cancelled);
        assertTrue(checks.get() > 0, "the search never looked at its cancellation");
        assertEquals(10, full.size());
        assertNotEquals(ids(full), ids(partial), "a cancelled search found the same hits as a full one");
        List<List<Hit>> batch = c.searchBatchRequests(List.of(request, request), cancelled);
        assertNotEquals(ids(full), ids(batch.get(0)));
      }
    }
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(Hit::id).toList();
  }

  private static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = r.nextFloat();
    }
    return v;
  }
}
