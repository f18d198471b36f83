package io.iqdb.recovery;

import io.iqdb.Payload;
import io.iqdb.VectorRecord;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Short descriptions of the model-based test's values for failure messages: its inputs include
 * 40,000-character strings and 64 KiB payloads, which must not be printed whole.
 */
final class Text {
  private static final int MAX = 40;

  private Text() {}

  /** A string cut to a readable length, with its size when cut; unpaired surrogates escaped. */
  static String shorten(String s) {
    if (s == null) {
      return "null";
    }
    String head = s.length() <= MAX ? s : s.substring(0, MAX);
    StringBuilder b = new StringBuilder("\"");
    head.codePoints().forEach(cp -> {
      if (Character.isSurrogate((char) cp) || cp < 0x20) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04X", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    b.append('"');
    if (s.length() > MAX) {
      b.append("...(").append(s.length()).append(" chars)");
    }
    return b.toString();
  }

  static String describeValue(Object v) {
    return switch (v) {
      case null -> "null";
      case String s -> shorten(s);
      case List<?> l -> l.size() > 5
          ? "list of " + l.size() + " [" + describeValue(l.get(0)) + ", ...]"
          : l.stream().map(Text::describeValue).collect(Collectors.joining(", ", "[", "]"));
      case Number n -> n + (n instanceof Long ? "L" : n instanceof Integer ? "" : n instanceof Double ? "d" : "("
          + n.getClass().getSimpleName() + ")");
      default -> v + " (" + v.getClass().getSimpleName() + ")";
    };
  }

  static String describePayload(Payload p) {
    if (p == null) {
      return "null";
    }
    return describeMap(p.asMap());
  }

  static String describeMap(Map<?, ?> m) {
    if (m.size() > 6) {
      return "{" + m.size() + " fields}";
    }
    return m.entrySet().stream()
        .map(e -> describeValue(e.getKey()) + "=" + describeValue(e.getValue()))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  static String describeVector(float[] v) {
    if (v == null) {
      return "null";
    }
    if (v.length <= 4) {
      return java.util.Arrays.toString(v);
    }
    return "[" + v[0] + ", " + v[1] + ", ... (" + v.length + " dims)]";
  }

  static String describe(VectorRecord r) {
    return r == null ? "null" : "(" + shorten(r.id()) + ", " + describeVector(r.vector()) + ", " + describePayload(r.payload()) + ")";
  }

  static String describe(Throwable t) {
    String m = String.valueOf(t.getMessage());
    return t.getClass().getSimpleName() + ": " + (m.length() > 300 ? m.substring(0, 300) + "..." : m);
  }
}
