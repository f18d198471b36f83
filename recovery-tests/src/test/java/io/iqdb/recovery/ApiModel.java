package io.iqdb.recovery;

import io.iqdb.CollectionConfig;
import io.iqdb.DimensionMismatchException;
import io.iqdb.InvalidArgumentException;
import io.iqdb.InvalidIdException;
import io.iqdb.InvalidVectorException;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.PayloadException;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The in-memory model of a database for {@link TestModelBasedApi}: its collections, their
 * acknowledged records and payload field types, and the rules that decide, from the documented API
 * alone, whether a call must succeed or fail. The rules are written out here independently of the
 * implementation (UTF-8 lengths and surrogate checks included), so that a gap in the core's
 * validation shows up as a disagreement.
 */
final class ApiModel {
  /** Lucene's limit on one indexed term, in UTF-8 bytes ({@code IndexWriter.MAX_TERM_LENGTH}). */
  static final int MAX_TERM_BYTES = 32766;

  /** The type of a payload field, as the model tracks it. */
  enum Kind {
    KEYWORD,
    LONG,
    DOUBLE,
    BOOLEAN,
    LIST;

    /** The kind of a normalized payload value. */
    static Kind of(Object value) {
      return switch (value) {
        case String s -> KEYWORD;
        case Long l -> LONG;
        case Double d -> DOUBLE;
        case Boolean b -> BOOLEAN;
        case List<?> l -> LIST;
        default -> throw new AssertionError("not a normalized payload value: " + value);
      };
    }
  }

  /**
   * What the model knows of a field's type in a collection.
   *
   * @param kind the kind, or null if unknown
   * @param live true when a live record has the field (the type is fixed); false when only deleted
   *     or replaced records had it (the implementation may or may not still enforce it)
   */
  record FieldStatus(Kind kind, boolean live) {
    static final FieldStatus UNKNOWN = new FieldStatus(null, false);
  }

  /** One collection of the model. */
  static final class Col {
    final String name;
    final CollectionConfig config;
    /** The acknowledged records, by id. */
    final Map<String, VectorRecord> records = new TreeMap<>();
    /** The last acknowledged type of every field any record ever had. */
    final Map<String, Kind> everKinds = new HashMap<>();
    /**
     * The types that records of acknowledged batches had where a later record of the same id in the
     * same batch replaced them: whether such a record's types count is not specified (the database
     * keeps the last record of an id and may or may not give the replaced one's fields their types).
     */
    final Map<String, java.util.Set<Kind>> maybeKinds = new HashMap<>();
    /** The database's handle to this collection. */
    VectorCollection handle;

    Col(String name, CollectionConfig config, VectorCollection handle) {
      this.name = name;
      this.config = config;
      this.handle = handle;
    }

    FieldStatus status(String field) {
      for (VectorRecord r : records.values()) {
        Object v = r.payload().asMap().get(field);
        if (v != null && !isEmptyList(v)) {
          return new FieldStatus(Kind.of(v), true);
        }
      }
      Kind k = everKinds.get(field);
      return k == null ? FieldStatus.UNKNOWN : new FieldStatus(k, false);
    }

    /** Applies acknowledged upserts, in order (the last record of an id wins). */
    void upsert(List<Rec> batch) {
      Map<String, Rec> last = new HashMap<>();
      for (Rec r : batch) {
        last.put(r.id(), r);
      }
      for (Rec r : batch) {
        boolean replaced = last.get(r.id()) != r;
        records.put(r.id(), new VectorRecord(r.id(), r.vector().clone(), r.payloadOrEmpty()));
        r.payloadOrEmpty().asMap().forEach((f, v) -> {
          if (isEmptyList(v)) {
            return;
          }
          if (replaced) {
            maybeKinds.computeIfAbsent(f, x -> new java.util.HashSet<>()).add(Kind.of(v));
          } else {
            everKinds.put(f, Kind.of(v));
          }
        });
      }
    }

