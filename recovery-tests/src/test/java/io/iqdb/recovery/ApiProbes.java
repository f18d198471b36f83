package io.iqdb.recovery;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Filter;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Calls of the public API with a null or out-of-range argument, one per factory or method that
 * takes one: each must throw an {@link io.iqdb.InvalidArgumentException} (issue 11, item 4) and
 * change nothing. {@link TestModelBasedApi} runs one at random now and then.
 */
final class ApiProbes {
  private ApiProbes() {}

  /**
   * One call with a bad argument.
   *
   * @param label the call, as written in the source
   * @param call the call
   */
  record Probe(String label, Referee.Call<?> call) {}

  /**
   * The probes.
   *
   * @param db an open database (the probes create nothing in it unless a check is missing)
   * @param c an open collection of it
   * @param q a valid query vector for {@code c}
   */
  static List<Probe> all(Iqdb db, VectorCollection c, float[] q) {
    return List.of(
        new Probe("Payload.of((Map) null)", () -> Payload.of((Map<String, ?>) null)),
        new Probe("Payload.of((Object[]) null)", () -> Payload.of((Object[]) null)),
        new Probe("Payload.builder().put(null, 1)", () -> Payload.builder().put(null, 1)),
        new Probe("Payload.empty().get(null)", () -> Payload.empty().get(null)),
        new Probe("Durability.async(null)", () -> Durability.async(null)),
        new Probe("Durability.async(ZERO)", () -> Durability.async(Duration.ZERO)),
        new Probe("Durability.async(-1 ms)", () -> Durability.async(Duration.ofMillis(-1))),
        new Probe("new Durability(null, ZERO)", () -> new Durability(null, Duration.ZERO)),
        new Probe("CollectionConfig dimension 0", () -> CollectionConfig.builder(0, Metric.L2).build()),
        new Probe("CollectionConfig dimension 4097", () -> CollectionConfig.builder(4097, Metric.L2).build()),
        new Probe("CollectionConfig null metric", () -> CollectionConfig.builder(8, null).build()),
        new Probe("CollectionConfig null index", () -> CollectionConfig.builder(8, Metric.L2).index(null).build()),
        new Probe("IndexSpec.flat(null)", () -> IndexSpec.flat(null)),
        new Probe("IndexSpec.hnsw(1, 100)", () -> IndexSpec.hnsw(1, 100)),
        new Probe("IndexSpec.hnsw(16, 0)", () -> IndexSpec.hnsw(16, 0)),
        new Probe("IndexSpec.hnsw(513, 100)", () -> IndexSpec.hnsw(513, 100)),
        new Probe("IndexSpec.ivf().withLists(-1)", () -> IndexSpec.ivf().withLists(-1)),
        new Probe("IndexSpec.ivf().withQuantization(null)", () -> IndexSpec.ivf().withQuantization(null)),
        new Probe("SearchRequest.of(null, 1)", () -> SearchRequest.of(null, 1)),
        new Probe("SearchRequest k=0", () -> SearchRequest.of(q, 0)),
        new Probe("SearchRequest k=10001", () -> SearchRequest.of(q, 10_001)),
        new Probe("SearchRequest probes(-1)", () -> SearchRequest.of(q, 1).probes(-1)),
        new Probe("SearchRequest ef(-1)", () -> SearchRequest.of(q, 1).ef(-1)),
        new Probe("SearchRequest oversample(0.5)", () -> SearchRequest.of(q, 1).oversample(0.5f)),
        new Probe("SearchRequest oversample(NaN)", () -> SearchRequest.of(q, 1).oversample(Float.NaN)),
        new Probe("Filter.eq(f, null)", () -> Filter.eq("lang", null)),
        new Probe("Filter.eq(null, v)", () -> Filter.eq(null, "en")),
        new Probe("Filter.exists(null)", () -> Filter.exists(null)),
        new Probe("Filter.in(f, (List) null)", () -> Filter.in("lang", (List<?>) null)),
        new Probe("Filter.in(f, (Object[]) null)", () -> Filter.in("lang", (Object[]) null)),
        new Probe("Filter.allOf((Filter[]) null)", () -> Filter.allOf((Filter[]) null)),
        new Probe("Filter.anyOf(f, null)", () -> Filter.anyOf(Filter.exists("lang"), null)),
        new Probe("filter.and(null)", () -> Filter.exists("lang").and(null)),
        new Probe("filter.or(null)", () -> Filter.exists("lang").or(null)),
        new Probe("Filter.range(f, null, null)", () -> Filter.range("year", null, null)),
        new Probe("Filter.range(f, NaN, 1)", () -> Filter.range("year", Double.NaN, 1)),
        new Probe("Filter.range(f, BigDecimal, null)", () -> Filter.range("year", BigDecimal.ONE, null)),
        new Probe("new Filter.Not(null)", () -> new Filter.Not(null)),
        new Probe("new Filter.And(null)", () -> new Filter.And(null)),
        new Probe("Iqdb.open(null)", () -> Iqdb.open(null)),
        new Probe("Iqdb.builder().durability(null)", () -> Iqdb.builder().durability(null)),
        new Probe("Iqdb.builder().ramBufferMb(NaN)", () -> Iqdb.builder().ramBufferMb(Double.NaN)),
        new Probe("db.collection(null)", () -> db.collection(null)),
        new Probe("db.findCollection(null)", () -> db.findCollection(null)),
        new Probe("db.createCollection(name, null)", () -> db.createCollection("c9", null)),
        new Probe("upsert((VectorRecord) null)", () -> {
          c.upsert((VectorRecord) null);
          return null;
        }),
        new Probe("upsertAll(null)", () -> {
          c.upsertAll(null);
          return null;
        }),
        new Probe("deleteAll(null)", () -> c.deleteAll(null)),
        new Probe("delete(null)", () -> c.delete(null)),
        new Probe("get(null)", () -> c.get(null)),
        new Probe("search((SearchRequest) null)", () -> c.search((SearchRequest) null)),
        new Probe("searchBatch(null, 1)", () -> c.searchBatch(null, 1)),
        new Probe("searchBatch(queries, 0)", () -> c.searchBatch(List.of(q), 0)),
        new Probe("searchBatch with a null query", () -> c.searchBatch(Arrays.asList(q, null), 1)),
        new Probe("searchBatchRequests(null)", () -> c.searchBatchRequests(null)),
        new Probe("compact(0)", () -> {
          c.compact(0);
          return null;
        }));
  }
}
