package io.iqdb.springai;

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
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.util.BytesRef;
import org.springframework.ai.vectorstore.filter.Filter;

/**
 * Translates a Spring AI {@link Filter.Expression} into a Lucene query over an iQDB collection's
 * index, where each payload field is indexed under its own name (see the iQDB README, "Filtering
 * with Lucene queries").
 *
 * <p>Why Lucene queries and not {@link io.iqdb.Filter}: an iQDB filter naming a field that no record
 * has yet fails, while a Spring AI filter on an empty store (or on a key some documents lack) must
 * simply match nothing. A Lucene query on an absent field matches nothing.
 *
 * <p>Numbers: a long field is indexed as {@code LongPoint}, a double field as {@code DoublePoint};
 * both encode to 8 bytes, so a query of the wrong encoding would not fail but compare garbage. The
 * codec's type tags ({@link DocumentCodec#TYPES_FIELD}) say per record which encoding a numeric key
 * uses, and every numeric comparison is guarded by them. A {@code Float} value is compared in float
 * precision: the filter constant is rounded to float first, so {@code x == 0.1} matches a stored
 * {@code 0.1f}.
 *
 * <p>Semantics: {@code NOT e} matches every record that {@code e} does not match, including records
 * without the key; {@code k != v} is {@code NOT (k == v)} and {@code k NIN [...]} is {@code NOT (k IN
 * [...])}. Comparisons ({@code <, <=, >, >=}) match only records that have the key. Strings compare
 * by Unicode code point. On a list of strings, {@code ==} and {@code IN} match if any element does.
 */
final class FilterTranslator {

  private FilterTranslator() {}

  /**
   * Translates an expression.
   *
   * @param expression the Spring AI filter expression
   * @return a constant-score Lucene query
   * @throws InvalidFilterException for an operand or value the translation does not support
   */
  static Query toQuery(Filter.Expression expression) {
    return new ConstantScoreQuery(translate(expression));
  }

  private static Query translate(Filter.Operand operand) {
    return switch (operand) {
      case Filter.Group g -> translate(g.content());
      case Filter.Expression e -> expression(e);
      case null -> throw new InvalidFilterException("filter expression has a missing operand");
      default ->
          throw new InvalidFilterException(
              "expected a filter expression, got " + operand.getClass().getSimpleName() + " " + operand);
    };
  }

  private static Query expression(Filter.Expression e) {
    return switch (e.type()) {
      case AND ->
          new BooleanQuery.Builder()
              .add(translate(e.left()), Occur.FILTER)
              .add(translate(e.right()), Occur.FILTER)
              .build();
      case OR ->
          new BooleanQuery.Builder()
              .add(translate(e.left()), Occur.SHOULD)
              .add(translate(e.right()), Occur.SHOULD)
              .build();
      case NOT -> not(translate(e.left()));
      case EQ -> equalsAny(key(e), List.of(value(e)));
      case NE -> not(equalsAny(key(e), List.of(value(e))));
      case IN -> equalsAny(key(e), listValue(e));
      case NIN -> not(equalsAny(key(e), listValue(e)));
      case GT -> compare(key(e), value(e), false, null, false);
      case GTE -> compare(key(e), value(e), true, null, false);
      case LT -> compare(key(e), null, false, value(e), false);
      case LTE -> compare(key(e), null, false, value(e), true);
      case ISNULL -> not(new FieldExistsQuery(key(e)));
      case ISNOTNULL -> new FieldExistsQuery(key(e));
    };
  }

  private static Query not(Query q) {
    return new BooleanQuery.Builder()
        .add(MatchAllDocsQuery.INSTANCE, Occur.FILTER)
        .add(q, Occur.MUST_NOT)
        .build();
  }

  private static String key(Filter.Expression e) {
    if (!(e.left() instanceof Filter.Key k) || k.key() == null || k.key().isEmpty()) {
      throw new InvalidFilterException(
          "the left operand of " + e.type() + " must be a metadata key; expression: " + e);
    }
    // iQDB keeps names starting with '_' for its own fields (id, vector, stored payload).
    if (k.key().startsWith("_")) {
      throw new InvalidFilterException(
          "metadata keys never start with '_' (reserved by iQDB); key=" + k.key());
    }
    return k.key();
  }

