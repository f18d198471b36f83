package io.iqdb.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** JSON output of the commands, through Jackson: one shared, thread-safe mapper. */
final class JsonText {

  /** Jackson's defaults: maps and lists as JSON objects and arrays, float arrays as numbers. */
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  private JsonText() {}

  /** One line of JSON for a map, list, array, string, number or boolean. */
  static String write(Object value) {
    return MAPPER.writeValueAsString(value);
  }

  /** An object with its keys in the given order: {@code object("id", "a", "score", 0.5)}. */
  static Map<String, Object> object(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
