package io.iqdb;

import java.util.ArrayList;
import java.util.List;

/**
 * A condition on payload fields that hits must satisfy. Combine with {@link #and}, {@link #or} and
 * {@link #not}:
 *
 * <pre>{@code
 * Filter.eq("lang", "en").and(Filter.range("year", 2020, 2025)).and(Filter.exists("title").not())
 * }</pre>
 *
 * <p>A filter naming a field that no record of the collection has, or comparing a field with a value
 * of another type, fails with {@link InvalidFilterException} when the search runs. On a keyword
 * list field, {@code eq} and {@code in} match if any element matches. For the filtered search to
 * return k hits, approximate indices widen their search until k accepted hits are found.
 */
public sealed interface Filter
    permits Filter.Eq, Filter.In, Filter.Range, Filter.Exists, Filter.And, Filter.Or, Filter.Not {

  /**
   * Field equals value.
   *
   * @param field the field
   * @param value a String, Long/Integer, Double, or Boolean
   * @return the filter
   */
  static Filter eq(String field, Object value) {
    return new Eq(field, Payload.normalize(field, value));
  }

  /**
   * Field equals any of the values.
   *
   * @param field the field
   * @param values the values, all of one type
   * @return the filter
   */
  static Filter in(String field, Object... values) {
    return in(field, List.of(values));
  }

  /**
   * Field equals any of the values.
   *
   * @param field the field
   * @param values the values, all of one type
   * @return the filter
   */
  static Filter in(String field, List<?> values) {
    List<Object> normalized = new ArrayList<>(values.size());
    for (Object v : values) {
      normalized.add(Payload.normalize(field, v));
    }
    return new In(field, List.copyOf(normalized));
  }

  /**
   * Numeric field within {@code [min, max]}, both ends inclusive.
   *
   * @param field a long or double field
   * @param min the lower bound, or {@code null} for none
   * @param max the upper bound, or {@code null} for none
   * @return the filter
   */
  static Filter range(String field, Number min, Number max) {
    return new Range(field, min, max);
  }

  /**
   * The record has the field.
   *
   * @param field the field
   * @return the filter
   */
  static Filter exists(String field) {
    return new Exists(field);
  }

  /**
   * All of the filters hold.
   *
   * @param filters the filters
   * @return the filter
   */
  static Filter allOf(Filter... filters) {
    return new And(List.of(filters));
  }

  /**
   * Any of the filters holds.
   *
   * @param filters the filters
   * @return the filter
   */
  static Filter anyOf(Filter... filters) {
    return new Or(List.of(filters));
  }

  /**
   * This filter and another.
   *
   * @param other the other filter
   * @return the conjunction
   */
  default Filter and(Filter other) {
    return new And(List.of(this, other));
  }

  /**
   * This filter or another.
   *
   * @param other the other filter
   * @return the disjunction
   */
  default Filter or(Filter other) {
    return new Or(List.of(this, other));
  }

  /**
   * The negation of this filter. A record without the field matches {@code eq(f, v).not()}.
   *
   * @return the negation
   */
  default Filter not() {
    return new Not(this);
  }

  /**
   * Field equals value.
   *
   * @param field the field
   * @param value the normalized value
   */
  record Eq(String field, Object value) implements Filter {}

  /**
   * Field equals any value.
   *
   * @param field the field
   * @param values the normalized values
   */
  record In(String field, List<Object> values) implements Filter {}

  /**
   * Numeric range, inclusive.
   *
   * @param field the field
   * @param min lower bound or {@code null}
   * @param max upper bound or {@code null}
   */
  record Range(String field, Number min, Number max) implements Filter {
    /**
     * Validates.
     *
     * @param field the field
     * @param min lower bound or {@code null}
     * @param max upper bound or {@code null}
     */
    public Range {
      if (min == null && max == null) {
        throw new InvalidFilterException("range on '" + field + "' needs at least one bound");
      }
      for (Number n : new Number[] {min, max}) {
        if (n != null && !(n instanceof Long || n instanceof Integer || n instanceof Short
            || n instanceof Byte || n instanceof Double || n instanceof Float)) {
          throw new InvalidFilterException(
              "range on '" + field + "': bounds must be Long, Integer, Double or Float; got " + n.getClass().getName());
        }
        if (n instanceof Double || n instanceof Float) {
          if (Double.isNaN(n.doubleValue())) {
            throw new InvalidFilterException("range on '" + field + "': bound is NaN");
          }
        }
      }
    }
  }

  /**
   * Field present.
   *
   * @param field the field
   */
  record Exists(String field) implements Filter {}

  /**
   * Conjunction.
   *
   * @param filters the operands
   */
  record And(List<Filter> filters) implements Filter {}

  /**
   * Disjunction.
   *
   * @param filters the operands
   */
  record Or(List<Filter> filters) implements Filter {}

  /**
   * Negation.
   *
   * @param filter the operand
   */
  record Not(Filter filter) implements Filter {}
}
