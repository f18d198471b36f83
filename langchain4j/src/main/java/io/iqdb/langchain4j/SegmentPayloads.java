package io.iqdb.langchain4j;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import io.iqdb.Payload;
import io.iqdb.PayloadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.UnicodeUtil;

/**
 * How a {@link TextSegment} is laid out in an iQDB {@link Payload}, and back.
 *
 * <p>Each metadata entry becomes one payload field named {@code <tag>:<key>}, where the tag records
 * the LangChain4j value type, so that every value reads back with its exact type and value:
 *
 * <table>
 *   <caption>Metadata types and their payload fields</caption>
 *   <tr><th>tag</th><th>metadata type</th><th>payload type</th></tr>
 *   <tr><td>{@code s}</td><td>String</td><td>String</td></tr>
 *   <tr><td>{@code u}</td><td>UUID</td><td>String (canonical lower-case form)</td></tr>
 *   <tr><td>{@code i}</td><td>Integer</td><td>Long</td></tr>
 *   <tr><td>{@code l}</td><td>Long</td><td>Long</td></tr>
 *   <tr><td>{@code f}</td><td>Float</td><td>Double: the double nearest the float's decimal form
 *       ({@code 1.1f} is stored as {@code 1.1}), so that a float compares with a double as
 *       LangChain4j compares them (by decimal value); the float's plain widening in the rare case
 *       where the decimal form would not read back as the same float</td></tr>
 *   <tr><td>{@code d}</td><td>Double</td><td>Double</td></tr>
 * </table>
 *
 * <p>A tag per type, rather than one field per key, is needed because iQDB fixes a field's type per
 * collection while LangChain4j lets one key hold an integer in one segment and a string in the
 * next. The segment text is the record's text ({@link io.iqdb.VectorRecord#text()}), which iQDB
 * indexes for BM25 (hybrid search). Records written before iQDB had texts hold it in the payload
 * field {@value #TEXT} instead, a keyword list of chunks of at most {@value #TEXT_CHUNK_CHARS}
 * characters (iQDB indexes every payload string as one Lucene term, and Lucene refuses terms over
 * 32,766 UTF-8 bytes); such records still read back, as do records written through the core API
 * that way. Field names without a colon are the store's own; payload fields it does not know
 * (written through the core API) are ignored when reading.
 */
final class SegmentPayloads {

  /** The payload field that held the segment text before records had texts; still read. */
  static final String TEXT = "text";

  /** The longest text chunk of {@link #TEXT}, in UTF-16 chars (3 UTF-8 bytes each at most). */
  static final int TEXT_CHUNK_CHARS = 8_000;

  static final char STRING = 's';
  static final char UUID_TAG = 'u';
  static final char INTEGER = 'i';
  static final char LONG = 'l';
  static final char FLOAT = 'f';
  static final char DOUBLE = 'd';

  private SegmentPayloads() {}

  /**
   * The payload field that holds {@code key}'s values of one type.
   *
   * @param tag the type tag
   * @param key the metadata key
   * @return the field name
   */
  static String field(char tag, String key) {
    return tag + ":" + key;
  }

  /**
   * The payload of a segment: its metadata (its text is the record's text).
   *
   * @param segment the segment, or {@code null} for none (an empty payload)
   * @return the payload
   * @throws PayloadException if a value is not storable (a NaN or infinite number, an unpaired
   *     surrogate, a string over Lucene's term length) or a limit is exceeded
   */
  static Payload toPayload(TextSegment segment) {
    if (segment == null) {
      return Payload.empty();
    }
    Payload.Builder b = Payload.builder();
    for (Map.Entry<String, Object> e : segment.metadata().toMap().entrySet()) {
      String key = e.getKey();
      switch (e.getValue()) {
        case String s -> b.put(field(STRING, key), indexable(key, s));
        case UUID u -> b.put(field(UUID_TAG, key), u.toString());
        case Integer i -> b.put(field(INTEGER, key), i.longValue());
        case Long l -> b.put(field(LONG, key), l);
        case Float f -> b.put(field(FLOAT, key), storedFloat(f));
        case Double d -> b.put(field(DOUBLE, key), d);
        // Metadata admits only the types above; a new LangChain4j type must not be dropped silently.
        default -> throw new IllegalArgumentException(
            "metadata key '" + key + "' has unsupported type " + e.getValue().getClass().getName());
      }
    }
    return b.build();
  }

  /**
   * Checks that a string fits in one Lucene term, as iQDB indexes it: the core accepts longer
   * strings (up to its 64 KiB payload limit) but then fails inside Lucene, after logging the write.
   */
  private static String indexable(String key, String s) {
    int bytes = UnicodeUtil.calcUTF16toUTF8Length(s, 0, s.length());
    if (bytes > IndexWriter.MAX_TERM_LENGTH) {
      throw new PayloadException(
          "metadata key '" + key + "': a string value may have at most " + IndexWriter.MAX_TERM_LENGTH
              + " UTF-8 bytes (it is indexed as one Lucene term); got " + bytes + " bytes");
    }
    return s;
  }

  /**
   * The segment stored in a record.
   *
   * @param payload the record's payload
   * @param text the record's text, or {@code null}
   * @return the segment, or {@code null} if the record was added without one
   */
  static TextSegment toSegment(Payload payload, String text) {
    List<String> chunks = text == null ? payload.getList(TEXT) : List.of(text);
    if (chunks == null) {
      return null;
    }
    Metadata metadata = new Metadata();
    for (Map.Entry<String, Object> e : payload.asMap().entrySet()) {
      String name = e.getKey();
      if (name.length() < 2 || name.charAt(1) != ':') {
        continue;
      }
      String key = name.substring(2);
      Object v = e.getValue();
      switch (name.charAt(0)) {
        case STRING -> {
          if (v instanceof String s) {
            metadata.put(key, s);
          }
        }
        case UUID_TAG -> {
          if (v instanceof String s) {
            metadata.put(key, UUID.fromString(s));
          }
        }
        case INTEGER -> {
          if (v instanceof Long l) {
            metadata.put(key, Math.toIntExact(l));
          }
        }
        case LONG -> {
          if (v instanceof Long l) {
            metadata.put(key, l.longValue());
          }
        }
        case FLOAT -> {
          if (v instanceof Double d) {
            metadata.put(key, (float) d.doubleValue());
          }
        }
        case DOUBLE -> {
          if (v instanceof Double d) {
            metadata.put(key, d.doubleValue());
          }
        }
        default -> {
          // not one of ours
        }
      }
    }
    return TextSegment.from(String.join("", chunks), metadata);
  }

  /**
   * The double a float is stored (and compared) as: the double nearest its shortest decimal form,
   * if that converts back to the same float, else the float widened. Either way {@code (float)}
   * of the result is the float again, and the mapping preserves order.
   *
   * @param f the float
   * @return the stored double
   */
  static double storedFloat(float f) {
    double decimal = Double.parseDouble(Float.toString(f));
    return (float) decimal == f ? decimal : f;
  }

}