    /** The records matching a predicate, best first by exact score against {@code query}. */
    List<Scored> ranking(float[] query, Predicate<Payload> filter) {
      List<Scored> out = new ArrayList<>();
      for (VectorRecord r : records.values()) {
        if (filter.test(r.payload())) {
          out.add(new Scored(r.id(), score(config.metric(), query, r.vector())));
        }
      }
      out.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::id));
      return out;
    }

    @Override
    public String toString() {
      return name + " (" + config.dimension() + "d " + config.metric() + " " + config.index() + ", "
          + records.size() + " records)";
    }
  }

  /** A record's id and its exact score. */
  record Scored(String id, double score) {}

  /**
   * A record as written by the test, before the API has seen it (any part may be bad).
   *
   * @param id the id
   * @param vector the vector
   * @param payload the payload, or null for none
   */
  record Rec(String id, float[] vector, Payload payload) {
    Payload payloadOrEmpty() {
      return payload == null ? Payload.empty() : payload;
    }

    @Override
    public String toString() {
      return "(" + Text.shorten(id) + ", " + Text.describeVector(vector) + ", " + Text.describePayload(payload) + ")";
    }
  }

  final Map<String, Col> cols = new TreeMap<>();

  // ------------------------------------------------------------------ strings

  /** Whether a string is well-formed UTF-16 (every surrogate paired). */
  static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** UTF-8 length of a well-formed string. */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += Character.charCount(cp);
    }
    return n;
  }

  // ------------------------------------------------------------------ input rules

  static Expect checkId(String id) {
    if (id == null) {
      return Expect.fail(InvalidArgumentException.class, "null id");
    }
    if (id.isEmpty()) {
      return Expect.fail(InvalidIdException.class, "empty id");
    }
    if (!wellFormed(id)) {
      return Expect.fail(InvalidIdException.class, "id with an unpaired surrogate");
    }
    if (utf8Length(id) > VectorCollection.MAX_ID_BYTES) {
      return Expect.fail(InvalidIdException.class, "id over 512 UTF-8 bytes");
    }
    return Expect.OK;
  }

  /**
   * The rules for a record or query vector.
   *
   * @param role "record" or "query", for the labels
   */
  static Expect checkVector(CollectionConfig config, float[] v, String role) {
    if (v == null) {
      return Expect.fail(InvalidArgumentException.class, "null " + role + " vector");
    }
    if (v.length != config.dimension()) {
      return Expect.fail(DimensionMismatchException.class, role + " vector of the wrong dimension");
    }
    double norm2 = 0;
    double maxAbs = 0;
    for (float x : v) {
      if (Float.isNaN(x)) {
        return Expect.fail(InvalidVectorException.class, role + " vector with a NaN component");
      }
      if (Float.isInfinite(x)) {
        return Expect.fail(InvalidVectorException.class, role + " vector with an infinite component");
      }
      norm2 += (double) x * x;
      maxAbs = Math.max(maxAbs, Math.abs(x));
    }
    if (config.metric() == Metric.COSINE && norm2 == 0) {
      return Expect.fail(InvalidVectorException.class, "zero " + role + " vector under COSINE");
    }
    if (config.metric() == Metric.DOT && Math.abs(Math.sqrt(norm2) - 1) > 1e-3) {
      return Expect.fail(InvalidVectorException.class, "non-unit " + role + " vector under DOT");
    }
    if (maxAbs > 1e18 || (maxAbs > 0 && maxAbs < 1e-18)) {
      // Finite, but its products leave float range: refusing it is as good as scoring it right.
      return Expect.either(InvalidVectorException.class, role + " vector of extreme magnitude");
    }
    return Expect.OK;
  }

  /**
   * The rules of {@link Payload} construction for a list of (name, value) entries, put in order.
   *
   * @param entries the entries
   * @param normalized receives the payload the entries must build (when they are valid)
   */
  static Expect checkPayloadEntries(List<Object[]> entries, Map<String, Object> normalized) {
    Expect e = Expect.OK;
    for (Object[] kv : entries) {
      Expect field = checkFieldName(kv[0]);
      Object v = null;
      if (field.mustSucceed()) {
        List<String> problems = new ArrayList<>();
        v = normalizeValue(kv[1], problems);
        for (String p : problems) {
          field = field.and(p.startsWith("null") && !p.contains("list")
              ? Expect.fail(InvalidArgumentException.class, p)
              : Expect.fail(PayloadException.class, p));
        }
      }
      e = e.and(field);
      if (field.mustSucceed()) {
        normalized.put((String) kv[0], v);
      }
    }
    if (normalized.size() > Payload.MAX_FIELDS) {
      e = e.and(Expect.fail(PayloadException.class, "payload of more than 256 fields"));
    }
    long bytes = 0;
    for (Map.Entry<String, Object> f : normalized.entrySet()) {
      bytes += utf8Length(f.getKey()) + switch (f.getValue()) {
        case String s -> utf8Length(s);
        case Boolean b -> 1;
        case List<?> l -> l.stream().mapToInt(x -> utf8Length((String) x) + 1).sum();
        default -> 8;
      };
    }
    if (bytes > Payload.MAX_BYTES) {
      e = e.and(Expect.fail(PayloadException.class, "payload over 64 KiB"));
    }
    return e;
  }

  private static Expect checkFieldName(Object name) {
    if (name == null) {
      return Expect.fail(InvalidArgumentException.class, "null field name");
    }
    if (!(name instanceof String n)) {
      return Expect.fail(PayloadException.class, "non-string field name");
    }
    if (n.isEmpty()) {
      return Expect.fail(PayloadException.class, "empty field name");
    }
    if (n.length() > Payload.MAX_NAME_LENGTH) {
      return Expect.fail(PayloadException.class, "field name over 128 chars");
    }
    if (!wellFormed(n)) {
      return Expect.fail(PayloadException.class, "field name with an unpaired surrogate");
    }
    if (n.startsWith("_")) {
      return Expect.fail(PayloadException.class, "reserved field name (_...)");
    }
    return Expect.OK;
  }

  /** A payload value normalized as documented, or null with the problems added to {@code problems}. */
  static Object normalizeValue(Object value, List<String> problems) {
    return switch (value) {
      case null -> {
        problems.add("null field value");
        yield null;
      }
      case String s -> checkString(s, "keyword value", problems);
      case Long l -> l;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case Double d -> finite(d, problems);
      case Float f -> finite((double) f, problems);
      case Boolean b -> b;
      case List<?> list -> {
        List<String> out = new ArrayList<>();
        for (Object x : list) {
          if (x == null) {
            problems.add("list with a null element");
          } else if (!(x instanceof String s)) {
            problems.add("list with a " + x.getClass().getSimpleName() + " element");
          } else {
            out.add(checkString(s, "list element", problems));
          }
        }
        yield List.copyOf(out.stream().map(x -> x == null ? "" : x).toList());
      }
      default -> {
        problems.add("unsupported value type " + value.getClass().getSimpleName());
        yield null;
      }
    };
  }

  private static String checkString(String s, String what, List<String> problems) {
    if (!wellFormed(s)) {
      problems.add(what + " with an unpaired surrogate");
    } else if (utf8Length(s) > MAX_TERM_BYTES) {
      problems.add(what + " of " + utf8Length(s) + " UTF-8 bytes (" + s.length() + " chars) over the term limit "
          + MAX_TERM_BYTES);
    }
    return s;
  }

  private static Double finite(double d, List<String> problems) {
    if (!Double.isFinite(d)) {
      problems.add("non-finite double value");
    }
    return d;
  }

  /**
   * The rules of a write of records to {@code col}, each already validated on its own, including
   * field type conflicts with the collection and within the batch.
   *
   * @param batch the records in order; duplicates of an id: the last one wins
   */
  static Expect checkWrite(Col col, List<Rec> batch) {
    Expect e = Expect.OK;
    for (Rec r : batch) {
      e = e.and(checkId(r.id())).and(checkVector(col.config, r.vector(), "record"));
    }
    Map<String, Rec> effective = new LinkedHashMap<>();
    for (Rec r : batch) {
      effective.remove(r.id());
      effective.put(r.id(), r);
    }
    e = e.and(typeConflicts(col, effective.values(), false));
    if (effective.size() < batch.size()) {
      // A record overridden by a later one of the same id: whether its types count is not specified.
      e = e.and(typeConflicts(col, batch, true).orSuccess());
    }
    return e;
  }

  static boolean isEmptyList(Object v) {
    return v instanceof List<?> l && l.isEmpty();
  }

  private static Expect typeConflicts(Col col, java.util.Collection<Rec> records, boolean includeDuplicates) {
    Expect e = Expect.OK;
    Map<String, Kind> batchKinds = new HashMap<>();
    for (Rec r : records) {
      for (Map.Entry<String, Object> f : r.payloadOrEmpty().asMap().entrySet()) {
        if (isEmptyList(f.getValue())) {
          continue; // an empty list indexes nothing, so it gives its field no type (README, Payload)
        }
        Kind kind = Kind.of(f.getValue());
        FieldStatus known = col.status(f.getKey());
        if (known.kind() != null && known.kind() != kind) {
          e = e.and(known.live()
              ? Expect.fail(PayloadException.class, "payload type conflict")
              : Expect.either(PayloadException.class, "payload type conflict with a field no live record has"));
        } else if (!known.live()
            && col.maybeKinds.getOrDefault(f.getKey(), java.util.Set.of()).stream().anyMatch(k -> k != kind)) {
          e = e.and(Expect.either(PayloadException.class, "payload type conflict with a replaced duplicate's field"));
        }
        Kind earlier = batchKinds.putIfAbsent(f.getKey(), kind);
        if (earlier != null && earlier != kind) {
          e = e.and(Expect.fail(PayloadException.class,
              includeDuplicates ? "type conflict with an overridden duplicate" : "payload type conflict inside a batch"));
        }
      }
    }
    return e;
  }

  // ------------------------------------------------------------------ scores

  /** The README's score of {@code v} for query {@code q}, computed in double. */
  static double score(Metric metric, float[] q, float[] v) {
    double dot = 0;
    double qq = 0;
    double vv = 0;
    double l2 = 0;
    for (int i = 0; i < q.length; i++) {
      dot += (double) q[i] * v[i];
      qq += (double) q[i] * q[i];
      vv += (double) v[i] * v[i];
      double d = (double) q[i] - v[i];
      l2 += d * d;
    }
    return switch (metric) {
      case COSINE -> (1 + dot / Math.sqrt(qq * vv)) / 2;
      case L2 -> 1 / (1 + l2);
      case DOT -> Math.max((1 + dot) / 2, 0);
      case MAX_INNER_PRODUCT -> dot < 0 ? 1 / (1 - dot) : dot + 1;
    };
  }

  /** Whether two scores agree: within 1e-4 relative, plus 1e-6 absolute for scores near zero. */
  static boolean sameScore(double a, double b) {
    if (a == b) {
      return true;
    }
    return Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b)) + 1e-6;
  }
}
