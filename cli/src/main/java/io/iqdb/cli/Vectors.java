package io.iqdb.cli;

import java.util.ArrayList;
import java.util.List;

/** Vector literals on the command line: {@code [0.1, 0.2]}, {@code 0.1,0.2} or {@code "0.1 0.2"}. */
final class Vectors {
  private Vectors() {}

  static float[] parse(String literal) {
    String s = literal.strip();
    if (s.startsWith("[")) {
      if (!s.endsWith("]")) {
        throw CliException.badInput("bad vector '" + abbreviate(literal) + "': missing the closing ']'");
      }
      s = s.substring(1, s.length() - 1);
    }
    List<String> parts = new ArrayList<>();
    for (String p : s.split("[,\\s]+")) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    if (parts.isEmpty()) {
      throw CliException.badInput("bad vector '" + abbreviate(literal) + "': no components");
    }
    float[] v = new float[parts.size()];
    for (int i = 0; i < v.length; i++) {
      if (!isNumber(parts.get(i))) {
        throw CliException.badInput("bad vector: component " + i + " is not a number: '" + parts.get(i) + "'");
      }
      v[i] = Float.parseFloat(parts.get(i));
    }
    return v;
  }

  /** A vector for a table: all components up to {@code max}, then how many more. */
  static String format(float[] v, int max) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length && i < max; i++) {
      b.append(i > 0 ? ", " : "").append(v[i]);
    }
    if (v.length > max) {
      b.append(", ... (").append(v.length - max).append(" more)");
    }
    return b.append(']').toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  /**
   * Whether a text is a decimal number: optional sign, digits with an optional fraction, optional
   * exponent; surrounding whitespace allowed. Hand-written because it runs once per cell, and
   * {@code Double.parseDouble} alone would also take "NaN", "Infinity" and "1f".
   */
  static boolean isNumber(String s) {
    int i = 0;
    int n = s.length();
    while (i < n && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    while (n > i && Character.isWhitespace(s.charAt(n - 1))) {
      n--;
    }
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exp = 0;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        exp++;
      }
      if (exp == 0) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
