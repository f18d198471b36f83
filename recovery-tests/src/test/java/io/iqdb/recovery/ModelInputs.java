package io.iqdb.recovery;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.PayloadException;
import io.iqdb.Quantization;
import io.iqdb.VectorRecord;
import io.iqdb.recovery.ApiModel.Col;
import io.iqdb.recovery.ApiModel.Kind;
import io.iqdb.recovery.FilterSpec.Via;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The random inputs of {@link TestModelBasedApi}: mostly good values (a small id space, so that
 * upserts replace and deletes hit; a few typed payload fields, so that filters match), and at a
 * lower rate adversarial ones: null everywhere, empty and over-long ids (512/513 UTF-8 bytes in
 * 1-, 2-, 3- and 4-byte characters), unpaired surrogates in ids, values and field names, keyword
 * values and list elements at and over Lucene's 32,766-byte term limit (ASCII, 3- and 4-byte
 * characters), payloads of 256 and 257 fields and of exactly 64 KiB and one byte more, type
 * conflicts, empty lists and lists holding null, NaN and infinite vector components, zero vectors,
 * non-unit vectors under DOT, wrong dimensions, vectors of extreme magnitude, and 4,096 dimensions.
 */
final class ModelInputs {
  static final List<String> VOCAB = List.of("en", "de", "fr", "", "日本語", "😀x", "é", "a b");

  /** Valid ids at the edges: multi-byte, exactly 512 UTF-8 bytes, control characters. */
  static final List<String> EDGE_IDS = List.of(
      "é-1", "日本-2", "😀-3", " ", "id with spaces", "\u0000", "a".repeat(512), "é".repeat(256),
      "日".repeat(170) + "ab", "😀".repeat(128));

  /** Invalid ids: empty, unpaired surrogates, over 512 UTF-8 bytes, null. */
  static final List<String> BAD_IDS = new ArrayList<>(List.of(
      "", "a\uD800b", "\uDC00", "x\uD83D", "a".repeat(513), "é".repeat(257), "日".repeat(171),
      "😀".repeat(129), "x".repeat(10_000)));

  static {
    BAD_IDS.add(null);
  }

  /** Keyword values at Lucene's term limit (32,766 UTF-8 bytes): valid. */
  static final List<String> AT_TERM_LIMIT = List.of(
      "a".repeat(32_766), "日".repeat(10_922), "😀".repeat(8_191) + "ab", "a".repeat(32_762) + "😀");

  /** Keyword values over the term limit: invalid. */
  static final List<String> OVER_TERM_LIMIT = List.of(
      "a".repeat(32_767), "a".repeat(40_000), "日".repeat(10_923), "😀".repeat(8_192),
      "a".repeat(32_764) + "日", "a".repeat(32_763) + "😀");

  /** The standard payload fields and their types. */
  static final Map<String, Kind> FIELDS = new LinkedHashMap<>();

  static {
    FIELDS.put("lang", Kind.KEYWORD);
    FIELDS.put("year", Kind.LONG);
    FIELDS.put("score", Kind.DOUBLE);
    FIELDS.put("flag", Kind.BOOLEAN);
    FIELDS.put("tags", Kind.LIST);
    FIELDS.put("名前", Kind.KEYWORD);
    FIELDS.put("😀", Kind.LONG);
    FIELDS.put("n".repeat(128), Kind.KEYWORD);
    FIELDS.put("desc", Kind.KEYWORD);
  }

  /** How a payload is passed to the API. */
  enum Route {
    MAP,
    VARARGS,
    BUILDER,
    /** {@code upsert(id, vector, null)}: no payload. */
    NULL_PAYLOAD,
    /** {@code Payload.of((Map) null)}. */
    NULL_MAP,
    /** {@code Payload.of(...)} with an odd number of arguments. */
    VARARGS_ODD
  }

