package io.iqdb.internal;

import io.iqdb.Payload;
import io.iqdb.PayloadException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

/**
 * The payload field types of one collection, and how records map to Lucene documents.
 *
 * <p>A record is one document: {@value #ID} (a keyword, plus binary doc values to read it back),
 * {@value #VECTOR} (the vector), {@value #PAYLOAD} (the encoded payload in binary doc values, which
 * are read without decompressing a block of other documents, unlike stored fields) and one indexed
 * field per payload field, under the
 * payload field's own name (names starting with '_' are reserved), typed as {@link FieldKind} says.
 * A record with a text adds {@value #TEXT}, the text analyzed by {@link #ANALYZER} for BM25 and not
 * stored: the text itself travels in {@value #PAYLOAD} (see {@link PayloadCodec}), the bytes the
 * write-ahead log holds, so it is stored once and a hit's payload and text come from one read.
 */
public final class Schema {
  /** The id field. */
  public static final String ID = "_id";
  /** The vector field. */
  public static final String VECTOR = "_vec";
  /** The stored payload field. */
  public static final String PAYLOAD = "_payload";
  /** The analyzed text field. */
  public static final String TEXT = "_text";

  /**
   * The analyzer of {@value #TEXT}, at index and at query time: Lucene's {@link StandardAnalyzer}
   * (Unicode word breaks, lower case, no stop words, tokens of at most 255 chars). It is the
   * analyzer of the collections' {@code IndexWriterConfig} (its default), which analyzes the field;
   * {@code TextSearchTest} checks that both sides agree. Thread-safe.
   */
  public static final Analyzer ANALYZER = new StandardAnalyzer();

  private final Map<String, FieldKind> kinds = new ConcurrentHashMap<>();
  private final Map<FieldKind, FieldType> keywordTypes = new HashMap<>();
  private final VectorSimilarityFunction similarity;

  /**
   * A schema, reading field kinds from an index.
   *
   * @param reader the index, or {@code null} for an empty one
   * @param similarity the vector similarity
   */
  public Schema(IndexReader reader, VectorSimilarityFunction similarity) {
    this.similarity = similarity;
    for (FieldKind k : FieldKind.values()) {
      if (k.isKeyword()) {
        FieldType t = new FieldType(StringField.TYPE_NOT_STORED);
        t.putAttribute(FieldKind.ATTRIBUTE, k.code);
        t.freeze();
        keywordTypes.put(k, t);
      }
    }
    if (reader != null) {
      for (FieldInfo fi : FieldInfos.getMergedFieldInfos(reader)) {
        String code = fi.getAttribute(FieldKind.ATTRIBUTE);
        FieldKind kind = code == null ? null : FieldKind.fromCode(code);
        if (kind != null) {
          kinds.put(fi.name, kind);
        }
      }
    }
  }

  /**
   * The kind of a field, if any record has used it.
   *
   * @param field the field
   * @return the kind or {@code null}
   */
  public FieldKind kind(String field) {
    return kinds.get(field);
  }

  /**
   * All known fields and their kinds.
   *
   * @return a snapshot
   */
  public Map<String, FieldKind> kinds() {
    return Map.copyOf(kinds);
  }

  /**
   * Checks a payload against the known kinds, without recording anything.
   *
   * @param id the record id, for messages
   * @param payload the payload
   * @throws PayloadException on a type conflict
   */
  public void check(String id, Payload payload) {
    for (Map.Entry<String, Object> e : payload.asMap().entrySet()) {
      if (isEmptyList(e.getValue())) {
        continue;
      }
      FieldKind known = kinds.get(e.getKey());
      FieldKind kind = FieldKind.of(e.getValue());
      if (known != null && known != kind) {
        throw conflict(id, e.getKey(), known, kind, e.getValue());
      }
    }
  }

  /**
   * Checks the payloads of a batch against the known kinds and against each other.
   *
   * @param records (id, payload) pairs
   * @throws PayloadException on a type conflict
   */
  public void checkAll(List<Map.Entry<String, Payload>> records) {
    Map<String, FieldKind> batch = new HashMap<>();
    for (Map.Entry<String, Payload> r : records) {
      check(r.getKey(), r.getValue());
      for (Map.Entry<String, Object> e : r.getValue().asMap().entrySet()) {
        if (isEmptyList(e.getValue())) {
          continue;
        }
        FieldKind kind = FieldKind.of(e.getValue());
        FieldKind earlier = batch.putIfAbsent(e.getKey(), kind);
        if (earlier != null && earlier != kind) {
          throw conflict(r.getKey(), e.getKey(), earlier, kind, e.getValue());
        }
      }
    }
  }

