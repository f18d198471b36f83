package io.iqdb.internal;

import io.iqdb.Filter;
import io.iqdb.InvalidFilterException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/** Compiles a {@link Filter} into a Lucene query over a collection's {@link Schema}. */
final class FilterCompiler {
  private final Schema schema;

  FilterCompiler(Schema schema) {
    this.schema = schema;
  }

  /**
   * Compiles a filter.
   *
   * @param filter the filter
   * @return a constant-score query
   * @throws InvalidFilterException for an unknown field or a value of the wrong type
   */
  Query compile(Filter filter) {
    return new ConstantScoreQuery(toQuery(filter));
  }

  private Query toQuery(Filter filter) {
    return switch (filter) {
      case Filter.Eq eq -> equalsAny(eq.field(), List.of(eq.value()));
      case Filter.In in -> {
        if (in.values().isEmpty()) {
          kindOf(in.field());
          yield new MatchNoDocsQuery("empty in()");
        }
        yield equalsAny(in.field(), in.values());
      }
      case Filter.Range r -> range(r);
      case Filter.Exists ex -> {
        kindOf(ex.field());
        yield new FieldExistsQuery(ex.field());
      }
      case Filter.And and -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Filter f : and.filters()) {
          b.add(toQuery(f), Occur.FILTER);
        }
        yield and.filters().isEmpty() ? MatchAllDocsQuery.INSTANCE : b.build();
      }
      case Filter.Or or -> {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Filter f : or.filters()) {
          b.add(toQuery(f), Occur.SHOULD);
        }
        yield or.filters().isEmpty() ? new MatchNoDocsQuery("empty or()") : b.build();
      }
      case Filter.Not not ->
          new BooleanQuery.Builder()
              .add(MatchAllDocsQuery.INSTANCE, Occur.FILTER)
              .add(toQuery(not.filter()), Occur.MUST_NOT)
              .build();
    };
  }

  FieldKind kindOf(String field) {
    FieldKind kind = field == null ? null : schema.kind(field);
    if (kind == null) {
      throw new InvalidFilterException(
          "filter on unknown field '" + field + "': no record of this collection has it; known fields: "
              + schema.kinds().keySet());
    }
    return kind;
  }

  private Query equalsAny(String field, List<Object> values) {
    FieldKind kind = kindOf(field);
    switch (kind) {
      case KEYWORD, KEYWORD_LIST, BOOLEAN -> {
        List<BytesRef> terms = new ArrayList<>();
        for (Object v : values) {
          boolean ok = kind == FieldKind.BOOLEAN ? v instanceof Boolean : v instanceof String;
          if (!ok) {
            throw wrongType(field, kind, v);
          }
          terms.add(new BytesRef(v.toString()));
        }
        return terms.size() == 1
            ? new TermQuery(new Term(field, terms.get(0)))
            : new TermInSetQuery(field, terms);
      }
      case LONG -> {
        long[] longs = new long[values.size()];
        for (int i = 0; i < longs.length; i++) {
          if (!(values.get(i) instanceof Long l)) {
            throw wrongType(field, kind, values.get(i));
          }
          longs[i] = l;
        }
        return LongPoint.newSetQuery(field, longs);
      }
      case DOUBLE -> {
        double[] doubles = new double[values.size()];
        for (int i = 0; i < doubles.length; i++) {
          Object v = values.get(i);
          if (v instanceof Double d) {
            doubles[i] = d;
          } else if (v instanceof Long l) {
            doubles[i] = l; // an integral literal compared with a double field
          } else {
            throw wrongType(field, kind, v);
          }
        }
        return DoublePoint.newSetQuery(field, doubles);
      }
    }
    throw new AssertionError(kind);
  }

  private Query range(Filter.Range r) {
    FieldKind kind = kindOf(r.field());
    Number min = r.min();
    Number max = r.max();
    switch (kind) {
      case LONG -> {
        long[] bounds = longBounds(min, max);
        return bounds == null
            ? new MatchNoDocsQuery("range outside every long")
            : LongPoint.newRangeQuery(r.field(), bounds[0], bounds[1]);
      }
      case DOUBLE -> {
        double lo = min == null ? Double.NEGATIVE_INFINITY : min.doubleValue();
        double hi = max == null ? Double.POSITIVE_INFINITY : max.doubleValue();
        return DoublePoint.newRangeQuery(r.field(), lo, hi);
      }
      default ->
          throw new InvalidFilterException(
              "range filter on '" + r.field() + "' needs a long or double field; the field has type "
                  + kind.code);
    }
  }

  /**
   * The inclusive long bounds of a range on a long field, or {@code null} if no long is in it. A
   * double bound is rounded inward; one beyond the long range must not saturate onto
   * Long.MIN_VALUE or Long.MAX_VALUE (2^63 itself is above Long.MAX_VALUE). Shared with {@link
   * PayloadFilter}, which must agree with the index.
   */
  static long[] longBounds(Number min, Number max) {
    long lo = Long.MIN_VALUE;
    long hi = Long.MAX_VALUE;
    if (min != null) {
      if (isIntegral(min)) {
        lo = min.longValue();
      } else {
        double c = Math.ceil(min.doubleValue());
        if (c >= TWO_POW_63) {
          return null;
        }
        lo = c <= -TWO_POW_63 ? Long.MIN_VALUE : (long) c;
      }
    }
    if (max != null) {
      if (isIntegral(max)) {
        hi = max.longValue();
      } else {
        double f = Math.floor(max.doubleValue());
        if (f < -TWO_POW_63) {
          return null;
        }
        hi = f >= TWO_POW_63 ? Long.MAX_VALUE : (long) f;
      }
    }
    return new long[] {lo, hi};
  }

  private static final double TWO_POW_63 = 0x1p63;

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  static InvalidFilterException wrongType(String field, FieldKind kind, Object value) {
    return new InvalidFilterException(
        "filter on '" + field + "' compares a field of type " + kind.code + " with " + value
            + " of type " + value.getClass().getSimpleName());
  }
}
