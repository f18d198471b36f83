package io.iqdb;

import java.util.ArrayList;
import java.util.Arrays;
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
    return new Eq(field, value);
  }

  /**
   * Field equals any of the values.
   *
   * @param field the field
   * @param values the values, all of one type
   * @return the filter
   */
  static Filter in(String field, Object... values) {
    if (values == null) {
      throw new InvalidFilterException("values must not be null");
    }
    return new In(field, Arrays.asList(values));
  }

  /**
   * Field equals any of the values.
   *
   * @param field the field
   * @param values the values, all of one type
   * @return the filter
   */
  static Filter in(String field, List<?> values) {
    return new In(field, values == null ? null : new ArrayList<Object>(values));
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
    return new And(filters == null ? null : Arrays.asList(filters));
  }

  /**
   * Any of the filters holds.
   *
   * @param filters the filters
   * @return the filter
   */
  static Filter anyOf(Filter... filters) {
    return new Or(filters == null ? null : Arrays.asList(filters));
  }

  /**
   * This filter and another.
   *
   * @param other the other filter
   * @return the conjunction
   */
  default Filter and(Filter other) {
    if (other == null) {
      throw new InvalidFilterException("other must not be null");
    }
    return new And(Arrays.asList(this, other));
  }

  /**
   * This filter or another.
   *
   * @param other the other filter
   * @return the disjunction
   */
  default Filter or(Filter other) {
    if (other == null) {
      throw new InvalidFilterException("other must not be null");
    }
    return new Or(Arrays.asList(this, other));
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
  record Eq(String field, Object value) implements Filter {
    /**
     * Validates and normalizes the value as {@link Payload} does (ints widened to long, floats to
     * double).
     *
     * @param field the field
     * @param value the value
     */
    public Eq {
      checkField(field);
      value = normalize(field, value, "value");
    }
  }

  /**
   * Field equals any value.
   *
   * @param field the field
   * @param values the normalized values
   */
  record In(String field, List<Object> values) implements Filter {
    /**
     * Validates and normalizes the values as {@link Payload} does; the list is copied.
     *
     * @param field the field
     * @param values the values
     */
    public In {
      checkField(field);
      if (values == null) {
        throw new InvalidFilterException("values must not be null");
      }
      List<Object> normalized = new ArrayList<>(values.size());
      for (Object v : values) {
        normalized.add(normalize(field, v, "an element of values"));
      }
      values = List.copyOf(normalized);
    }
  }

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
      checkField(field);
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
  record Exists(String field) implements Filter {
    /**
     * Validates.
     *
     * @param field the field
     */
    public Exists {
      checkField(field);
    }
  }

  /**
   * Conjunction.
   *
   * @param filters the operands
   */
  record And(List<Filter> filters) implements Filter {
    /**
     * Validates; the list is copied.
     *
     * @param filters the operands
     */
    public And {
      filters = operands(filters);
    }
  }

  /**
   * Disjunction.
   *
   * @param filters the operands
   */
  record Or(List<Filter> filters) implements Filter {
    /**
     * Validates; the list is copied.
     *
     * @param filters the operands
     */
    public Or {
      filters = operands(filters);
    }
  }

  /**
   * Negation.
   *
   * @param filter the operand
   */
  record Not(Filter filter) implements Filter {
    /**
     * Validates.
     *
     * @param filter the operand
     */
    public Not {
      if (filter == null) {
        throw new InvalidFilterException("filter must not be null");
      }
    }
  }

  private static void checkField(String field) {
    if (field == null || field.isEmpty()) {
      throw new InvalidFilterException("field must be a non-empty field name; field=" + field);
    }
  }

  private static Object normalize(String field, Object value, String what) {
    if (value == null) {
      throw new InvalidFilterException("filter on '" + field + "': " + what + " must not be null");
    }
    try {
      return Payload.normalize(field, value);
    } catch (PayloadException e) {
      throw new InvalidFilterException("filter on '" + field + "': " + e.getMessage());
    }
  }

  private static List<Filter> operands(List<Filter> filters) {
    if (filters == null) {
      throw new InvalidFilterException("filters must not be null");
    }
    for (int i = 0; i < filters.size(); i++) {
      if (filters.get(i) == null) {
        throw new InvalidFilterException("filters must not hold null; element " + i + " is null");
      }
    }
    return List.copyOf(filters);
  }
}
