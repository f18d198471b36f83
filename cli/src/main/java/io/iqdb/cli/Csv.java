package io.iqdb.cli;

import io.iqdb.Payload;
import io.iqdb.PayloadException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV (or TSV) input and output.
 *
 * <p>Cells follow RFC 4180: a cell may be quoted with {@code "}, a quote inside a quoted cell is
 * doubled, and a quoted cell may hold the separator (not a line break). The first row is a header
 * when its first cell is {@code id} or any later cell is not a number. Then:
 *
 * <ul>
 *   <li>With a header: the column named {@code id} (optional) holds the ids; of the other columns,
 *       those named {@code v0, v1, ...} form the vector or, if there are none, the first as many
 *       columns as the collection has dimensions (when the collection does not exist yet: the
 *       columns up to the first one that is not a number in the first data row); every remaining column is a
 *       payload field named by its header. Payload cells are typed: an integer becomes a long, a
 *       decimal number a double, {@code true}/{@code false} a boolean, anything else a string; an
 *       empty cell leaves the field out.
 *   <li>Without a header: every cell is a vector component, except that the first cell is the id
 *       when the first row's first cell is not a number.
 * </ul>
 */
final class Csv {

  private Csv() {}

  static List<InputRecord> read(Path file, char sep, long idStart, Integer dimension) throws IOException {
    List<InputRecord> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Layout layout = null;
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        List<String> cells;
        try {
          cells = split(line, sep);
        } catch (IllegalArgumentException e) {
          throw CliException.badInput(file + ": line " + lineNo + ": " + e.getMessage());
        }
        if (layout == null) {
          if (isHeader(cells)) {
            layout = Layout.fromHeader(cells, null, dimension);
            continue;
          }
          layout = Layout.headerless(cells);
        } else if (layout.pending) {
          layout = Layout.fromHeader(layout.header, cells, dimension);
        }
        try {
          out.add(layout.record(cells, idStart + out.size(), lineNo));
        } catch (RecordReaders.BadField e) {
          throw CliException.badInput(file + ": line " + lineNo + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  private static boolean isHeader(List<String> cells) {
    if (cells.get(0).strip().equalsIgnoreCase("id")) {
      return true;
    }
    for (int i = 1; i < cells.size(); i++) {
      if (!isNumber(cells.get(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a cell is a decimal number: optional sign, digits with an optional fraction, optional
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

  /** Which column is what; a header layout is finished by the first data row. */
  private record Layout(List<String> header, boolean pending, int idColumn, int[] vectorColumns, int[] payloadColumns) {

    static Layout headerless(List<String> firstRow) {
      boolean hasId = !isNumber(firstRow.get(0));
      int from = hasId ? 1 : 0;
      int[] vector = new int[firstRow.size() - from];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = from + i;
      }
      return new Layout(null, false, hasId ? 0 : -1, vector, new int[0]);
    }

    static Layout fromHeader(List<String> header, List<String> firstRow, Integer dimension) {
      int id = -1;
      for (int i = 0; i < header.size(); i++) {
        if (header.get(i).strip().equalsIgnoreCase("id")) {
          id = i;
        }
      }
      if (firstRow == null) {
        return new Layout(header, true, id, null, null);
      }
      List<Integer> vector = new ArrayList<>();
      for (int i = 0; i < header.size(); i++) {
        if (i != id && header.get(i).strip().matches("v[0-9]+")) {
          vector.add(i);
        }
      }
      if (vector.isEmpty()) {
        for (int i = 0; i < header.size() && i < firstRow.size(); i++) {
          if (i == id) {
            continue;
          }
          if (dimension != null ? vector.size() == dimension : !isNumber(firstRow.get(i))) {
            break;
          }
          vector.add(i);
        }
      }
      List<Integer> payload = new ArrayList<>();
      for (int i = 0; i < header.size(); i++) {
        if (i != id && !vector.contains(i)) {
          payload.add(i);
        }
      }
      return new Layout(header, false, id,
          vector.stream().mapToInt(Integer::intValue).toArray(),
          payload.stream().mapToInt(Integer::intValue).toArray());
    }

    InputRecord record(List<String> cells, long defaultId, int lineNo) throws RecordReaders.BadField {
      int expected = header != null ? header.size() : vectorColumns.length + (idColumn >= 0 ? 1 : 0);
      if (cells.size() != expected) {
        throw new RecordReaders.BadField("expected " + expected + " cells, found " + cells.size());
      }
      String id = idColumn >= 0 ? cells.get(idColumn).strip() : Long.toString(defaultId);
      float[] v = new float[vectorColumns.length];
      for (int i = 0; i < v.length; i++) {
        String cell = cells.get(vectorColumns[i]);
        if (!isNumber(cell)) {
          String column = header == null ? "column " + (vectorColumns[i] + 1) : "column '" + header.get(vectorColumns[i]).strip() + "'";
          throw new RecordReaders.BadField(column + " is not a number: '" + cell + "'");
        }
        v[i] = Float.parseFloat(cell.strip());
      }
      Payload.Builder p = Payload.builder();
      for (int c : payloadColumns) {
        String cell = cells.get(c);
        if (cell.isEmpty()) {
          continue;
        }
        try {
          p.put(header.get(c).strip(), typed(cell));
        } catch (PayloadException e) {
          throw new RecordReaders.BadField(e.getMessage());
        }
      }
      return new InputRecord(id, v, p.build(), "line " + lineNo);
    }
  }

  static Object typed(String cell) {
    String t = cell.strip();
    if (t.matches("[-+]?[0-9]{1,18}")) {
      return Long.parseLong(t);
    }
    if (isNumber(t)) {
      return Double.parseDouble(t);
    }
    if (t.equals("true") || t.equals("false")) {
      return Boolean.parseBoolean(t);
    }
    return cell;
  }

  /** Splits one line into cells; throws IllegalArgumentException for an unterminated quote. */
  static List<String> split(String line, char sep) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    int i = 0;
    while (true) {
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= line.length()) {
            throw new IllegalArgumentException("unterminated quoted cell " + (cells.size() + 1));
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < line.length() && line.charAt(i) == '"') {
              cell.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cell.append(c);
          }
        }
        if (i < line.length() && line.charAt(i) != sep) {
          throw new IllegalArgumentException("unexpected text after the closing quote of cell " + (cells.size() + 1));
        }
      } else {
        while (i < line.length() && line.charAt(i) != sep) {
          cell.append(line.charAt(i++));
        }
      }
      cells.add(cell.toString());
      cell.setLength(0);
      if (i >= line.length()) {
        return cells;
      }
      i++; // the separator
    }
  }

  /** A cell for output: quoted when it holds the separator, a quote, or surrounding spaces. */
  static String cell(String s, char sep) {
    if (s.indexOf(sep) >= 0 || s.indexOf('"') >= 0 || !s.equals(s.strip()) || s.indexOf('\n') >= 0) {
      return '"' + s.replace("\"", "\"\"").replace("\n", " ") + '"';
    }
    return s;
  }
}
