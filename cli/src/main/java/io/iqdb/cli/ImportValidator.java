package io.iqdb.cli;

import io.iqdb.CollectionConfig;
import io.iqdb.Metric;
import io.iqdb.VectorCollection;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks input records, one at a time as they stream by, against a collection's configuration
 * before anything is written, so that a bad line fails the import with its number and the
 * collection untouched. It checks what the database would refuse: id length, dimension, non-finite
 * components, zero vectors under cosine, non-unit vectors under dot, and a payload field whose type
 * changes between records of the file. It remembers only the payload fields' types.
 */
final class ImportValidator {

  /** The relative tolerance on a unit vector's length under {@link Metric#DOT}, as the database's. */
  static final double UNIT_TOLERANCE = 1e-3;

  private final CollectionConfig config;
  private final String collection;
  private final String file;
  private final Map<String, String[]> fieldTypes = new HashMap<>(); // name -> {type, where first seen}

  ImportValidator(CollectionConfig config, String collection, String file) {
    this.config = config;
    this.collection = collection;
    this.file = file;
  }

  /** Throws a bad-input error naming the file, the record's place and the problem, if any. */
  void check(InputRecord r) {
    String problem = problem(r, config, collection, fieldTypes);
    if (problem != null) {
      throw CliException.badInput(file + ": " + r.where() + ": " + problem);
    }
  }

  private static String problem(InputRecord r, CollectionConfig config, String collection, Map<String, String[]> fieldTypes) {
    if (r.id().isEmpty()) {
      return "the id is empty";
    }
    int idBytes = r.id().getBytes(StandardCharsets.UTF_8).length;
    if (idBytes > VectorCollection.MAX_ID_BYTES) {
      return "the id has " + idBytes + " bytes; at most " + VectorCollection.MAX_ID_BYTES + " are allowed";
    }
    float[] v = r.vector();
    if (v.length != config.dimension()) {
      return "the vector has " + v.length + " dimensions; collection '" + collection + "' has " + config.dimension();
    }
    double norm2 = 0;
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        return "vector component " + i + " is " + v[i] + "; components must be finite";
      }
      norm2 += (double) v[i] * v[i];
    }
    if (config.metric() == Metric.COSINE && norm2 == 0) {
      return "the vector is all zeros, which has no direction under the cosine metric";
    }
    if (config.metric() == Metric.DOT && Math.abs(Math.sqrt(norm2) - 1) > UNIT_TOLERANCE) {
      return String.format(java.util.Locale.ROOT,
          "the vector has length %.6f; the dot metric needs unit vectors (normalize them, or use cosine)", Math.sqrt(norm2));
    }
    for (Map.Entry<String, Object> f : r.payload().asMap().entrySet()) {
      String type = typeName(f.getValue());
      String[] seen = fieldTypes.putIfAbsent(f.getKey(), new String[] {type, r.where()});
      if (seen != null && !seen[0].equals(type)) {
        return "payload field '" + f.getKey() + "' is " + article(type) + " here but " + article(seen[0]) + " at "
            + seen[1] + "; a field keeps one type";
      }
    }
    return null;
  }

  private static String article(String noun) {
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  static String typeName(Object value) {
    return switch (value) {
      case String s -> "string";
      case Long l -> "integer";
      case Double d -> "decimal number";
      case Boolean b -> "boolean";
      case List<?> l -> "list of strings";
      default -> value.getClass().getSimpleName();
    };
  }
}
