package io.iqdb;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.UnicodeUtil;

/**
 * The attributes of a record: an immutable map from field name to value. Every field is stored for
 * retrieval and indexed for {@link Filter filtering}.
 *
 * <p>Value types: {@link String}, {@link Long} ({@code Integer}, {@code Short} and {@code Byte} are
 * widened), {@link Double} ({@code Float} is widened), {@link Boolean} and {@code List<String>}
 * (a keyword list; a filter {@code eq} matches if any element equals). A field's type is fixed by
 * the first record that uses it in a collection; a later record giving it another type fails with
 * {@link PayloadException}. An empty list indexes nothing, so it gives its field no type and
 * conflicts with none.
 *
 * <p>Limits: at most {@value #MAX_FIELDS} fields; names of 1..{@value #MAX_NAME_LENGTH} characters
 * that do not start with {@code _} (reserved); at most {@value #MAX_BYTES} bytes in all (UTF-8 of
 * names and strings, 8 bytes per number, 1 per boolean); a string value, and each element of a
 * list, of at most {@link #MAX_KEYWORD_BYTES} UTF-8 bytes (Lucene's limit on one indexed term:
 * every string is indexed as a keyword, so a longer one could never be written). Strings must be
 * well-formed UTF-16 (no unpaired surrogate); doubles must be finite. A value outside these limits
 * is refused with {@link PayloadException} when the payload is built, so it never reaches a
 * collection.
 */
public final class Payload {

  /** The largest number of fields in one payload. */
  public static final int MAX_FIELDS = 256;
  /** The longest field name, in characters. */
  public static final int MAX_NAME_LENGTH = 128;
  /** The largest encoded payload size in bytes. */
  public static final int MAX_BYTES = 65536;
  /**
   * The longest string value or list element, in UTF-8 bytes: Lucene's {@link
   * IndexWriter#MAX_TERM_LENGTH}, the longest term (and sorted doc value) it indexes.
   */
  public static final int MAX_KEYWORD_BYTES = IndexWriter.MAX_TERM_LENGTH;

  private static final Payload EMPTY = new Payload(Map.of());

  private final Map<String, Object> values;

  private Payload(Map<String, Object> values) {
    this.values = values;
  }

  /**
   * The empty payload.
   *
   * @return the empty payload
   */
  public static Payload empty() {
    return EMPTY;
  }

