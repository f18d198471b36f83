package io.iqdb.cli;

import io.iqdb.CollectionConfig;
import io.iqdb.IndexSpec;
import io.iqdb.Metric;
import io.iqdb.VectorRecord;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A collection as OpenSearch reads it with the iQDB plugin (module {@code opensearch/}): bulk
 * request lines and the body that creates the index. The mapping names are the plugin's
 * ({@code IqdbVectorFieldMapper}): the two modules share no code, as the plugin runs on
 * OpenSearch's Lucene.
 */
final class OpenSearchBulk {
  private OpenSearchBulk() {}

  /**
   * Writes one record as an index action and its document.
   *
   * @throws CliException if a payload field has the vector field's name
   */
  static void write(VectorRecord r, String index, String vectorField, PrintWriter w) {
    Map<String, Object> payload = r.payload().asMap();
    if (payload.containsKey(vectorField)) {
      throw new CliException(
          ExitCode.USAGE,
          "record '" + r.id() + "' has a payload field named '" + vectorField
              + "', the vector field's name: choose another with --vector-field");
    }
    Map<String, Object> action = Map.of("index", JsonText.object("_index", index, "_id", r.id()));
    Map<String, Object> source = new LinkedHashMap<>();
    source.put(vectorField, r.vector());
    source.putAll(payload);
    w.println(JsonText.write(action));
    w.println(JsonText.write(source));
  }

  /** The create-index body: iQDB's codec on, the vector field as the collection indexes it. */
  static Map<String, Object> indexBody(CollectionConfig config, String vectorField) {
    IndexSpec spec = config.index();
    Map<String, Object> field = new LinkedHashMap<>();
    field.put("type", "iqdb_vector");
    field.put("dimension", config.dimension());
    field.put("metric", metric(config.metric()));
    switch (spec) {
      case IndexSpec.Flat f -> field.put("index", "flat");
      case IndexSpec.Hnsw h -> {
        field.put("index", "hnsw");
        field.put("m", h.m());
        field.put("ef_construction", h.beamWidth());
      }
      case IndexSpec.Ivf i -> {
        field.put("index", "ivf");
        field.put("lists", i.lists());
      }
    }
    field.put("quantization", spec.quantization().name().toLowerCase(Locale.ROOT));
    // iQDB filters strings as exact values: keywords, not analysed text
    Map<String, Object> strings =
        Map.of("strings", JsonText.object("match_mapping_type", "string", "mapping", Map.of("type", "keyword")));
    return JsonText.object(
        "settings", Map.of("index.iqdb", true),
        "mappings",
            JsonText.object("dynamic_templates", List.of(strings), "properties", Map.of(vectorField, field)));
  }

  /** The plugin's metric names. */
  static String metric(Metric metric) {
    return switch (metric) {
      case COSINE -> "cosine";
      case L2 -> "l2";
      case DOT -> "dot";
      case MAX_INNER_PRODUCT -> "max_inner_product";
    };
  }
}
