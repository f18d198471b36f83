package io.iqdb.opensearch;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.get.MultiGetItemResponse;
import org.opensearch.action.get.MultiGetRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.routing.ShardRouting;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.index.IndexService;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.InternalTestCluster;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/**
 * iQDB's formats in a real in-JVM OpenSearch cluster: 3 nodes (data and cluster-manager
 * eligible), an index of 3 shards with 1 replica, {@code iqdb.os.docs} documents (20,000 by
 * default) shaped like sentence embeddings (384-d, cosine, half of them exact copies of another:
 * see {@link VectorData}) with a flat, an IVF (int8) and an HNSW field plus payload fields; kNN
 * answers, filtered and not, against exact search (tie-aware recall); then a node restarted while
 * indexing goes on: every acknowledged document is still there and the node's shards recover. Numbers go to the test's output and to
 * {@code target/cluster-test.txt}.
 */
@ClusterScope(scope = Scope.SUITE, numDataNodes = 3, numClientNodes = 0, supportsDedicatedMasters = false)
public class IqdbClusterTests extends OpenSearchIntegTestCase {
  private static final String INDEX = "vectors";
  private static final int K = 10;
  private static final int QUERIES = 50;
  private static final List<String> FIELDS = List.of("flat", "ivf", "hnsw");

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(IqdbPlugin.class);
  }

  // The numbers this test reports should describe OpenSearch with iQDB, not the test framework's
  // randomization: no mock directory (random throttling and I/O faults), no random index template
  // (translog durability, refresh and merge settings), document replication as in a default setup.
  @Override
  protected boolean addMockIndexStorePlugin() {
    return false;
  }

  @Override
  protected void randomIndexTemplate() {}

  @Override
  protected boolean useRandomReplicationStrategy() {
    return false;
  }

  static int docCount() {
    return Integer.getInteger("iqdb.os.docs", 20_000);
  }

  static void createIndex(String name, int shards, int replicas) throws IOException {
    String mapping =
        """
        {"properties": {
          "flat": {"type": "iqdb_vector", "dimension": %1$d, "metric": "cosine", "index": "flat"},
          "ivf":  {"type": "iqdb_vector", "dimension": %1$d, "metric": "cosine", "index": "ivf", "quantization": "int8"},
          "hnsw": {"type": "iqdb_vector", "dimension": %1$d, "metric": "cosine", "index": "hnsw"},
          "category": {"type": "keyword"},
          "year": {"type": "integer"}
        }}"""
            .replace("%1$d", Integer.toString(VectorData.DIMENSION)); // not formatted(): random default locale
    client()
        .admin()
        .indices()
        .prepareCreate(name)
        .setSettings(
            Settings.builder()
                .put("index.number_of_shards", shards)
                .put("index.number_of_replicas", replicas)
                .put(IqdbPlugin.INDEX_IQDB.getKey(), true)
                // the test framework picks a random codec otherwise (Lucene's Asserting codec for
                // lucene_default), which the plugin refuses: see IqdbCodecService
                .put("index.codec", "default"))
        .setMapping(mapping)
        .get();
  }

  public void testKnnRecallAndNodeRestart() throws Exception {
    StringBuilder report = new StringBuilder();
    VectorData data = new VectorData(42);
    int n = docCount();
    createIndex(INDEX, 3, 1);
    ensureGreen(INDEX);

    // 1. Load.
    long t0 = System.nanoTime();
    for (int from = 0; from < n; from += 1000) {
      BulkRequestBuilder bulk = client().prepareBulk();
      for (int i = from; i < Math.min(n, from + 1000); i++) {
        int doc = data.add();
        bulk.add(client().prepareIndex(INDEX).setId(VectorData.id(doc)).setSource(data.source(doc)));
      }
      BulkResponse r = bulk.get();
      assertFalse(r.buildFailureMessage(), r.hasFailures());
    }
    double loadSeconds = (System.nanoTime() - t0) / 1e9;
    refresh(INDEX);
    double refreshSeconds = (System.nanoTime() - t0) / 1e9 - loadSeconds;
    // a copy shares its original's array, so identity counts distinct vectors
    report.append(
        String.format(
            Locale.ROOT,
            "load: %d docs (dim %d cosine, %d distinct vectors, 3 vector fields, 3 shards x 2 copies) in %.1f s = %.0f docs/s, refresh %.1f s%n",
            n, VectorData.DIMENSION, data.vectors.stream().distinct().count(), loadSeconds, n / loadSeconds, refreshSeconds));
    assertEquals(n, client().prepareSearch(INDEX).setSize(0).setTrackTotalHits(true).get().getHits().getTotalHits().value());
    assertSegmentsWrittenByIqdb(INDEX);

    // 2. kNN against exact search, unfiltered and filtered.
    measureRecall(data, report, "before restart", 0.95);

    // 3. Restart a node while a writer keeps indexing; every acknowledged document must survive.
    Set<String> acked = ConcurrentHashMap.newKeySet();
    AtomicInteger failedItems = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger bulks = new AtomicInteger();
    List<Throwable> writerErrors = new ArrayList<>();
    // the node to restart, and a client of another node for the writer: requests in flight on the
    // stopped node's own client fail with it, which says nothing about the cluster
    List<String> nodes = new ArrayList<>(internalCluster().getDataNodeNames());
    java.util.Collections.sort(nodes);
    String victim = randomFrom(nodes);
    nodes.remove(victim);
    org.opensearch.transport.client.Client writerClient = internalCluster().client(randomFrom(nodes));
    java.util.concurrent.atomic.AtomicLong maxBulkNanos = new java.util.concurrent.atomic.AtomicLong();
    Thread writer =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  BulkRequestBuilder bulk = writerClient.prepareBulk().setTimeout(TimeValue.timeValueSeconds(30));
                  List<String> ids = new ArrayList<>();
                  synchronized (data) {
                    for (int i = 0; i < 100; i++) {
                      int doc = data.add();
                      ids.add(VectorData.id(doc));
                      bulk.add(writerClient.prepareIndex(INDEX).setId(VectorData.id(doc)).setSource(data.source(doc)));
                    }
                  }
                  long bulkStart = System.nanoTime();
                  try {
                    for (BulkItemResponse item : bulk.get().getItems()) {
                      if (item.isFailed()) {
                        failedItems.incrementAndGet();
                      } else {
                        acked.add(item.getId());
                      }
                    }
                  } catch (Exception e) {
                    failedItems.addAndGet(ids.size()); // not acknowledged: nothing is promised
                  }
                  maxBulkNanos.accumulateAndGet(System.nanoTime() - bulkStart, Math::max);
                  bulks.incrementAndGet();
                }
              } catch (Throwable e) {
                synchronized (writerErrors) {
                  writerErrors.add(e);
                }
              }
            },
            "iqdb-writer");
    writer.start();
    waitUntil(() -> bulks.get() >= 5 || !writer.isAlive(), 60, java.util.concurrent.TimeUnit.SECONDS);
    int ackedBeforeStop = acked.size();
    long restartStart = System.nanoTime();
    String[] restarted = new String[1];
    int[] ackedWhileDown = new int[1];
    internalCluster()
        .restartNode(
            victim,
            new InternalTestCluster.RestartCallback() {
              @Override
              public Settings onNodeStopped(String nodeName) throws Exception {
                restarted[0] = nodeName;
                int before = bulks.get();
                // the writer goes on while the node is down
                waitUntil(() -> bulks.get() >= before + 3 || !writer.isAlive(), 60, java.util.concurrent.TimeUnit.SECONDS);
                ackedWhileDown[0] = acked.size();
                return Settings.EMPTY;
              }
            });
    int afterRestart = bulks.get();
    waitUntil(() -> bulks.get() >= afterRestart + 5 || !writer.isAlive(), 60, java.util.concurrent.TimeUnit.SECONDS);
    stop.set(true);
    writer.join(120_000);
    assertFalse("writer still running", writer.isAlive());
    assertTrue("writer failed: " + writerErrors, writerErrors.isEmpty());
    ensureGreen(TimeValue.timeValueMinutes(2), INDEX);
    double recoverySeconds = (System.nanoTime() - restartStart) / 1e9;
    refresh(INDEX);

    // every acknowledged document: by real-time get, and by search
    List<String> ackedIds = new ArrayList<>(acked);
    Set<String> missing = new HashSet<>();
    for (int from = 0; from < ackedIds.size(); from += 500) {
      MultiGetRequestBuilder get = client().prepareMultiGet();
      for (String id : ackedIds.subList(from, Math.min(ackedIds.size(), from + 500))) {
        get.add(INDEX, id);
      }
      for (MultiGetItemResponse item : get.get().getResponses()) {
        if (item.isFailed() || !item.getResponse().isExists()) {
          missing.add(item.getId());
        }
      }
    }
    assertTrue("acknowledged but missing: " + missing, missing.isEmpty());
    long total = client().prepareSearch(INDEX).setSize(0).setTrackTotalHits(true).get().getHits().getTotalHits().value();
    assertTrue("total " + total + " < " + (n + acked.size()), total >= n + acked.size());

    // the restarted node holds started shard copies again
    ClusterState state = client().admin().cluster().prepareState().get().getState();
    String restartedId = state.nodes().resolveNode(restarted[0]).getId();
    long copiesOnRestarted =
        state.routingTable().index(INDEX).shardsWithState(org.opensearch.cluster.routing.ShardRoutingState.STARTED).stream()
            .map(ShardRouting::currentNodeId)
            .filter(restartedId::equals)
            .count();
    assertTrue("the restarted node " + restarted[0] + " holds no shard", copiesOnRestarted > 0);
    report.append(
        String.format(
            Locale.ROOT,
            "restart: node %s restarted while indexing: %d docs acknowledged during the run (%d before the stop,"
                + " %d by the end of the node's downtime), %d items not acknowledged, slowest bulk of 100 %.1f s, all %d acknowledged found (mget and search total %d);"
                + " green again %.1f s after the stop began, %d shard copies on the restarted node%n",
            restarted[0], acked.size(), ackedBeforeStop, ackedWhileDown[0], failedItems.get(), maxBulkNanos.get() / 1e9, acked.size(), total,
            recoverySeconds, copiesOnRestarted));

    // 4. The same answers after recovery, over every document. The ground truth holds every vector
    // the test wrote, so recall is measured again only when the index holds exactly those (every
    // bulk item was acknowledged; an unacknowledged one may or may not have been indexed).
    if (failedItems.get() == 0 && total == data.vectors.size()) {
      measureRecall(data, report, "after restart", 0.95);
    } else {
      report.append("after restart: ").append(failedItems.get())
          .append(" items not acknowledged, so the ground truth is unknown; recall not re-measured\n");
    }

    String text = report.toString();
    System.out.print(text);
    Files.writeString(Path.of("target", "cluster-test.txt"), text, StandardCharsets.UTF_8);

    // Rebalancing after the restart may still be moving a shard copy. Closing the cluster while a
    // recovery runs waited for it forever once (PeerRecoverySourceService.awaitEmpty, on an idle
    // machine): end with none running and the index gone.
    client().admin().cluster().prepareHealth(INDEX).setWaitForGreenStatus()
        .setWaitForNoRelocatingShards(true).setWaitForNoInitializingShards(true)
        .setTimeout(TimeValue.timeValueMinutes(2)).get();
    client().admin().indices().prepareDelete(INDEX).get();
  }

  /** Bad mappings, documents and queries are refused with a message naming the bad value. */
  public void testBadInputIsRefusedClearly() throws Exception {
    String vectorField = "{\"properties\": {\"v\": {\"type\": \"iqdb_vector\", %s}}}";
    assertRefused(
        () -> client().admin().indices().prepareCreate("plain").setMapping(vectorField.replace("%s", "\"dimension\": 4")).get(),
        "needs the index setting [index.iqdb: true]");
    Settings iqdb = Settings.builder().put(IqdbPlugin.INDEX_IQDB.getKey(), true).put("index.codec", "default")
        .put("index.number_of_shards", 1).put("index.number_of_replicas", 0).build();
    assertRefused(
        () -> client().admin().indices().prepareCreate("nodim").setSettings(iqdb).setMapping(vectorField.replace("%s", "\"metric\": \"l2\"")).get(),
        "needs a [dimension]");
    assertRefused(
        () -> client().admin().indices().prepareCreate("wide").setSettings(iqdb).setMapping(vectorField.replace("%s", "\"dimension\": 5000")).get(),
        "dimension=5000");
    assertRefused(
        () -> client().admin().indices().prepareCreate("badmetric").setSettings(iqdb)
            .setMapping(vectorField.replace("%s", "\"dimension\": 4, \"metric\": \"manhattan\"")).get(),
        "manhattan");
    client().admin().indices().prepareCreate("small").setSettings(iqdb)
        .setMapping(vectorField.replace("%s", "\"dimension\": 4, \"metric\": \"cosine\", \"index\": \"ivf\", \"quantization\": \"int4\"")).get();
    ensureGreen("small");
    assertRefused(
        () -> client().prepareIndex("small").setId("a").setSource("{\"v\": [1, 2, 3]}", org.opensearch.core.xcontent.MediaTypeRegistry.JSON).get(),
        "the vector has 3 dimensions; the mapping says 4");
    assertRefused(
        () -> client().prepareIndex("small").setId("a").setSource("{\"v\": [0, 0, 0, 0]}", org.opensearch.core.xcontent.MediaTypeRegistry.JSON).get(),
        "a cosine vector must not be all zeros");
    client().prepareIndex("small").setId("a").setSource("{\"v\": [1, 0, 0, 0]}", org.opensearch.core.xcontent.MediaTypeRegistry.JSON)
        .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();
    client().prepareIndex("small").setId("b").setSource("{\"v\": [0, 1, 0, 0]}", org.opensearch.core.xcontent.MediaTypeRegistry.JSON)
        .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();

    // null: a document without a vector, as for any field
    client().prepareIndex("small").setId("n").setSource("{\"v\": null}", org.opensearch.core.xcontent.MediaTypeRegistry.JSON)
        .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE).get();
    assertEquals(2, client().prepareSearch("small").setQuery(QueryBuilders.existsQuery("v")).setTrackTotalHits(true).get()
        .getHits().getTotalHits().value());

    // the query's JSON form (parsed on the shards) answers as the builder does
    SearchResponse json =
        client().prepareSearch("small")
            .setQuery(QueryBuilders.wrapperQuery("{\"iqdb_knn\": {\"v\": {\"vector\": [0.1, 1, 0, 0], \"k\": 1, \"probes\": 2}}}"))
            .get();
    assertEquals(1, json.getHits().getHits().length);
    assertEquals("b", json.getHits().getHits()[0].getId());
    SearchResponse built =
        client().prepareSearch("small").setQuery(new IqdbKnnQueryBuilder("v", new float[] {0.1f, 1, 0, 0}, 1).probes(2)).get();
    assertEquals("b", built.getHits().getHits()[0].getId());
    assertEquals(json.getHits().getHits()[0].getScore(), built.getHits().getHits()[0].getScore(), 0f);

    assertRefused(
        () -> client().prepareSearch("small").setQuery(new IqdbKnnQueryBuilder("v", new float[] {1, 0, 0}, 1)).get(),
        "the vector has 3 dimensions; field [v] has 4");
    assertRefused(
        () -> client().prepareSearch("small")
            .setQuery(QueryBuilders.wrapperQuery("{\"iqdb_knn\": {\"v\": {\"vector\": [1, 0, 0, 0], \"k\": 1, \"nprobe\": 2}}}")).get(),
        "does not support [nprobe]");
    assertRefused(
        () -> client().prepareSearch("small")
            .setQuery(QueryBuilders.wrapperQuery("{\"iqdb_knn\": {\"v\": {\"vector\": [1, 0, 0, 0], \"k\": 0}}}")).get(),
        "k=0");
    assertRefused(
        () -> client().prepareSearch("small")
            .setQuery(QueryBuilders.wrapperQuery("{\"iqdb_knn\": {\"v\": {\"vector\": [1, 0, 0, 0], \"k\": \"ten\"}}}")).get(),
        "[iqdb_knn] [k]");
    assertRefused(() -> new IqdbKnnQueryBuilder("v", new float[] {1}, 1).ef(-1), "ef=-1");
  }

  /** Runs an action expected to fail; the failure's messages (causes, shard failures) name {@code text}. */
  private static void assertRefused(org.apache.lucene.tests.util.LuceneTestCase.ThrowingRunnable action, String text) {
    Exception e = expectThrows(Exception.class, action);
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t).append('\n');
      if (t instanceof org.opensearch.action.search.SearchPhaseExecutionException s) {
        for (org.opensearch.action.search.ShardSearchFailure f : s.shardFailures()) {
          messages.append(f.reason()).append('\n');
        }
      }
    }
    assertTrue("expected [" + text + "] in:\n" + messages, messages.toString().contains(text));
  }

  /**
   * Recall@K of each field against exact search, without and with a filter, and the QPS. Recall is
   * tie-aware: a hit counts when the filter accepts it and it is at least as close as the K-th true
   * neighbour, so any of several tied copies is right.
   */
  private void measureRecall(VectorData data, StringBuilder report, String label, double minRecall) {
    List<float[]> queries = new ArrayList<>();
    VectorData queryGen = new VectorData(42); // same centers as the documents
    for (int i = 0; i < QUERIES; i++) {
      queries.add(queryGen.next());
    }
    IntPredicate all = doc -> true;
    IntPredicate filtered = doc -> VectorData.category(doc).equals("c3") && VectorData.year(doc) >= 2010;
    for (String field : FIELDS) {
      for (boolean filter : new boolean[] {false, true}) {
        int found = 0;
        long nanos = 0;
        for (float[] q : queries) {
          IntPredicate accept = filter ? filtered : all;
          double kth = data.kthDistance(q, K, accept);
          IqdbKnnQueryBuilder knn = new IqdbKnnQueryBuilder(field, q, K);
          if (filter) {
            knn.filter(
                QueryBuilders.boolQuery()
                    .filter(QueryBuilders.termQuery("category", "c3"))
                    .filter(QueryBuilders.rangeQuery("year").gte(2010)));
          }
          long t = System.nanoTime();
          SearchResponse r = client().prepareSearch(INDEX).setQuery(knn).setSize(K).setFetchSource(false).get();
          nanos += System.nanoTime() - t;
          assertEquals(0, r.getFailedShards());
          List<String> hits = new ArrayList<>();
          for (SearchHit hit : r.getHits().getHits()) {
            hits.add(hit.getId());
          }
          found += data.trueNeighbours(q, hits, kth, accept);
        }
        double recall = found / (double) (QUERIES * K);
        double qps = QUERIES / (nanos / 1e9);
        report.append(
            String.format(
                Locale.ROOT,
                "%s: %-4s %-10s recall@%d %.3f, %.0f QPS (one client thread)%n",
                label, field, filter ? "filtered" : "unfiltered", K, recall, qps));
        double floor = field.equals("flat") ? 0.999 : minRecall;
        assertTrue(label + " " + field + (filter ? " filtered" : "") + " recall " + recall, recall >= floor);
      }
    }
  }

  /** Every segment of every shard copy was written by iQDB's codec, each field in its format. */
  private void assertSegmentsWrittenByIqdb(String index) throws IOException {
    Map<String, String> expected =
        Map.of(
            "flat", IqdbVectorFormats.flat(32).getName(),
            "ivf", IqdbVectorFormats.ivf(0, 8).getName(),
            "hnsw", IqdbVectorFormats.hnsw(16, 100, 32).getName());
    int segments = 0;
    for (String node : internalCluster().getNodeNames()) {
      IndicesService indices = internalCluster().getInstance(IndicesService.class, node);
      for (IndexService service : indices) {
        for (IndexShard shard : service) {
          try (Engine.Searcher searcher = shard.acquireSearcher("iqdb-test")) {
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
              SegmentReader segment = (SegmentReader) FilterLeafReader.unwrap(leaf.reader());
              assertEquals(IqdbCodec.NAME, segment.getSegmentInfo().info.getCodec().getName());
              for (String field : FIELDS) {
                FieldInfo info = segment.getFieldInfos().fieldInfo(field);
                assertEquals(field, expected.get(field), info.getAttribute(PerFieldKnnVectorsFormat.PER_FIELD_FORMAT_KEY));
              }
              segments++;
            }
          }
        }
      }
    }
    assertTrue("no segment seen", segments > 0);
  }
}