  /**
   * A payload from alternating names and values: {@code Payload.of("lang", "en", "year", 2024)}.
   *
   * @param namesAndValues name, value, name, value, ...
   * @return the payload
   * @throws PayloadException if a name or value is invalid or the count is odd
   */
  public static Payload of(Object... namesAndValues) {
    if (namesAndValues == null) {
      throw new PayloadException("namesAndValues must not be null");
    }
    if (namesAndValues.length % 2 != 0) {
      throw new PayloadException(
          "Payload.of takes name/value pairs; got an odd count " + namesAndValues.length);
    }
    Builder b = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (!(namesAndValues[i] instanceof String name)) {
        throw new PayloadException("payload field name must be a String; got " + namesAndValues[i]);
      }
      b.put(name, namesAndValues[i + 1]);
    }
    return b.build();
  }

  /**
   * A payload from a map (copied; iteration order kept).
   *
   * @param map field names to values
   * @return the payload
   * @throws PayloadException if a name or value is invalid
   */
  public static Payload of(Map<String, ?> map) {
    if (map == null) {
      throw new PayloadException("map must not be null");
    }
    Builder b = builder();
    map.forEach(b::put);
    return b.build();
  }

  /**
   * Starts a payload.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The value of a field.
   *
   * @param name the field name
   * @return the value ({@code String}, {@code Long}, {@code Double}, {@code Boolean} or {@code
   *     List<String>}), or empty if absent
   */
  public Optional<Object> get(String name) {
    checkName(name);
    return Optional.ofNullable(values.get(name));
  }

  /**
   * A string field.
   *
   * @param name the field name
   * @return the value, or {@code null} if absent or not a string
   */
  public String getString(String name) {
    checkName(name);
    return values.get(name) instanceof String s ? s : null;
  }

  /**
   * A long field.
   *
   * @param name the field name
   * @return the value, or {@code null} if absent or not a long
   */
  public Long getLong(String name) {
    checkName(name);
    return values.get(name) instanceof Long l ? l : null;
  }

  /**
   * A double field.
   *
   * @param name the field name
   * @return the value, or {@code null} if absent or not a double
   */
  public Double getDouble(String name) {
    checkName(name);
    return values.get(name) instanceof Double d ? d : null;
  }

  /**
   * A boolean field.
   *
   * @param name the field name
   * @return the value, or {@code null} if absent or not a boolean
   */
  public Boolean getBoolean(String name) {
    checkName(name);
    return values.get(name) instanceof Boolean b ? b : null;
  }

  /**
   * A keyword-list field.
   *
   * @param name the field name
   * @return the value, or {@code null} if absent or not a list
   */
  @SuppressWarnings("unchecked")
  public List<String> getList(String name) {
    checkName(name);
    return values.get(name) instanceof List<?> l ? (List<String>) l : null;
  }

  /**
   * The field names, in insertion order.
   *
   * @return the names
   */
  public Set<String> names() {
    return values.keySet();
  }

  /**
   * The payload as an unmodifiable map.
   *
   * @return the map, in insertion order
   */
  public Map<String, Object> asMap() {
    return values;
  }

  /**
   * Whether there are no fields.
   *
   * @return true if empty
   */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * The number of fields.
   *
   * @return the field count
   */
  public int size() {
    return values.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Payload p && values.equals(p.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }

  private static void checkName(String name) {
    if (name == null) {
      throw new PayloadException("name must not be null");
    }
  }

  /**
   * Normalizes a value to one of the stored types, or throws.
   *
   * @param name the field name, for the message
   * @param value the value
   * @return the normalized value
   */
  static Object normalize(String name, Object value) {
    return switch (value) {
      case null -> throw new PayloadException("payload field '" + name + "' has a null value");
      case String s -> keyword(name, s);
      case Long l -> l;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case Double d -> finite(name, d);
      case Float f -> finite(name, (double) f);
      case Boolean b -> b;
      case List<?> list -> {
        for (Object e : list) {
          if (!(e instanceof String)) {
            throw new PayloadException(
                "payload field '" + name + "': a list may hold only strings; got element " + e
                    + (e == null ? "" : " of type " + e.getClass().getSimpleName()));
          }
        }
        yield List.copyOf(list.stream().map(e -> keyword(name, (String) e)).toList());
      }
      default ->
          throw new PayloadException(
              "payload field '" + name + "' has unsupported type " + value.getClass().getName()
                  + " (supported: String, Long, Double, Boolean, List<String>)");
    };
  }

  private static String wellFormed(String name, String s) {
    if (!UnicodeUtil.validUTF16String(s)) {
      throw new PayloadException(
          "payload field '" + name + "': string has an unpaired surrogate (strings are stored as UTF-8)");
    }
    return s;
  }

  private static String keyword(String name, String s) {
    wellFormed(name, s);
    // Cheap bound first: a UTF-16 char is at most 3 UTF-8 bytes (a surrogate pair is 4 for 2).
    if (s.length() * 3L > MAX_KEYWORD_BYTES) {
      int bytes = utf8Length(s);
      if (bytes > MAX_KEYWORD_BYTES) {
        throw new PayloadException(
            "payload field '" + name + "': a string value may have at most " + MAX_KEYWORD_BYTES
                + " UTF-8 bytes (it is indexed as one keyword); this one has " + bytes + " (" + s.length()
                + " chars)");
      }
    }
    return s;
  }

  private static Double finite(String name, double d) {
    if (!Double.isFinite(d)) {
      throw new PayloadException("payload field '" + name + "' must be finite; got " + d);
    }
    return d;
  }

  static int encodedSize(String name, Object value) {
    int size = utf8Length(name);
    return size + switch (value) {
      case String s -> utf8Length(s);
      case Boolean b -> 1;
      case List<?> l -> l.stream().mapToInt(e -> utf8Length((String) e) + 1).sum();
      default -> 8;
    };
  }

  private static int utf8Length(String s) {
    return UnicodeUtil.calcUTF16toUTF8Length(s, 0, s.length());
  }

  /** Builds a {@link Payload}. Validates each field as it is put. */
  public static final class Builder {
    private final Map<String, Object> values = new LinkedHashMap<>();
    private int bytes;

    private Builder() {}

    /**
     * Puts a field, replacing an earlier value of the same name.
     *
     * @param name the field name
     * @param value the value
     * @return this builder
     * @throws PayloadException if the name or value is invalid, or a limit is exceeded
     */
    public Builder put(String name, Object value) {
      if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
        throw new PayloadException(
            "payload field name must have 1.." + MAX_NAME_LENGTH + " characters; name=" + name);
      }
      wellFormed(name, name);
      if (name.startsWith("_")) {
        throw new PayloadException("payload field names starting with '_' are reserved; name=" + name);
      }
      Object v = normalize(name, value);
      Object old = values.put(name, v);
      if (old != null) {
        bytes -= encodedSize(name, old);
      }
      bytes += encodedSize(name, v);
      if (values.size() > MAX_FIELDS) {
        throw new PayloadException(
            "a payload has at most " + MAX_FIELDS + " fields; adding '" + name + "' makes " + values.size());
      }
      if (bytes > MAX_BYTES) {
        throw new PayloadException(
            "a payload has at most " + MAX_BYTES + " bytes; adding '" + name + "' makes " + bytes);
      }
      return this;
    }

    /**
     * Builds the payload.
     *
     * @return the payload
     */
    public Payload build() {
      return values.isEmpty() ? EMPTY : new Payload(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }
  }
}
