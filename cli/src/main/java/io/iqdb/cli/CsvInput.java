package io.iqdb.cli;

import io.iqdb.Payload;
import io.iqdb.PayloadException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * CSV (or TSV) input of {@code iqdb import}, parsed by Apache Commons CSV.
 *
 * <p>Cells follow RFC 4180: a cell may be quoted with {@code "}, a quote inside a quoted cell is
 * doubled, and a quoted cell may hold the separator and line breaks. The first row is a header
 * when its first cell is {@code id} or any later cell is not a number. Then:
 *
 * <ul>
 *   <li>With a header: the column named {@code id} (optional) holds the ids; of the other columns,
 *       those named {@code v0, v1, ...} form the vector or, if there are none, the first as many
 *       columns as the collection has dimensions (when the collection does not exist yet: the
 *       columns up to the first one that is not a number in the first data row); every remaining
 *       column is a payload field named by its header. Payload cells are typed: an integer becomes
 *       a long, a decimal number a double, {@code true}/{@code false} a boolean, anything else a
 *       string; an empty cell leaves the field out.
 *   <li>Without a header: every cell is a vector component, except that the first cell is the id
 *       when the first row's first cell is not a number.
 * </ul>
 *
 * <p>A record is named by the line it starts on.
 */
final class CsvInput {

  private CsvInput() {}

  /** The format: RFC 4180 with the given separator, blank lines skipped. */
  static CSVFormat format(char sep) {
    return CSVFormat.RFC4180.builder().setDelimiter(sep).setIgnoreEmptyLines(true).get();
  }

  /**
   * Streams a file's records to a sink, which may stop early.
   *
   * @param file the file
   * @param sep the separator
   * @param idStart the id of the first record, for files without an id column
   * @param dimension the collection's dimension, if known
   * @param sink receives each record
   */
  static void read(Path file, char sep, long idStart, Integer dimension, RecordReaders.Sink sink)
      throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.parse(skipBom(r), format(sep))) {
      Layout layout = null;
      long count = 0;
      long start = 1;
      Iterator<CSVRecord> it = parser.iterator();
      while (true) {
        CSVRecord record;
        try {
          if (!it.hasNext()) {
            return;
          }
          record = it.next();
        } catch (UncheckedIOException e) {
          // Commons CSV's message names the line where it gave up, e.g. an unterminated quote
          throw CliException.badInput(file + ": line " + start + ": " + e.getCause().getMessage());
        }
        long line = start;
        start = parser.getCurrentLineNumber() + 1;
        List<String> cells = record.toList();
        if (cells.size() == 1 && cells.get(0).isBlank()) {
          continue;
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
        InputRecord in;
        try {
          in = layout.record(cells, idStart + count, line);
        } catch (RecordReaders.BadField e) {
          throw CliException.badInput(file + ": line " + line + ": " + e.getMessage());
        }
        count++;
        if (!sink.accept(in)) {
          return;
        }
      }
    }
  }

  /** The reader without a leading byte order mark. */
  private static Reader skipBom(Reader r) throws IOException {
    PushbackReader in = new PushbackReader(r, 1);
    int first = in.read();
    if (first >= 0 && first != '\uFEFF') {
      in.unread(first);
    }
    return in;
  }

  private static boolean isHeader(List<String> cells) {
    if (cells.get(0).strip().equalsIgnoreCase("id")) {
      return true;
    }
    for (int i = 1; i < cells.size(); i++) {
      if (!Vectors.isNumber(cells.get(i))) {
        return true;
      }
    }
    return false;
  }

  /** Which column is what; a header layout is finished by the first data row. */
  private record Layout(List<String> header, boolean pending, int idColumn, int[] vectorColumns, int[] payloadColumns) {

    static Layout headerless(List<String> firstRow) {
      boolean hasId = !Vectors.isNumber(firstRow.get(0));
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
          if (dimension != null ? vector.size() == dimension : !Vectors.isNumber(firstRow.get(i))) {
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

    InputRecord record(List<String> cells, long defaultId, long lineNo) throws RecordReaders.BadField {
      int expected = header != null ? header.size() : vectorColumns.length + (idColumn >= 0 ? 1 : 0);
      if (cells.size() != expected) {
        throw new RecordReaders.BadField("expected " + expected + " cells, found " + cells.size());
      }
      String id = idColumn >= 0 ? cells.get(idColumn).strip() : Long.toString(defaultId);
      float[] v = new float[vectorColumns.length];
      for (int i = 0; i < v.length; i++) {
        String cell = cells.get(vectorColumns[i]);
        if (!Vectors.isNumber(cell)) {
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
    if (Vectors.isNumber(t)) {
      return Double.parseDouble(t);
    }
    if (t.equals("true") || t.equals("false")) {
      return Boolean.parseBoolean(t);
    }
    return cell;
  }
}