  /**
   * A payload to build.
   *
   * @param route how it is built
   * @param entries (name, value) pairs, put in order
   * @param label a name for special shapes (e.g. "257 fields"), or null
   */
  record PayloadSpec(Route route, List<Object[]> entries, String label) {
    /** Builds the payload (null for {@link Route#NULL_PAYLOAD}); may throw for bad input. */
    @SuppressWarnings("unchecked")
    Payload build() {
      return switch (route) {
        case NULL_PAYLOAD -> null;
        case NULL_MAP -> Payload.of((Map<String, ?>) null);
        case MAP -> {
          Map<String, Object> m = new LinkedHashMap<>();
          for (Object[] kv : entries) {
            m.put((String) kv[0], kv[1]);
          }
          yield Payload.of(m);
        }
        case VARARGS, VARARGS_ODD -> {
          List<Object> args = new ArrayList<>();
          for (Object[] kv : entries) {
            args.add(kv[0]);
            args.add(kv[1]);
          }
          if (route == Route.VARARGS_ODD) {
            args.add("dangling");
          }
          yield Payload.of(args.toArray());
        }
        case BUILDER -> {
          Payload.Builder b = Payload.builder();
          for (Object[] kv : entries) {
            b.put((String) kv[0], kv[1]);
          }
          yield b.build();
        }
      };
    }

    /** The rules; {@code normalized} receives the payload the spec must build. */
    Expect expect(Map<String, Object> normalized) {
      return switch (route) {
        case NULL_PAYLOAD -> Expect.OK;
        case NULL_MAP -> Expect.fail(InvalidArgumentException.class, "Payload.of(null map)");
        case VARARGS_ODD -> ApiModel.checkPayloadEntries(entries, normalized)
            .and(Expect.fail(PayloadException.class, "odd number of Payload.of arguments"));
        default -> ApiModel.checkPayloadEntries(entries, normalized);
      };
    }

    @Override
    public String toString() {
      if (label != null) {
        return route + " " + label;
      }
      StringBuilder b = new StringBuilder(route.toString()).append(" {");
      for (Object[] kv : entries) {
        b.append(Text.describeValue(kv[0])).append('=').append(Text.describeValue(kv[1])).append(", ");
      }
      return b.append('}').toString();
    }
  }

  private final Random r;
  private final boolean adversarial;

  /**
   * Inputs drawn from {@code r}.
   *
   * @param adversarial whether to draw bad inputs too; if false, every input is valid (the model's
   *     rules decide every outcome as success, except filters on fields that only deleted records had)
   */
  ModelInputs(Random r, boolean adversarial) {
    this.r = r;
    this.adversarial = adversarial;
  }

  /** Whether to draw a bad input this time, with probability {@code p} (never if not adversarial). */
  boolean bad(double p) {
    return adversarial && chance(p);
  }

  private <T> T pick(List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  private boolean chance(double p) {
    return r.nextDouble() < p;
  }

  // ------------------------------------------------------------------ ids

  String goodId() {
    return chance(0.9) ? "id-" + r.nextInt(25) : pick(EDGE_IDS);
  }

  String id() {
    return bad(0.07) ? pick(BAD_IDS) : goodId();
  }

  /** An id to read or delete: often one that exists. */
  String idIn(Col c) {
    if (!c.records.isEmpty() && chance(0.6)) {
      return pick(new ArrayList<>(c.records.keySet()));
    }
    return id();
  }

  // ------------------------------------------------------------------ vectors

  float[] gaussian(int dim, Metric metric) {
    float[] v = new float[dim];
    if (dim == 0) {
      return v;
    }
    double norm2 = 0;
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
      norm2 += (double) v[i] * v[i];
    }
    if (norm2 == 0) {
      v[0] = 1;
      norm2 = 1;
    }
    if (metric == Metric.DOT) {
      double n = Math.sqrt(norm2);
      for (int i = 0; i < dim; i++) {
        v[i] = (float) (v[i] / n);
      }
    }
    return v;
  }

