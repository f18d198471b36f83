package io.iqdb.recovery;

import io.iqdb.Filter;
import io.iqdb.InvalidArgumentException;
import io.iqdb.InvalidFilterException;
import io.iqdb.Payload;
import io.iqdb.recovery.ApiModel.Col;
import io.iqdb.recovery.ApiModel.FieldStatus;
import io.iqdb.recovery.ApiModel.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A payload filter as the model sees it: how to build the real {@link Filter} (through the
 * factories, the fluent methods or the public record constructors, which must mean the same), the
 * rules that make it valid for a collection, and which payloads it matches.
 *
 * <p>Semantics encoded (README, {@link Filter} Javadoc): {@code eq}/{@code in} on a keyword list
 * match if any element matches; a long literal compares with a double field numerically; {@code
 * range} bounds are inclusive and compare numerically (a fractional bound on a long field is exact);
 * {@code not} matches records without the field; a filter naming a field no record has, or with a
 * value of another type, fails with {@link InvalidFilterException}. Chosen where the documentation
 * is silent: {@code exists} does not match a record whose value is an empty list (it indexes no
 * value, as in Elasticsearch); a filter on a field that only deleted records had may fail or match
 * as if the field were absent.
 */
sealed interface FilterSpec {

  /** Builds the filter; may throw for bad input. */
  Filter build();

  /** The rules: must the search with this filter succeed on {@code col}? */
  Expect check(Col col);

  /** Whether a record with this payload matches. */
  boolean matches(Payload p);

  /** How a filter is constructed: the static factory or the public record constructor. */
  enum Via {
    FACTORY,
    RECORD
  }

  /** {@code Filter.eq(field, value)}. */
  record Eq(String field, Object value, Via via) implements FilterSpec {
    @Override
    public Filter build() {
      return via == Via.FACTORY ? Filter.eq(field, value) : new Filter.Eq(field, value);
    }

    @Override
    public Expect check(Col col) {
      return checkField(col, field).and(checkValue(col, field, value));
    }

    @Override
    public boolean matches(Payload p) {
      return equalsAny(p, field, List.of(normalized(value)));
    }

    @Override
    public String toString() {
      return "eq(" + Text.shorten(field) + ", " + Text.describeValue(value) + (via == Via.RECORD ? ", record" : "") + ")";
    }
  }

  /** {@code Filter.in(field, values)}; {@code values} may be null or hold nulls. */
  record In(String field, List<Object> values, Via via) implements FilterSpec {
    @Override
    public Filter build() {
      return via == Via.FACTORY ? Filter.in(field, values) : new Filter.In(field, values);
    }

    @Override
    public Expect check(Col col) {
      Expect e = checkField(col, field);
      if (values == null) {
        return e.and(Expect.fail(InvalidArgumentException.class, "Filter.in with a null list"));
      }
      for (Object v : values) {
        e = e.and(checkValue(col, field, v));
      }
      return e;
    }

    @Override
    public boolean matches(Payload p) {
      return equalsAny(p, field, values.stream().map(FilterSpec::normalized).toList());
    }

    @Override
    public String toString() {
      return "in(" + Text.shorten(field) + ", "
          + (values == null ? "null" : values.stream().map(Text::describeValue).collect(Collectors.joining(", ", "[", "]")))
          + (via == Via.RECORD ? ", record" : "") + ")";
    }
  }

  /** {@code Filter.range(field, min, max)}. */
  record Range(String field, Number min, Number max) implements FilterSpec {
    @Override
    public Filter build() {
      return Filter.range(field, min, max);
    }

    @Override
    public Expect check(Col col) {
      Expect e = checkField(col, field);
      if (min == null && max == null) {
        e = e.and(Expect.fail(InvalidArgumentException.class, "range without bounds"));
      }
      for (Number n : new Number[] {min, max}) {
        if (n != null && !(n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
            || n instanceof Double || n instanceof Float)) {
          e = e.and(Expect.fail(InvalidArgumentException.class, "range bound of type " + n.getClass().getSimpleName()));
        } else if (n != null && Double.isNaN(n.doubleValue())) {
          e = e.and(Expect.fail(InvalidArgumentException.class, "NaN range bound"));
        }
      }
      FieldStatus s = field == null ? FieldStatus.UNKNOWN : col.status(field);
      if (s.kind() != null && s.kind() != Kind.LONG && s.kind() != Kind.DOUBLE) {
        e = e.and(wrongType(s, "range on a non-numeric field"));
      }
      return e;
    }

    @Override
    public boolean matches(Payload p) {
      Object x = p.asMap().get(field);
      if (x instanceof Long l) {
        return (min == null || compare(l, min) >= 0) && (max == null || compare(l, max) <= 0);
      }
      if (x instanceof Double d) {
        return (min == null || d >= min.doubleValue()) && (max == null || d <= max.doubleValue());
      }
      return false;
    }

    /** Exact comparison of a long with a bound (a fractional bound on a long field is not rounded). */
    private static int compare(long x, Number bound) {
      if (bound instanceof Double || bound instanceof Float) {
        double d = bound.doubleValue();
        if (Double.isInfinite(d)) {
          return d > 0 ? -1 : 1;
        }
        return new BigDecimal(x).compareTo(new BigDecimal(d));
      }
      return Long.compare(x, bound.longValue());
    }

