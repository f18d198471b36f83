package io.iqdb.langchain4j;

import static io.iqdb.langchain4j.SegmentPayloads.DOUBLE;
import static io.iqdb.langchain4j.SegmentPayloads.FLOAT;
import static io.iqdb.langchain4j.SegmentPayloads.INTEGER;
import static io.iqdb.langchain4j.SegmentPayloads.LONG;
import static io.iqdb.langchain4j.SegmentPayloads.STRING;
import static io.iqdb.langchain4j.SegmentPayloads.UUID_TAG;
import static io.iqdb.langchain4j.SegmentPayloads.field;

import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import io.iqdb.InvalidFilterException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Translates a LangChain4j metadata {@link Filter} into a Lucene query over the payload fields
 * that {@link SegmentPayloads} writes.
 *
 * <p>Semantics follow LangChain4j's own {@code Filter.test(Metadata)}: a comparison is false for a
 * segment without the key, and {@code IsNotEqualTo}, {@code IsNotIn} and {@code Not} are true for
 * it. Numbers of every type compare by value (the integer 1 equals the long 1, the double 1.0 and
 * the float 1.0f; a float by its decimal value, so {@code 1.1f} equals {@code 1.1}). Strings and
 * UUIDs compare as text (a UUID as its canonical lower-case form), in the order of Unicode code
 * points; this differs from {@code String.compareTo} only between characters above U+FFFF and
 * those from U+E000 to U+FFFF, and from {@code UUID.compareTo}, which compares signed longs.
 * Where LangChain4j would throw on a type mismatch (a number against a string), the comparison is
 * simply false. Lucene queries are used rather than {@link io.iqdb.Filter} because a query on a
 * field no record has matches nothing, where an iQDB filter fails.
 */
final class FilterTranslator {

  private enum Op { EQ, GT, GTE, LT, LTE }

  private FilterTranslator() {}

  /**
   * The Lucene query for a filter.
   *
   * @param filter the filter
   * @return the query
   * @throws InvalidFilterException for a filter class or a comparison value this store does not
   *     support, naming it
   */
  static Query toQuery(Filter filter) {
    return switch (filter) {
      case IsEqualTo f -> compare(f.key(), f.comparisonValue(), Op.EQ);
      case IsNotEqualTo f -> not(compare(f.key(), f.comparisonValue(), Op.EQ));
      case IsGreaterThan f -> compare(f.key(), f.comparisonValue(), Op.GT);
      case IsGreaterThanOrEqualTo f -> compare(f.key(), f.comparisonValue(), Op.GTE);
      case IsLessThan f -> compare(f.key(), f.comparisonValue(), Op.LT);
      case IsLessThanOrEqualTo f -> compare(f.key(), f.comparisonValue(), Op.LTE);
      case IsIn f -> in(f.key(), f.comparisonValues());
      case IsNotIn f -> not(in(f.key(), f.comparisonValues()));
      case ContainsString f -> contains(f.key(), f.comparisonValue());
      case And f -> new BooleanQuery.Builder()
          .add(toQuery(f.left()), Occur.FILTER)
          .add(toQuery(f.right()), Occur.FILTER)
          .build();
      case Or f -> any(List.of(toQuery(f.left()), toQuery(f.right())));
      case Not f -> not(toQuery(f.expression()));
      case null -> throw new InvalidFilterException("filter must not be null");
      default -> throw new InvalidFilterException(
          "unsupported LangChain4j filter " + filter.getClass().getName() + ": " + filter);
    };
  }

  private static Query compare(String key, Object value, Op op) {
    if (value instanceof String || value instanceof UUID) {
      String text = value.toString();
      return any(List.of(stringCompare(field(STRING, key), text, op), stringCompare(field(UUID_TAG, key), text, op)));
    }
    BigDecimal number = exactValue(key, value);
    return any(List.of(
        longCompare(field(INTEGER, key), number, op),
        longCompare(field(LONG, key), number, op),
        doubleCompare(field(FLOAT, key), number, op),
        doubleCompare(field(DOUBLE, key), number, op)));
  }