  private static Object value(Filter.Expression e) {
    if (!(e.right() instanceof Filter.Value v) || v.value() == null) {
      throw new InvalidFilterException(
          "the right operand of " + e.type() + " must be a non-null value; expression: " + e);
    }
    if (v.value() instanceof List<?>) {
      throw new InvalidFilterException(
          e.type() + " compares with a single value, not a list; use IN; expression: " + e);
    }
    return v.value();
  }

  private static List<?> listValue(Filter.Expression e) {
    if (!(e.right() instanceof Filter.Value v) || !(v.value() instanceof List<?> list)) {
      throw new InvalidFilterException(
          "the right operand of " + e.type() + " must be a list of values; expression: " + e);
    }
    return list;
  }

  private static Query equalsAny(String key, List<?> values) {
    if (values.isEmpty()) {
      return new MatchNoDocsQuery("IN with an empty list");
    }
    List<BytesRef> terms = new ArrayList<>();
    List<Number> numbers = new ArrayList<>();
    for (Object v : values) {
      switch (v) {
        case String s -> terms.add(new BytesRef(s));
        // iQDB indexes a boolean as the term "true" or "false".
        case Boolean b -> terms.add(new BytesRef(b.toString()));
        case Number n -> numbers.add(number(key, n));
        case null -> throw new InvalidFilterException("filter on '" + key + "' compares with null; use IS NULL");
        default -> throw unsupported(key, v);
      }
    }
    BooleanQuery.Builder any = new BooleanQuery.Builder();
    if (!terms.isEmpty()) {
      any.add(terms.size() == 1 ? new TermQuery(new Term(key, terms.get(0))) : new TermInSetQuery(key, terms),
          Occur.SHOULD);
    }
    if (!numbers.isEmpty()) {
      // One set query per numeric encoding, whatever the list's length: a clause per value would
      // hit Lucene's clause limit on long IN lists.
      List<Long> longs = new ArrayList<>();
      double[] doubles = new double[numbers.size()];
      double[] floats = new double[numbers.size()];
      for (int i = 0; i < numbers.size(); i++) {
        Number n = numbers.get(i);
        double d = n.doubleValue();
        if (n instanceof Long l) {
          longs.add(l);
        } else if (d == Math.rint(d) && d >= Long.MIN_VALUE && d < 0x1p63) {
          longs.add((long) d); // a fractional value equals no integer
        }
        doubles[i] = d;
        floats[i] = n.floatValue();
      }
      if (!longs.isEmpty()) {
        any.add(guarded(key, DocumentCodec.INTEGRAL_TYPES,
            LongPoint.newSetQuery(key, longs.stream().mapToLong(Long::longValue).toArray())), Occur.SHOULD);
      }
      any.add(guarded(key, List.of(DocumentCodec.DOUBLE), DoublePoint.newSetQuery(key, doubles)), Occur.SHOULD);
      any.add(guarded(key, List.of(DocumentCodec.FLOAT), DoublePoint.newSetQuery(key, floats)), Occur.SHOULD);
    }
    return any.build();
  }

  /**
   * Records whose value of {@code key} lies between the bounds ({@code null}: unbounded). Both
   * bounds, when given, have one type: numbers compare numerically, strings by code point.
   */
  private static Query compare(String key, Object lower, boolean lowerInclusive, Object upper, boolean upperInclusive) {
    Object sample = lower != null ? lower : upper;
    if (sample instanceof String) {
      BytesRef lo = lower == null ? null : new BytesRef((String) lower);
      BytesRef hi = upper == null ? null : new BytesRef((String) upper);
      return new TermRangeQuery(key, lo, hi, lowerInclusive, upperInclusive);
    }
    if (!(sample instanceof Number)) {
      throw unsupported(key, sample);
    }
    Number lo = number(key, lower);
    Number hi = number(key, upper);
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(guarded(key, DocumentCodec.INTEGRAL_TYPES, longRange(key, lo, lowerInclusive, hi, upperInclusive)), Occur.SHOULD);
    b.add(guarded(key, List.of(DocumentCodec.DOUBLE), doubleRange(key, lo, lowerInclusive, hi, upperInclusive, false)), Occur.SHOULD);
    b.add(guarded(key, List.of(DocumentCodec.FLOAT), doubleRange(key, lo, lowerInclusive, hi, upperInclusive, true)), Occur.SHOULD);
    return b.build();
  }

