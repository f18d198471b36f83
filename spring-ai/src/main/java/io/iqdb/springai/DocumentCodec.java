package io.iqdb.springai;

import io.iqdb.InvalidArgumentException;
import io.iqdb.Payload;
import io.iqdb.PayloadException;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.UnicodeUtil;
import org.springframework.ai.document.Document;

/**
 * Maps a Spring AI {@link Document} to an iQDB {@link Payload} and back.
 *
 * <p>The document text is the record's text ({@link VectorRecord#text()}, indexed by iQDB for
 * BM25). Layout of a record's payload: each metadata entry under its own key, and a keyword list
 * {@link #TYPES_FIELD} holding {@code "<type>:<key>"} for every numeric metadata entry. Records
 * written before iQDB had record texts hold the text in the payload's content field instead; it is
 * still read, and the content field stays reserved. iQDB stores integral numbers as longs and floating-point numbers as
 * doubles; the type tag restores the Java type the caller gave ({@code Integer}, {@code Short},
 * {@code Byte}, {@code Float}) and lets the filter translator pick the right point encoding without
 * knowing the collection's schema (see {@link FilterTranslator}).
 */
final class DocumentCodec {

  /** The payload field listing the Java type of each numeric metadata entry. */
  static final String TYPES_FIELD = IqdbVectorStore.METADATA_TYPES_FIELD;

  static final String INTEGER = "integer";
  static final String LONG = "long";
  static final String SHORT = "short";
  static final String BYTE = "byte";
  static final String FLOAT = "float";
  static final String DOUBLE = "double";

  /** Type tags whose values are indexed as {@code LongPoint}. */
  static final List<String> INTEGRAL_TYPES = List.of(INTEGER, LONG, SHORT, BYTE);

  private final String contentField;

  DocumentCodec(String contentField) {
    this.contentField = contentField;
  }

  String contentField() {
    return contentField;
  }

  /** The tag recording that metadata entry {@code key} has Java type {@code type}. */
  static String tag(String type, String key) {
    return type + ":" + key;
  }

  /**
   * The text of a document, checked as iQDB will check it, so that a bad one fails before the
   * embeddings are paid for.
   *
   * @throws InvalidArgumentException if the document has no text, or one over {@link
   *     VectorCollection#MAX_TEXT_BYTES} UTF-8 bytes or with an unpaired surrogate
   */
  static String text(Document document) {
    String text = document.getText();
    if (text == null) {
      throw new PayloadException(
          "document '" + document.getId() + "' has no text; IqdbVectorStore stores text documents only");
    }
    if (!UnicodeUtil.validUTF16String(text)) {
      throw new InvalidArgumentException(
          "document '" + document.getId() + "': the text has an unpaired surrogate (it is stored as UTF-8)");
    }
    if (text.length() * 3L > VectorCollection.MAX_TEXT_BYTES) {
      int bytes = UnicodeUtil.calcUTF16toUTF8Length(text, 0, text.length());
      if (bytes > VectorCollection.MAX_TEXT_BYTES) {
        throw new InvalidArgumentException(
            "document '" + document.getId() + "': the text has " + bytes + " UTF-8 bytes; at most "
                + VectorCollection.MAX_TEXT_BYTES + " are supported (split long texts into chunks, e.g. with"
                + " Spring AI's TokenTextSplitter)");
      }
    }
    return text;
  }

  /**
   * The payload of a document: its metadata (its text is the record's text, see {@link #text(Document)}).
   *
   * @throws PayloadException for a reserved key, an unsupported value type or a string too long
   *     for Lucene's index
   */
  Payload encode(Document document) {
    Payload.Builder b = Payload.builder();
    List<String> types = new ArrayList<>();
    for (Map.Entry<String, Object> e : document.getMetadata().entrySet()) {
      String key = e.getKey();
      if (key.equals(contentField) || key.equals(TYPES_FIELD)) {
        throw new PayloadException(
            "document '" + document.getId() + "': metadata key '" + key
                + "' is reserved by IqdbVectorStore for the document "
                + (key.equals(TYPES_FIELD) ? "metadata types" : "text"));
      }
      Object value = e.getValue();
      String type = switch (value) {
        case Integer i -> INTEGER;
        case Long l -> LONG;
        case Short s -> SHORT;
        case Byte by -> BYTE;
        case Float f -> FLOAT;
        case Double d -> DOUBLE;
        case String s -> {
          checkTermLength(document.getId(), key, s);
          yield null;
        }
        case List<?> list -> {
          for (Object o : list) {
            if (o instanceof String s) {
              checkTermLength(document.getId(), key, s);
            }
          }
          yield null;
        }
        // Boolean needs no tag; null and other types are refused by Payload, which names them.
        case null, default -> null;
      };
      put(document, b, key, value);
      if (type != null) {
        types.add(tag(type, key));
      }
    }
    if (!types.isEmpty()) {
      put(document, b, TYPES_FIELD, types);
    }
    return b.build();
  }

  private static void put(Document document, Payload.Builder b, String key, Object value) {
    try {
      b.put(key, value);
    } catch (PayloadException e) {
      // In a batch of thousands, the message must say which document was refused.
      throw new PayloadException("document '" + document.getId() + "': " + e.getMessage(), e);
    }
  }

  /**
   * The document text of a record: its text, else (a record written before record texts) the
   * payload's content field, else {@code ""} (a record not written by this store).
   */
  String text(String recordText, Payload payload) {
    if (recordText != null) {
      return recordText;
    }
    String text = payload.getString(contentField);
    return text == null ? "" : text;
  }

  /** The metadata stored in a payload, with the Java types the caller gave restored. */
  Map<String, Object> metadata(Payload payload) {
    Map<String, String> typeOf = new LinkedHashMap<>();
    List<String> tags = payload.getList(TYPES_FIELD);
    if (tags != null) {
      for (String t : tags) {
        int colon = t.indexOf(':');
        typeOf.put(t.substring(colon + 1), t.substring(0, colon));
      }
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : payload.asMap().entrySet()) {
      String key = e.getKey();
      if (key.equals(contentField) || key.equals(TYPES_FIELD)) {
        continue;
      }
      Object v = e.getValue();
      String type = typeOf.get(key);
      if (type != null && v instanceof Number n) {
        v = switch (type) {
          case INTEGER -> n.intValue();
          case SHORT -> n.shortValue();
          case BYTE -> n.byteValue();
          case FLOAT -> n.floatValue();
          default -> v;
        };
      }
      metadata.put(key, v);
    }
    return metadata;
  }

  /**
   * Every payload string is indexed as one Lucene term, and Lucene refuses terms longer than
   * {@link IndexWriter#MAX_TERM_LENGTH} bytes. Checked here so that the caller gets a message naming
   * the document instead of a failure inside the index writer.
   */
  private static String checkTermLength(String id, String key, String s) {
    // A UTF-16 char is at most 3 UTF-8 bytes: skip the count for the common short string.
    if (s.length() * 3L > IndexWriter.MAX_TERM_LENGTH) {
      int bytes = s.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > IndexWriter.MAX_TERM_LENGTH) {
        throw new PayloadException(
            "document '" + id + "': '" + key + "' has " + bytes + " UTF-8 bytes; at most "
                + IndexWriter.MAX_TERM_LENGTH + " are supported (split long texts into chunks, e.g. with"
                + " Spring AI's TokenTextSplitter)");
      }
    }
    return s;
  }
}
