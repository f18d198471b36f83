package io.iqdb.internal;

import io.iqdb.Filter;
import io.iqdb.InvalidFilterException;
import io.iqdb.Payload;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Compiles a {@link Filter} into a predicate on payloads, to filter the records of a collection's
 * {@link Tail} in memory. It must accept exactly the records {@link FilterCompiler}'s query matches
 * in the index (the tests compare both on the same records), so it checks fields and values as the
 * compiler does and mirrors how the index stores each kind: a keyword or boolean as a term, each
 * element of a keyword list as a term (an empty list stores none, so it does not "exist"), a long or
 * double as a point (doubles compared by their sortable bits, so -0.0 is below 0.0).
 */
final class PayloadFilter {
  private final FilterCompiler compiler;

  PayloadFilter(FilterCompiler compiler) {
    this.compiler = compiler;
  }

  /**
   * Compiles a filter.
   *
   * @throws InvalidFilterException for an unknown field or a value of the wrong type
   */
  Predicate<Payload> compile(Filter filter) {
    return switch (filter) {
      case Filter.Eq eq -> equalsAny(eq.field(), List.of(eq.value()));
      case Filter.In in -> equalsAny(in.field(), in.values());
      case Filter.Range r -> range(r);
      case Filter.Exists ex -> {
        compiler.kindOf(ex.field());
        String field = ex.field();
        yield p -> p.get(field).filter(v -> !(v instanceof List<?> l && l.isEmpty())).isPresent();
      }
      case Filter.And and -> {
        List<Predicate<Payload>> all = compileAll(and.filters());
        yield p -> all.stream().allMatch(f -> f.test(p));
      }
      case Filter.Or or -> {
        List<Predicate<Payload>> any = compileAll(or.filters());
        yield p -> any.stream().anyMatch(f -> f.test(p));
      }
      case Filter.Not not -> compile(not.filter()).negate();
    };
  }

  private List<Predicate<Payload>> compileAll(List<Filter> filters) {
    List<Predicate<Payload>> out = new ArrayList<>(filters.size());
    for (Filter f : filters) {
      out.add(compile(f));
    }
    return out;
  }

  private Predicate<Payload> equalsAny(String field, List<Object> values) {
    FieldKind kind = compiler.kindOf(field);
    List<Object> wanted = new ArrayList<>(values.size());
    for (Object v : values) {
      Object w = switch (kind) {
        case KEYWORD, KEYWORD_LIST -> v instanceof String ? v : null;
        case BOOLEAN -> v instanceof Boolean ? v : null;
        case LONG -> v instanceof Long ? v : null;
        case DOUBLE -> v instanceof Double || v instanceof Long ? ((Number) v).doubleValue() : null;
      };
      if (w == null) {
        throw FilterCompiler.wrongType(field, kind, v);
      }
      wanted.add(w);
    }
    return p -> {
      Object value = p.get(field).orElse(null);
      if (value == null) {
        return false;
      }
      if (value instanceof List<?> list) {
        for (Object element : list) {
          if (wanted.contains(element)) {
            return true;
          }
        }
        return false;
      }
      if (value instanceof Double d) {
        for (Object w : wanted) {
          if (w instanceof Double x && Double.compare(d, x) == 0) {
            return true;
          }
        }
        return false;
      }
      return wanted.contains(value);
    };
  }

  private Predicate<Payload> range(Filter.Range r) {
    FieldKind kind = compiler.kindOf(r.field());
    String field = r.field();
    switch (kind) {
      case LONG -> {
        long[] bounds = FilterCompiler.longBounds(r.min(), r.max());
        if (bounds == null) {
          return p -> false;
        }
        return p -> p.get(field).orElse(null) instanceof Long l && l >= bounds[0] && l <= bounds[1];
      }
      case DOUBLE -> {
        double lo = r.min() == null ? Double.NEGATIVE_INFINITY : r.min().doubleValue();
        double hi = r.max() == null ? Double.POSITIVE_INFINITY : r.max().doubleValue();
        return p -> p.get(field).orElse(null) instanceof Double d
            && Double.compare(d, lo) >= 0 && Double.compare(d, hi) <= 0;
      }
      default ->
          throw new InvalidFilterException(
              "range filter on '" + field + "' needs a long or double field; the field has type " + kind.code);
    }
  }
}