  private static Number number(String key, Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        throw new InvalidFilterException("filter on '" + key + "' compares with NaN");
      }
      return d;
    }
    throw unsupported(key, v);
  }

  /** Restricts {@code range} to records whose key has one of the given type tags. */
  private static Query guarded(String key, List<String> types, Query range) {
    List<BytesRef> tags = new ArrayList<>();
    for (String t : types) {
      tags.add(new BytesRef(DocumentCodec.tag(t, key)));
    }
    return new BooleanQuery.Builder()
        .add(new TermInSetQuery(DocumentCodec.TYPES_FIELD, tags), Occur.FILTER)
        .add(range, Occur.FILTER)
        .build();
  }

  private static Query longRange(String key, Number lo, boolean loInclusive, Number hi, boolean hiInclusive) {
    long min = Long.MIN_VALUE;
    long max = Long.MAX_VALUE;
    if (lo != null) {
      if (lo instanceof Long l) {
        if (!loInclusive) {
          if (l == Long.MAX_VALUE) {
            return new MatchNoDocsQuery("> Long.MAX_VALUE");
          }
          l++;
        }
        min = l;
      } else {
        // The smallest long above (or at) a fractional bound.
        double d = lo.doubleValue();
        double c = Math.ceil(d);
        if (c == d && !loInclusive) {
          c += 1;
        }
        if (c > Long.MAX_VALUE) {
          return new MatchNoDocsQuery("lower bound above every long");
        }
        min = c < Long.MIN_VALUE ? Long.MIN_VALUE : (long) c;
      }
    }
    if (hi != null) {
      if (hi instanceof Long l) {
        if (!hiInclusive) {
          if (l == Long.MIN_VALUE) {
            return new MatchNoDocsQuery("< Long.MIN_VALUE");
          }
          l--;
        }
        max = l;
      } else {
        double d = hi.doubleValue();
        double f = Math.floor(d);
        if (f == d && !hiInclusive) {
          f -= 1;
        }
        if (f < Long.MIN_VALUE) {
          return new MatchNoDocsQuery("upper bound below every long");
        }
        max = f > Long.MAX_VALUE ? Long.MAX_VALUE : (long) f;
      }
    }
    return LongPoint.newRangeQuery(key, min, max);
  }

  /**
   * A range over a double-encoded key. With {@code asFloat}, the bounds are rounded to float and
   * the exclusive steps are float steps, so that comparisons behave as on the caller's {@code
   * Float} values (stored widened to double, which is exact).
   */
  private static Query doubleRange(
      String key, Number lo, boolean loInclusive, Number hi, boolean hiInclusive, boolean asFloat) {
    double min = Double.NEGATIVE_INFINITY;
    double max = Double.POSITIVE_INFINITY;
    if (lo != null) {
      if (asFloat) {
        float f = lo.floatValue();
        min = loInclusive ? f : Math.nextUp(f);
      } else {
        double d = lo.doubleValue();
        min = loInclusive ? d : Math.nextUp(d);
      }
    }
    if (hi != null) {
      if (asFloat) {
        float f = hi.floatValue();
        max = hiInclusive ? f : Math.nextDown(f);
      } else {
        double d = hi.doubleValue();
        max = hiInclusive ? d : Math.nextDown(d);
      }
    }
    return DoublePoint.newRangeQuery(key, min, max);
  }

  private static InvalidFilterException unsupported(String key, Object v) {
    return new InvalidFilterException(
        "filter on '" + key + "' compares with " + v + " of type " + v.getClass().getName()
            + "; supported: String, Boolean, Integer, Long, Short, Byte, Float, Double");
  }
}