  /**
   * Whether any of the payloads has a field no record has had yet.
   *
   * @param payloads the payloads
   * @return true if a field is new
   */
  public boolean extendedBy(List<Payload> payloads) {
    for (Payload p : payloads) {
      for (Map.Entry<String, Object> e : p.asMap().entrySet()) {
        if (!isEmptyList(e.getValue()) && !kinds.containsKey(e.getKey())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Records the kinds a payload uses. Call once a record with them is in the index and the log.
   *
   * @param id the record id, for messages
   * @param payload the payload
   * @throws PayloadException if a concurrent write gave a field another kind first
   */
  public void register(String id, Payload payload) {
    for (Map.Entry<String, Object> e : payload.asMap().entrySet()) {
      if (isEmptyList(e.getValue())) {
        continue;
      }
      FieldKind kind = FieldKind.of(e.getValue());
      FieldKind known = kinds.putIfAbsent(e.getKey(), kind);
      if (known != null && known != kind) {
        throw conflict(id, e.getKey(), known, kind, e.getValue());
      }
    }
  }

  /**
   * An empty list puts nothing in the index (no term), so it cannot give its field a type that
   * would survive a reopen: it gives none.
   */
  private static boolean isEmptyList(Object value) {
    return value instanceof List<?> l && l.isEmpty();
  }

  private static PayloadException conflict(
      String id, String field, FieldKind known, FieldKind kind, Object value) {
    return new PayloadException(
        "payload field '" + field + "' of record '" + id + "' has type " + kind.code + " (value "
            + value + "), but earlier records gave it type " + known.code);
  }

  /**
   * The vector similarity, whose {@code compare} gives the scores Lucene's exact search reports.
   *
   * @return the similarity
   */
  public VectorSimilarityFunction similarity() {
    return similarity;
  }

  /**
   * Builds the document of a record.
   *
   * @param id the id
   * @param vector the vector
   * @param payload the payload
   * @param text the text, or {@code null}
   * @param payloadBytes the encoded payload and text
   * @return the document
   */
  public Document document(String id, float[] vector, Payload payload, String text, byte[] payloadBytes) {
    Document doc = new Document();
    BytesRef idBytes = new BytesRef(id);
    doc.add(new StringField(ID, idBytes, Field.Store.NO));
    doc.add(new BinaryDocValuesField(ID, idBytes));
    doc.add(new KnnFloatVectorField(VECTOR, vector, similarity));
    doc.add(new BinaryDocValuesField(PAYLOAD, new BytesRef(payloadBytes)));
    if (text != null) {
      doc.add(new TextField(TEXT, text, Field.Store.NO));
    }
    for (Map.Entry<String, Object> e : payload.asMap().entrySet()) {
      String name = e.getKey();
      switch (e.getValue()) {
        case String s -> addKeyword(doc, name, s, FieldKind.KEYWORD);
        case Boolean b -> addKeyword(doc, name, b.toString(), FieldKind.BOOLEAN);
        case List<?> list -> {
          for (Object o : list) {
            addKeyword(doc, name, (String) o, FieldKind.KEYWORD_LIST);
          }
        }
        case Long l -> {
          doc.add(withKind(new LongPoint(name, l), FieldKind.LONG));
          doc.add(new SortedNumericDocValuesField(name, l));
        }
        case Double d -> {
          doc.add(withKind(new DoublePoint(name, d), FieldKind.DOUBLE));
          doc.add(new SortedNumericDocValuesField(name, NumericUtils.doubleToSortableLong(d)));
        }
        default -> throw new AssertionError("unexpected payload value " + e.getValue());
      }
    }
    return doc;
  }

  private void addKeyword(Document doc, String name, String value, FieldKind kind) {
    doc.add(new Field(name, value, keywordTypes.get(kind)));
    doc.add(new SortedSetDocValuesField(name, new BytesRef(value)));
  }

  private static Field withKind(Field point, FieldKind kind) {
    FieldType t = new FieldType(point.fieldType());
    t.putAttribute(FieldKind.ATTRIBUTE, kind.code);
    t.freeze();
    return new Field(point.name(), point.binaryValue(), t);
  }
}