  /** A record or query vector for {@code c}: mostly good, sometimes adversarial. */
  float[] vector(Col c) {
    int dim = c.config.dimension();
    Metric metric = c.config.metric();
    int x = r.nextInt(100);
    if (x < 80) {
      return gaussian(dim, metric);
    }
    if (x < 84 && !c.records.isEmpty()) {
      return pick(new ArrayList<>(c.records.values())).vector().clone(); // an exact duplicate
    }
    if (x < 88 && !c.records.isEmpty()) {
      float[] v = pick(new ArrayList<>(c.records.values())).vector().clone();
      scale(v, -1); // antipodal: normalized vectors that sum to zero
      return v;
    }
    if (x < 90 || !adversarial) {
      float[] v = new float[dim];
      v[r.nextInt(dim)] = chance(0.5) ? 1 : -1;
      return v;
    }
    float[] v = gaussian(dim, metric);
    switch (r.nextInt(14)) {
      case 0 -> v = null;
      case 1 -> v = gaussian(dim + 1, metric);
      case 2 -> v = gaussian(Math.max(dim - 1, 0), metric);
      case 3 -> v[r.nextInt(dim)] = Float.NaN;
      case 4 -> v[r.nextInt(dim)] = chance(0.5) ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
      case 5 -> v = new float[dim];
      case 6 -> scale(v, 2);
      case 7 -> scale(v, 1 + 5e-4); // within DOT's 1e-3 tolerance
      case 8 -> scale(v, 1e-15);
      case 9 -> scale(v, 1e15);
      case 10 -> scale(v, chance(0.5) ? 1e-25 : 1e25);
      case 11 -> v[r.nextInt(dim)] = Float.MAX_VALUE;
      case 12 -> {
        v = new float[dim];
        v[r.nextInt(dim)] = Float.MIN_VALUE;
      }
      default -> v = new float[0];
    }
    return v;
  }

