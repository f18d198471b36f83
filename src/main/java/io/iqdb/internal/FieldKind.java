package io.iqdb.internal;

import java.util.List;

/**
 * The type of a payload field, fixed per collection by the first record that uses it. Recorded in
 * each Lucene field's attributes under {@link #ATTRIBUTE} by its {@link #code}, so that it survives
 * reopening.
 */
public enum FieldKind {
  /** A string: indexed as a keyword (term + sorted-set doc values). */
  KEYWORD("keyword"),
  /** A 64-bit integer: points + sorted-numeric doc values. */
  LONG("long"),
  /** A double: points + sorted-numeric doc values of its sortable bits. */
  DOUBLE("double"),
  /** A boolean: a keyword "true" or "false". */
  BOOLEAN("boolean"),
  /** A list of strings: one keyword per element. */
  KEYWORD_LIST("keyword_list");

  /** The Lucene field attribute that records the kind. */
  public static final String ATTRIBUTE = "iqdb.kind";

  /** The stable code written to the index; never the ordinal. */
  public final String code;

  FieldKind(String code) {
    this.code = code;
  }

  /**
   * The kind of a normalized payload value.
   *
   * @param value the value
   * @return its kind
   */
  public static FieldKind of(Object value) {
    return switch (value) {
      case String s -> KEYWORD;
      case Long l -> LONG;
      case Double d -> DOUBLE;
      case Boolean b -> BOOLEAN;
      case List<?> l -> KEYWORD_LIST;
      default -> throw new IllegalArgumentException("not a payload value: " + value);
    };
  }

  /**
   * The kind with a code.
   *
   * @param code the code
   * @return the kind, or {@code null} if unknown
   */
  public static FieldKind fromCode(String code) {
    for (FieldKind k : values()) {
      if (k.code.equals(code)) {
        return k;
      }
    }
    return null;
  }

  /**
   * Whether values of this kind are keywords (terms).
   *
   * @return true for keyword kinds
   */
  public boolean isKeyword() {
    return this == KEYWORD || this == BOOLEAN || this == KEYWORD_LIST;
  }
}