  private static Query stringCompare(String field, String text, Op op) {
    return switch (op) {
      case EQ -> new TermQuery(new Term(field, text));
      case GT -> TermRangeQuery.newStringRange(field, text, null, false, true);
      case GTE -> TermRangeQuery.newStringRange(field, text, null, true, true);
      case LT -> TermRangeQuery.newStringRange(field, null, text, true, false);
      case LTE -> TermRangeQuery.newStringRange(field, null, text, true, true);
    };
  }

  /**
   * A comparison value as an exact decimal. A float is taken as the double it is stored as, so that
   * stored floats and float comparison values meet on the same value.
   */
  private static BigDecimal exactValue(String key, Object value) {
    return switch (value) {
      case Integer i -> BigDecimal.valueOf(i);
      case Long l -> BigDecimal.valueOf(l);
      case Short s -> BigDecimal.valueOf(s);
      case Byte b -> BigDecimal.valueOf(b);
      case Float f -> exactDouble(key, SegmentPayloads.storedFloat(f));
      case Double d -> exactDouble(key, d);
      case BigDecimal d -> d;
      case BigInteger i -> new BigDecimal(i);
      default -> throw new InvalidFilterException(
          "filter on metadata key '" + key + "': unsupported comparison value " + value
              + " of type " + value.getClass().getName()
              + " (supported: String, UUID, Integer, Long, Float, Double)");
    };
  }

  private static BigDecimal exactDouble(String key, double d) {
    if (!Double.isFinite(d)) {
      throw new InvalidFilterException(
          "filter on metadata key '" + key + "': comparison value must be finite; got " + d);
    }
    return new BigDecimal(d);
  }

