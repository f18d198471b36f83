package io.iqdb.opensearch;

import com.carrotsearch.randomizedtesting.annotations.ThreadLeakFilters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.MediaTypeRegistry;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.BouncyCastleThreadFilter;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/**
 * Moving a collection up: the {@code iqdb} command line (run as its own process, on Lucene 10.6)
 * creates a collection, imports records, exports them with {@code --format opensearch} and
 * answers queries; the bulk file and index body load into a cluster running the plugin, whose
 * {@code iqdb_knn} answers are the same top-k, with and without a filter. The collection is flat
 * (exact) on both sides, so the answers must be equal, not merely close: the same distances rank
 * by rank (the data has exact duplicates, and tied copies may come in either order).
 *
 * <p>The command line's jar is the reactor's ({@code cli/target/iqdb-cli-*-all.jar}, property
 * {@code iqdb.cli.jar}); a build of this module alone, without it, skips the test.
 */
@ThreadLeakFilters(filters = {BouncyCastleThreadFilter.class, ProcessReaperThreadFilter.class})
@ClusterScope(scope = Scope.SUITE, numDataNodes = 2, numClientNodes = 0, supportsDedicatedMasters = false)
public class IqdbExportTests extends OpenSearchIntegTestCase {
  private static final int RECORDS = 2_000;
  private static final int K = 10;

  @Override
  protected List<Class<? extends Plugin>> nodePlugins() {
    return List.of(IqdbPlugin.class);
  }

  @Override
  protected boolean addMockIndexStorePlugin() {
    return false;
  }

  @Override
  protected void randomIndexTemplate() {}

  public void testExportedCollectionGivesTheSameTopK() throws Exception {
    String jar = System.getProperty("iqdb.cli.jar", "");
    assumeTrue("the iqdb command line jar is built by the reactor (mvn verify, or -pl opensearch -am); missing: " + jar,
        !jar.isEmpty() && Files.exists(Path.of(jar)));
    Path dir = createTempDir();
    Path db = dir.resolve("db");
    VectorData data = new VectorData(7);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      int doc = data.add();
      lines.add(
          "{\"id\": \"" + VectorData.id(doc) + "\", \"vector\": " + VectorData.json(data.vectors.get(doc))
              + ", \"payload\": {\"category\": \"" + VectorData.category(doc) + "\", \"year\": " + VectorData.year(doc) + "}}");
    }
    Path input = dir.resolve("input.jsonl");
    Files.write(input, lines, StandardCharsets.UTF_8);
    cli(jar, "create", db, "docs", "--dim", VectorData.DIMENSION, "--metric", "cosine", "--index", "flat");
    cli(jar, "import", db, "docs", input, "--no-progress");
    Path bulk = dir.resolve("bulk.ndjson");
    Path body = dir.resolve("index.json");
    cli(jar, "export", db, "docs", bulk, "--format", "opensearch", "--os-index", "moved", "--mapping", body);

    // the index as the export describes it, spread over the cluster
    Map<String, Object> index = XContentHelper.convertToMap(JsonXContent.jsonXContent, Files.readString(body), false);
    @SuppressWarnings("unchecked")
    Map<String, Object> settings = new HashMap<>((Map<String, Object>) index.get("settings"));
    settings.put("index.number_of_shards", 2);
    settings.put("index.number_of_replicas", 1);
    settings.put("index.codec", "default");
    @SuppressWarnings("unchecked")
    Map<String, Object> mappings = (Map<String, Object>) index.get("mappings");
    client().admin().indices().prepareCreate("moved").setSettings(settings).setMapping(mappings).get();
    ensureGreen("moved");
    byte[] bytes = Files.readAllBytes(bulk);
    BulkResponse loaded = client().prepareBulk().add(bytes, 0, bytes.length, null, MediaTypeRegistry.JSON).get();
    assertFalse(loaded.buildFailureMessage(), loaded.hasFailures());
    assertEquals(RECORDS, loaded.getItems().length);
    refresh("moved");

    VectorData queries = new VectorData(7);
    for (int q = 0; q < 4; q++) {
      float[] vector = queries.next();
      boolean filtered = q % 2 == 1;
      List<String> iqdb =
          filtered
              ? ids(cli(jar, "search", db, "docs", VectorData.json(vector), "-k", K, "--json", "--filter", "category = c3"))
              : ids(cli(jar, "search", db, "docs", VectorData.json(vector), "-k", K, "--json"));
      IqdbKnnQueryBuilder knn = new IqdbKnnQueryBuilder("vector", vector, K);
      if (filtered) {
        knn.filter(QueryBuilders.termQuery("category", "c3"));
      }
      SearchResponse r = client().prepareSearch("moved").setQuery(knn).setSize(K).get();
      List<String> opensearch = new ArrayList<>();
      for (SearchHit hit : r.getHits().getHits()) {
        opensearch.add(hit.getId());
      }
      assertEquals(K, iqdb.size());
      // the same top k: the same distances rank by rank (tied copies may come in either order)
      assertEquals("query " + q + (filtered ? " (filtered)" : ""), distances(data, vector, iqdb), distances(data, vector, opensearch));
    }
  }

  /** The distances of the hits to the query, rounded to 1e-6, rank by rank. */
  private static List<Long> distances(VectorData data, float[] query, List<String> ids) {
    List<Long> distances = new ArrayList<>();
    for (String id : ids) {
      distances.add(Math.round(VectorData.distance(query, data.vectors.get(VectorData.doc(id))) * 1e6));
    }
    return distances;
  }

  /** Runs the iqdb command line in its own JVM and returns its standard output. */
  private String cli(String jar, Object... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-modules=jdk.incubator.vector");
    command.add("-jar");
    command.add(jar);
    for (Object a : args) {
      command.add(a.toString());
    }
    Path err = createTempFile();
    Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue("iqdb " + args[0] + " did not finish", p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(
        "iqdb " + String.join(" ", command.subList(4, command.size())) + ":\n" + out + Files.readString(err),
        0,
        p.exitValue());
    return out;
  }

  /** The ids of a {@code search --json} answer, best first. */
  private static List<String> ids(String json) throws IOException {
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(NamedXContentRegistry.EMPTY, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
      List<String> ids = new ArrayList<>();
      for (Object hit : parser.list()) {
        ids.add((String) ((Map<?, ?>) hit).get("id"));
      }
      return ids;
    }
  }
}