    @Override
    public String toString() {
      return "range(" + Text.shorten(field) + ", " + Text.describeValue(min) + ", " + Text.describeValue(max) + ")";
    }
  }

  /** {@code Filter.exists(field)}. */
  record Exists(String field) implements FilterSpec {
    @Override
    public Filter build() {
      return Filter.exists(field);
    }

    @Override
    public Expect check(Col col) {
      return checkField(col, field);
    }

    @Override
    public boolean matches(Payload p) {
      Object x = p.asMap().get(field);
      return x != null && !(x instanceof List<?> l && l.isEmpty());
    }

    @Override
    public String toString() {
      return "exists(" + Text.shorten(field) + ")";
    }
  }

  /**
   * A conjunction or disjunction: {@code a.and(b)} / {@code a.or(b)} for two parts ({@code
   * fluent}), else {@code Filter.allOf} / {@code Filter.anyOf}.
   */
  record Junction(boolean and, List<FilterSpec> parts, boolean fluent) implements FilterSpec {
    @Override
    public Filter build() {
      List<Filter> built = new ArrayList<>();
      for (FilterSpec f : parts) {
        built.add(f == null ? null : f.build());
      }
      if (fluent && built.size() == 2 && built.get(0) != null) {
        return and ? built.get(0).and(built.get(1)) : built.get(0).or(built.get(1));
      }
      Filter[] array = built.toArray(new Filter[0]);
      return and ? Filter.allOf(array) : Filter.anyOf(array);
    }

    @Override
    public Expect check(Col col) {
      Expect e = Expect.OK;
      for (FilterSpec f : parts) {
        e = e.and(f == null ? Expect.fail(InvalidArgumentException.class, "null operand of and/or") : f.check(col));
      }
      return e;
    }

    @Override
    public boolean matches(Payload p) {
      return and ? parts.stream().allMatch(f -> f.matches(p)) : parts.stream().anyMatch(f -> f.matches(p));
    }

    @Override
    public String toString() {
      return (and ? "and" : "or") + parts;
    }
  }

  /** {@code inner.not()}, or {@code new Filter.Not(inner)} (inner may then be null). */
  record Not(FilterSpec inner, Via via) implements FilterSpec {
    @Override
    public Filter build() {
      return via == Via.FACTORY ? inner.build().not() : new Filter.Not(inner == null ? null : inner.build());
    }

    @Override
    public Expect check(Col col) {
      return inner == null ? Expect.fail(InvalidArgumentException.class, "new Filter.Not(null)") : inner.check(col);
    }

    @Override
    public boolean matches(Payload p) {
      return !inner.matches(p);
    }

    @Override
    public String toString() {
      return "not(" + inner + ")";
    }
  }

  // ------------------------------------------------------------------ rules

  private static Expect checkField(Col col, String field) {
    if (field == null) {
      return Expect.fail(InvalidArgumentException.class, "filter on a null field");
    }
    FieldStatus s = col.status(field);
    if (s.kind() == null) {
      return Expect.fail(InvalidFilterException.class, "filter on an unknown field");
    }
    return s.live() ? Expect.OK : Expect.either(InvalidFilterException.class, "filter on a field no live record has");
  }

  private static Expect checkValue(Col col, String field, Object value) {
    List<String> problems = new ArrayList<>();
    Object v = value instanceof List<?> ? value : ApiModel.normalizeValue(value, problems);
    Expect e = Expect.OK;
    for (String p : problems) {
      if (p.contains("over the term limit")) {
        e = e.and(Expect.either(InvalidArgumentException.class, "filter " + p));
      } else {
        e = e.and(Expect.fail(InvalidArgumentException.class, "filter " + p));
      }
    }
    if (value instanceof List<?>) {
      return e.and(Expect.fail(InvalidArgumentException.class, "list as a filter value"));
    }
    FieldStatus s = field == null ? FieldStatus.UNKNOWN : col.status(field);
    if (v == null || s.kind() == null) {
      return e;
    }
    boolean ok = switch (s.kind()) {
      case KEYWORD, LIST -> v instanceof String;
      case BOOLEAN -> v instanceof Boolean;
      case LONG -> v instanceof Long;
      case DOUBLE -> v instanceof Double || v instanceof Long;
    };
    return ok ? e : e.and(wrongType(s, "filter value of the wrong type"));
  }

  private static Expect wrongType(FieldStatus s, String why) {
    return s.live()
        ? Expect.fail(InvalidFilterException.class, why)
        : Expect.either(InvalidArgumentException.class, why + " (field no live record has)");
  }

  /** A valid filter value, normalized as {@link Payload} normalizes values. */
  private static Object normalized(Object v) {
    return switch (v) {
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case Float f -> (double) f;
      default -> v;
    };
  }

  private static boolean equalsAny(Payload p, String field, List<Object> values) {
    Object x = p.asMap().get(field);
    if (x == null) {
      return false;
    }
    for (Object v : values) {
      boolean hit = switch (x) {
        case List<?> l -> l.contains(v);
        case Double d -> (v instanceof Double w && d.doubleValue() == w) || (v instanceof Long l && d == (double) l);
        default -> Objects.equals(x, v);
      };
      if (hit) {
        return true;
      }
    }
    return false;
  }
}