  /** Integer and long fields: the longs satisfying {@code field op value}. */
  private static Query longCompare(String field, BigDecimal value, Op op) {
    BigInteger lo = null;
    BigInteger hi = null;
    switch (op) {
      case EQ -> {
        if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
          return new MatchNoDocsQuery("no integer equals " + value);
        }
        lo = hi = value.toBigInteger();
      }
      case GT -> lo = floor(value).add(BigInteger.ONE);
      case GTE -> lo = ceil(value);
      case LT -> hi = ceil(value).subtract(BigInteger.ONE);
      case LTE -> hi = floor(value);
    }
    BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
    BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
    if ((lo != null && lo.compareTo(max) > 0) || (hi != null && hi.compareTo(min) < 0)) {
      return new MatchNoDocsQuery("no long is " + op + " " + value);
    }
    long from = lo == null ? Long.MIN_VALUE : lo.max(min).longValueExact();
    long to = hi == null ? Long.MAX_VALUE : hi.min(max).longValueExact();
    return LongPoint.newRangeQuery(field, from, to);
  }

  /** Float and double fields: the doubles satisfying {@code field op value}. */
  private static Query doubleCompare(String field, BigDecimal value, Op op) {
    // The nearest double (clamped to finite: every stored double is finite) and on which side of
    // the exact value it lies decide the inclusive bounds.
    double d = value.doubleValue();
    if (Double.isInfinite(d)) {
      d = Math.copySign(Double.MAX_VALUE, d);
    }
    int cmp = new BigDecimal(d).compareTo(value);
    double lo = Double.NEGATIVE_INFINITY;
    double hi = Double.POSITIVE_INFINITY;
    switch (op) {
      case EQ -> {
        if (cmp != 0) {
          return new MatchNoDocsQuery("no double equals " + value);
        }
        lo = hi = d;
      }
      case GT -> lo = cmp > 0 ? d : Math.nextUp(d);
      case GTE -> lo = cmp >= 0 ? d : Math.nextUp(d);
      case LT -> hi = cmp < 0 ? d : Math.nextDown(d);
      case LTE -> hi = cmp <= 0 ? d : Math.nextDown(d);
    }
    return doubleRange(field, lo, hi);
  }

  /**
   * An inclusive double range in which -0.0 and 0.0 are the same number (points order them, and a
   * metadata value may be either).
   */
  private static Query doubleRange(String field, double lo, double hi) {
    if (lo == 0) {
      lo = -0.0;
    }
    if (hi == 0) {
      hi = 0.0;
    }
    return DoublePoint.newRangeQuery(field, lo, hi);
  }

  private static Query in(String key, Collection<?> values) {
    List<BytesRef> texts = new ArrayList<>();
    TreeSet<Long> longs = new TreeSet<>();
    TreeSet<Double> doubles = new TreeSet<>();
    for (Object v : values) {
      if (v instanceof String || v instanceof UUID) {
        texts.add(new BytesRef(v.toString()));
        continue;
      }
      BigDecimal exact = exactValue(key, v);
      if (exact.signum() == 0 || exact.stripTrailingZeros().scale() <= 0) {
        BigInteger i = exact.toBigInteger();
        if (i.bitLength() < 64) {
          longs.add(i.longValueExact());
        }
      }
      double d = exact.doubleValue();
      if (Double.isFinite(d) && new BigDecimal(d).compareTo(exact) == 0) {
        if (d == 0) {
          doubles.add(-0.0);
          doubles.add(0.0);
        } else {
          doubles.add(d);
        }
      }
    }
    List<Query> clauses = new ArrayList<>();
    if (!texts.isEmpty()) {
      clauses.add(new TermInSetQuery(field(STRING, key), texts));
      clauses.add(new TermInSetQuery(field(UUID_TAG, key), texts));
    }
    if (!longs.isEmpty()) {
      long[] set = longs.stream().mapToLong(Long::longValue).toArray();
      clauses.add(LongPoint.newSetQuery(field(INTEGER, key), set));
      clauses.add(LongPoint.newSetQuery(field(LONG, key), set));
    }
    if (!doubles.isEmpty()) {
      double[] set = doubles.stream().mapToDouble(Double::doubleValue).toArray();
      clauses.add(DoublePoint.newSetQuery(field(FLOAT, key), set));
      clauses.add(DoublePoint.newSetQuery(field(DOUBLE, key), set));
    }
    return clauses.isEmpty() ? new MatchNoDocsQuery("no value can equal " + values) : any(clauses);
  }

  private static Query contains(String key, String text) {
    StringBuilder pattern = new StringBuilder(text.length() + 2).append(WildcardQuery.WILDCARD_STRING);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == WildcardQuery.WILDCARD_STRING || c == WildcardQuery.WILDCARD_CHAR || c == WildcardQuery.WILDCARD_ESCAPE) {
        pattern.append(WildcardQuery.WILDCARD_ESCAPE);
      }
      pattern.append(c);
    }
    pattern.append(WildcardQuery.WILDCARD_STRING);
    try {
      return any(List.of(
          new WildcardQuery(new Term(field(STRING, key), pattern.toString())),
          new WildcardQuery(new Term(field(UUID_TAG, key), pattern.toString()))));
    } catch (TooComplexToDeterminizeException e) {
      // the substring automaton grows with the value; Lucene caps the work to build it
      throw new InvalidFilterException(
          "filter on metadata key '" + key + "': containsString value of " + text.length()
              + " characters is too long to match as a substring", e);
    }
  }

  private static Query any(List<Query> queries) {
    BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
    for (Query q : queries) {
      b.add(q, Occur.SHOULD);
    }
    return b.build();
  }

  private static Query not(Query q) {
    return new BooleanQuery.Builder()
        .add(MatchAllDocsQuery.INSTANCE, Occur.FILTER)
        .add(q, Occur.MUST_NOT)
        .build();
  }

  private static BigInteger floor(BigDecimal v) {
    return v.setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
  }

  private static BigInteger ceil(BigDecimal v) {
    return v.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
  }
}