  private static void scale(float[] v, double f) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] * f);
    }
  }

  int k() {
    int x = r.nextInt(100);
    if (x < 85) {
      return 1 + r.nextInt(12);
    }
    if (x < 92 || !adversarial) {
      return chance(0.5) ? 100 : 10_000;
    }
    return pick(List.of(0, -1, 10_001, Integer.MIN_VALUE));
  }

  // ------------------------------------------------------------------ payloads

  /** A good value of a kind. */
  Object value(Kind kind) {
    return switch (kind) {
      case KEYWORD -> pick(VOCAB);
      case LONG -> switch (r.nextInt(8)) {
        case 0 -> Long.MIN_VALUE;
        case 1 -> Long.MAX_VALUE;
        case 2 -> 2019 + r.nextInt(7); // an Integer, widened to Long
        case 3 -> (short) r.nextInt(100);
        case 4 -> (byte) r.nextInt(10);
        default -> (long) (2019 + r.nextInt(7));
      };
      case DOUBLE -> switch (r.nextInt(6)) {
        case 0 -> 1e300;
        case 1 -> (float) (r.nextInt(8) / 4.0); // Float, widened
        case 2 -> -1e-300;
        default -> r.nextInt(8) / 4.0 - 0.75;
      };
      case BOOLEAN -> r.nextBoolean();
      case LIST -> {
        int n = chance(0.15) ? 0 : 1 + r.nextInt(4);
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          l.add(pick(VOCAB));
        }
        yield l;
      }
    };
  }

  /** A payload for a record of {@code c}. */
  PayloadSpec payload(Col c) {
    int x = r.nextInt(1000);
    Route route = x < 10 ? Route.NULL_PAYLOAD
        : x < 15 && adversarial ? Route.NULL_MAP
        : x < 20 && adversarial ? Route.VARARGS_ODD
        : pick(List.of(Route.MAP, Route.VARARGS, Route.BUILDER));
    if (x >= 20 && x < 60) {
      return special(route == Route.MAP ? Route.BUILDER : route);
    }
    List<Object[]> entries = new ArrayList<>();
    List<String> names = new ArrayList<>(FIELDS.keySet());
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      String name = names.remove(r.nextInt(names.size()));
      Object v = name.equals("desc") && chance(0.1) ? pick(AT_TERM_LIMIT) : value(FIELDS.get(name));
      entries.add(new Object[] {name, v});
    }
    if (bad(0.15)) {
      Object[] bad = adversarialField(c);
      entries.removeIf(kv -> kv[0] != null && kv[0].equals(bad[0]));
      entries.add(bad);
      if (!(bad[0] instanceof String) && bad[0] != null && route != Route.VARARGS_ODD) {
        route = Route.VARARGS; // only Payload.of(Object...) can take a non-String name
      }
    }
    if (route == Route.MAP && entries.stream().anyMatch(kv -> kv[0] != null && !(kv[0] instanceof String))) {
      route = Route.VARARGS;
    }
    return new PayloadSpec(route, entries, null);
  }

  /** One adversarial (name, value) entry. */
  private Object[] adversarialField(Col c) {
    return switch (r.nextInt(12)) {
      case 0, 1 -> { // type conflict with the standard type of a field
        String name = pick(new ArrayList<>(FIELDS.keySet()));
        Kind other = pick(List.of(Kind.values()));
        yield new Object[] {name, value(other)};
      }
      case 2 -> new Object[] {"desc", pick(OVER_TERM_LIMIT)};
      case 3 -> new Object[] {"desc", pick(AT_TERM_LIMIT)};
      case 4 -> new Object[] {"tags", pick(List.of(
          List.of("ok", pick(OVER_TERM_LIMIT)), List.of(pick(AT_TERM_LIMIT)),
          java.util.Arrays.asList("a", null), List.of("a", 1), List.of(), List.of("a\uD800")))};
      case 5 -> new Object[] {pick(List.of("lang", "名前")), pick(List.of("a\uD800", "\uDFFFz", "😀\uD83D"))};
      case 6 -> new Object[] {pick(java.util.Arrays.asList(null, "", "_x", "_id", "n".repeat(129), "a\uDC00", "😀".repeat(65))), "v"};
      case 7 -> new Object[] {"lang", null};
      case 8 -> new Object[] {"score", pick(List.of(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN))};
      case 9 -> new Object[] {"lang", pick(List.of('c', BigDecimal.ONE, new int[] {1}, Set.of("a"), Map.of("a", "b"),
          java.util.Optional.empty()))};
      case 10 -> new Object[] {42, "non-string name"};
      default -> new Object[] {"tags", null};
    };
  }

  /** The large shapes: 256/257 fields, payloads of exactly 64 KiB and one byte over, long lists. */
  private PayloadSpec special(Route route) {
    List<Object[]> e = new ArrayList<>();
    String label;
    switch (r.nextInt(7)) {
      case 0, 1 -> {
        int n = bad(0.5) ? 257 : 256;
        for (int i = 0; i < n; i++) {
          e.add(new Object[] {"f" + i, (long) i});
        }
        label = n + " fields";
      }
      case 2, 3 -> { // name/value UTF-8 bytes: 2+32766 + 2+p1 + 2+1 = 65536 for p1 = 32763 bytes
        boolean over = bad(0.5);
        boolean multiByte = r.nextBoolean();
        String p0 = multiByte ? "日".repeat(10_922) : "a".repeat(32_766);
        String p1 = multiByte ? (over ? "😀".repeat(8_191) : "😀".repeat(8_190) + "abc") : "b".repeat(over ? 32_764 : 32_763);
        e.add(new Object[] {"p0", p0});
        e.add(new Object[] {"p1", p1});
        e.add(new Object[] {"p2", true});
        label = "payload of " + (over ? "65537" : "65536") + " bytes" + (multiByte ? " (multi-byte)" : "");
      }
      case 4 -> {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
          l.add(i % 7 == 0 ? pick(VOCAB) : "t" + i);
        }
        e.add(new Object[] {"tags", l});
        label = "list of 3000 elements";
      }
      case 5 -> {
        e.add(new Object[] {"tags", List.of()});
        e.add(new Object[] {"lang", ""});
        label = "empty list and empty string";
      }
      default -> {
        e.add(new Object[] {"desc", pick(AT_TERM_LIMIT)});
        e.add(new Object[] {"lang", pick(VOCAB)});
        label = "keyword at the term limit";
      }
    }
    return new PayloadSpec(route, e, label);
  }

  // ------------------------------------------------------------------ filters

  private List<Object> liveValues(Col c, String field) {
    List<Object> out = new ArrayList<>();
    for (VectorRecord rec : c.records.values()) {
      Object v = rec.payload().asMap().get(field);
      if (v instanceof List<?> l) {
        out.addAll(l);
      } else if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  private String field(Col c) {
    int x = r.nextInt(100);
    List<String> live = new ArrayList<>();
    c.records.values().forEach(rec -> rec.payload().names().stream().filter(n -> !live.contains(n)).forEach(live::add));
    if (x < 80 && !live.isEmpty()) {
      return pick(live);
    }
    if (x < 88 && !c.everKinds.isEmpty()) {
      return pick(new ArrayList<>(c.everKinds.keySet()));
    }
    if (x < 93 && adversarial) {
      return "nope";
    }
    if (x < 95 && adversarial) {
      return null;
    }
    return pick(new ArrayList<>(FIELDS.keySet()));
  }

  private Object filterValue(Col c, String field) {
    ApiModel.FieldStatus s = field == null ? ApiModel.FieldStatus.UNKNOWN : c.status(field);
    int x = r.nextInt(100);
    if (x < 65 && s.kind() != null) {
      List<Object> live = liveValues(c, field);
      if (!live.isEmpty()) {
        return pick(live);
      }
    }
    if (x < 92 && s.kind() != null) {
      Object v = value(s.kind());
      return v instanceof List<?> l ? (l.isEmpty() ? "en" : l.get(0)) : v;
    }
    if (!adversarial) {
      return s.kind() == null ? "en" : filterValue(c, field);
    }
    if (x < 96) {
      return value(pick(List.of(Kind.KEYWORD, Kind.LONG, Kind.DOUBLE, Kind.BOOLEAN)));
    }
    return pick(java.util.Arrays.asList(null, Double.NaN, List.of("en"), "a\uD800", pick(OVER_TERM_LIMIT), 'c'));
  }

  private Number bound(Col c, String field) {
    List<Object> numbers = field == null ? List.of() : liveValues(c, field).stream().filter(v -> v instanceof Number).toList();
    Number base = numbers.isEmpty() || chance(0.2) ? 2020L : (Number) pick(numbers);
    return switch (r.nextInt(12)) {
      case 0 -> base.doubleValue() + 0.5;
      case 1 -> base.doubleValue() - 0.5;
      case 2 -> (float) base.doubleValue();
      case 3 -> (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, base.doubleValue()));
      case 4 -> chance(0.5) ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      case 5 -> base.longValue() + r.nextInt(3) - 1;
      default -> base instanceof Long l ? (Number) l : (Number) base.doubleValue();
    };
  }

  private static boolean isNumeric(Col c, String field) {
    Kind k = field == null ? null : c.status(field).kind();
    return k == Kind.LONG || k == Kind.DOUBLE;
  }

  /** A random filter over the fields of {@code c}, nested up to {@code depth}. */
  FilterSpec filter(Col c, int depth) {
    if (depth > 0 && chance(0.3)) {
      int x = r.nextInt(100);
      if (x < 20) {
        return bad(0.03)
            ? new FilterSpec.Not(null, Via.RECORD)
            : new FilterSpec.Not(filter(c, depth - 1), chance(0.2) ? Via.RECORD : Via.FACTORY);
      }
      boolean fluent = x < 60;
      int n = fluent ? 2 : r.nextInt(4);
      List<FilterSpec> parts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        parts.add(bad(0.02) && i > 0 ? null : filter(c, depth - 1));
      }
      return new FilterSpec.Junction(r.nextBoolean(), parts, fluent);
    }
    String field = field(c);
    if (!adversarial && (field == null || c.status(field).kind() == null)) {
      return new FilterSpec.Junction(true, List.of(), false); // allOf(): no field to filter on yet
    }
    Via via = chance(0.15) ? Via.RECORD : Via.FACTORY;
    int x = r.nextInt(100);
    if (x < 35) {
      return new FilterSpec.Eq(field, filterValue(c, field), via);
    }
    if (x < 55) {
      if (bad(0.03)) {
        return new FilterSpec.In(field, null, via);
      }
      List<Object> values = new ArrayList<>();
      int n = r.nextInt(4);
      for (int i = 0; i < n; i++) {
        values.add(filterValue(c, field));
      }
      return new FilterSpec.In(field, values, via);
    }
    if (x < 80 && (adversarial || isNumeric(c, field))) {
      int y = adversarial ? r.nextInt(100) : 18 + r.nextInt(81);
      Number min = y < 15 ? null : y < 17 ? Double.NaN : y < 18 ? BigDecimal.TEN : bound(c, field);
      Number max = y >= 15 && y < 35 ? null : bound(c, field);
      if (y == 99) {
        max = null;
        min = null;
      }
      return new FilterSpec.Range(field, min, max);
    }
    return new FilterSpec.Exists(field);
  }

  // ------------------------------------------------------------------ configs

  CollectionConfig config(boolean allowLarge) {
    int dim = allowLarge && chance(0.15) ? CollectionConfig.MAX_DIMENSION : pick(List.of(1, 2, 3, 4, 8, 16));
    Metric metric = pick(List.of(Metric.values()));
    int x = r.nextInt(100);
    IndexSpec index = x < 20 ? IndexSpec.flat()
        : x < 40 ? IndexSpec.hnsw()
        : x < 46 ? IndexSpec.hnsw(4, 20)
        : x < 62 ? IndexSpec.ivf()
        : x < 67 ? IndexSpec.ivf().withLists(2)
        : x < 72 ? IndexSpec.ivf().withQuantization(Quantization.NONE)
        : x < 86 ? IndexSpec.flat(pick(List.of(Quantization.INT8, Quantization.INT4, Quantization.BIT1)))
        : IndexSpec.hnsw().withQuantization(pick(List.of(Quantization.INT8, Quantization.INT7, Quantization.INT4)));
    if (index.quantization() != Quantization.NONE && !(index instanceof IndexSpec.Ivf) && chance(0.35)) {
      // Quantized COSINE is where Lucene's writer failed on directions that cancel out (vectors of
      // both signs in few dimensions): drawn more often than one metric in four.
      metric = Metric.COSINE;
    }
    int y = r.nextInt(100);
    Durability durability = y < 50 ? null
        : y < 60 ? Durability.sync()
        : y < 70 ? Durability.none()
        : y < 85 ? Durability.async(Duration.ofNanos(500_000))
        : Durability.async(Duration.ofMillis(1 + r.nextInt(200)));
    return CollectionConfig.builder(dim, metric).index(index).durability(durability).build();
  }

  /** The database's default durability for one open. */
  Durability databaseDurability() {
    return switch (r.nextInt(4)) {
      case 0 -> Durability.none();
      case 1 -> Durability.async(Duration.ofNanos(500_000));
      case 2 -> Durability.async(Duration.ofMillis(20));
      default -> Durability.sync();
    };
  }
}
