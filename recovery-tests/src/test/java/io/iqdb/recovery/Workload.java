package io.iqdb.recovery;

import io.iqdb.CollectionConfig;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A deterministic stream of writes over the three test collections (one per index kind): the same
 * seed gives the same operations, so the process that runs them (a child JVM) and the process that
 * checks the result (the test) agree on operation {@code n} without sending vectors over a pipe.
 *
 * <p>Each upsert carries the payload {@code op = n}, so a stored record names the operation that
 * wrote it; vectors are drawn fresh per operation.
 */
final class Workload {
  /** The vector dimension of every test collection. */
  static final int DIM = 8;

  /** The collections: one flat, one HNSW, one IVF index. */
  static final List<String> COLLECTIONS = List.of("flat", "hnsw", "ivf");

  /** What an operation does. */
  enum Kind {
    UPSERT,
    UPSERT_ALL,
    DELETE,
    DELETE_ALL,
    FLUSH_COLLECTION,
    FLUSH_DATABASE
  }

  /**
   * One operation.
   *
   * @param n its number in the stream, from 0
   * @param kind what it does
   * @param collection the collection, or null for {@link Kind#FLUSH_DATABASE}
   * @param upserts the records written, in order (the last one of an id wins)
   * @param deletes the ids deleted
   */
  record Op(long n, Kind kind, String collection, List<VectorRecord> upserts, List<String> deletes) {
    boolean isFlush() {
      return kind == Kind.FLUSH_COLLECTION || kind == Kind.FLUSH_DATABASE;
    }

    @Override
    public String toString() {
      return "op " + n + " " + kind + (collection == null ? "" : " on '" + collection + "'")
          + (upserts.isEmpty() ? "" : " upserts " + upserts.stream().map(VectorRecord::id).toList())
          + (deletes.isEmpty() ? "" : " deletes " + deletes);
    }
  }

  private final Random random;
  private final int ids;
  private final double flushRate;
  private final int maxBatch;
  private final String idPrefix;
  private long next;

  /**
   * A workload.
   *
   * @param seed the seed
   * @param ids ids per collection ({@code id-0 ..}); few ids mean many overwrites and real deletes
   * @param flushRate the probability that an operation is a flush
   * @param maxBatch the largest batch of {@link Kind#UPSERT_ALL} and {@link Kind#DELETE_ALL}
   */
  Workload(long seed, int ids, double flushRate, int maxBatch) {
    this(seed, ids, flushRate, maxBatch, "id-");
  }

  private Workload(long seed, int ids, double flushRate, int maxBatch, String idPrefix) {
    this.random = new Random(seed);
    this.ids = ids;
    this.flushRate = flushRate;
    this.maxBatch = maxBatch;
    this.idPrefix = idPrefix;
  }

  /**
   * The workload of writer thread {@code t} of a concurrent run: its own seed and its own ids
   * ({@code t<t>-id-<k>}), so that the writes of different threads commute and each thread's
   * operation in flight can be judged on its own.
   */
  static Workload forThread(long seed, int t, int ids, double flushRate, int maxBatch) {
    return new Workload(seed + 0x9E3779B97F4A7C15L * t, ids, flushRate, maxBatch, "t" + t + "-id-");
  }

  /** Creates the test collections in a new database. */
  static void createCollections(Iqdb db) {
    db.createCollection("flat", CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.flat()).build());
    db.createCollection("hnsw", CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.hnsw()).build());
    db.createCollection("ivf", CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.ivf()).build());
  }

  /** The next operation of the stream. */
  Op next() {
    long n = next++;
    String c = COLLECTIONS.get(random.nextInt(COLLECTIONS.size()));
    if (random.nextDouble() < flushRate) {
      return random.nextInt(3) == 0
          ? new Op(n, Kind.FLUSH_DATABASE, null, List.of(), List.of())
          : new Op(n, Kind.FLUSH_COLLECTION, c, List.of(), List.of());
    }
    int r = random.nextInt(10);
    if (r < 4) {
      return new Op(n, Kind.UPSERT, c, List.of(record(n, 0)), List.of());
    } else if (r < 7) {
      int size = 1 + random.nextInt(maxBatch);
      List<VectorRecord> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        batch.add(record(n, i));
      }
      return new Op(n, Kind.UPSERT_ALL, c, batch, List.of());
    } else if (r < 9) {
      return new Op(n, Kind.DELETE, c, List.of(), List.of(id()));
    } else {
      int size = 1 + random.nextInt(maxBatch);
      List<String> del = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        del.add(id());
      }
      return new Op(n, Kind.DELETE_ALL, c, List.of(), del);
    }
  }

  private String id() {
    return idPrefix + random.nextInt(ids);
  }

  private VectorRecord record(long n, int i) {
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return VectorRecord.of(id(), v, Payload.of("op", n, "i", (long) i));
  }

  /** Runs an operation against a database. */
  static void apply(Iqdb db, Op op) {
    switch (op.kind()) {
      case UPSERT -> {
        VectorRecord r = op.upserts().get(0);
        db.collection(op.collection()).upsert(r.id(), r.vector(), r.payload());
      }
      case UPSERT_ALL -> db.collection(op.collection()).upsertAll(op.upserts());
      case DELETE -> db.collection(op.collection()).delete(op.deletes().get(0));
      case DELETE_ALL -> db.collection(op.collection()).deleteAll(op.deletes());
      case FLUSH_COLLECTION -> db.collection(op.collection()).flush();
      case FLUSH_DATABASE -> db.flush();
    }
  }
}
