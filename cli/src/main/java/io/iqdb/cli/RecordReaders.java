package io.iqdb.cli;

import io.iqdb.Payload;
import io.iqdb.PayloadException;
import io.iqdb.cli.data.VectorFiles;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads the input formats of {@code iqdb import} into {@link InputRecord}s, streaming: a reader
 * hands one record at a time to a {@link Sink} and holds no more than one record (the idx reader
 * also holds the labels, one int per image). Reading a file again gives the same records, which
 * lets an import check the whole file before it writes anything and then write it in a second
 * pass. A reader fails on the first bad line or record with a {@link CliException} of {@link
 * ExitCode#BAD_INPUT} that names the file, the line or record number, and the reason.
 *
 * <p>Formats without ids (fvecs, ivecs, bvecs, npy, idx, CSV without an id column) number their
 * records from {@code idStart}: the first record gets id {@code idStart}, as a decimal string.
 */
final class RecordReaders {

  /** The input formats, chosen by file name unless given with {@code --format}. */
  enum Format {
    fvecs,
    ivecs,
    bvecs,
    npy,
    jsonl,
    csv,
    tsv,
    idx
  }

  private RecordReaders() {}

  /** Receives the records of a file one at a time. */
  @FunctionalInterface
  interface Sink {
    /**
     * Receives the next record.
     *
     * @return true to go on, false to stop reading
     */
    boolean accept(InputRecord record);
  }

  /** The format a file name implies, or a bad-input error listing the known extensions. */
  static Format detect(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String base = n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    if (base.contains("-idx") || base.endsWith(".idx") || base.endsWith("-ubyte")) {
      return Format.idx;
    }
    int dot = base.lastIndexOf('.');
    String ext = dot < 0 ? "" : base.substring(dot + 1);
    return switch (ext) {
      case "fvecs" -> Format.fvecs;
      case "ivecs" -> Format.ivecs;
      case "bvecs" -> Format.bvecs;
      case "npy" -> Format.npy;
      case "jsonl", "ndjson", "json" -> Format.jsonl;
      case "csv" -> Format.csv;
      case "tsv" -> Format.tsv;
      default -> throw CliException.badInput(
          "cannot tell the format of " + file + " from its name; use --format with one of "
              + "fvecs, ivecs, bvecs, npy, jsonl, csv, tsv, idx");
    };
  }

  /**
   * Streams a file's records to a sink.
   *
   * @param file the file
   * @param format its format
   * @param idStart the id of the first record, for formats without ids
   * @param labels for idx images: an idx1 labels file whose values become payload field {@code
   *     label}; {@code null} to look for the matching {@code *-labels-idx1-ubyte[.gz]} beside it
   * @param dimension the collection's dimension if known, else {@code null}: it tells a CSV header's
   *     vector columns from its numeric payload columns
   * @param sink receives each record until it returns false
   */
  static void read(Path file, Format format, long idStart, Path labels, Integer dimension, Sink sink) {
    if (!Files.isRegularFile(file)) {
      throw CliException.badInput("no such input file: " + file);
    }
    try {
      switch (format) {
        case fvecs -> VectorFiles.forEachFvecs(file, numbered(idStart, null, sink));
        case ivecs -> VectorFiles.forEachIvecsAsFloats(file, numbered(idStart, null, sink));
        case bvecs -> readBvecs(file, numbered(idStart, null, sink));
        case npy -> readNpy(file, numbered(idStart, null, sink));
        case idx -> readIdx(file, idStart, labels, sink);
        case jsonl -> readJsonLines(file, idStart, sink);
        case csv -> CsvInput.read(file, ',', idStart, dimension, sink);
        case tsv -> CsvInput.read(file, '\t', idStart, dimension, sink);
      }
    } catch (NoSuchFileException e) {
      throw CliException.badInput("no such input file: " + e.getFile());
    } catch (IOException e) {
      // The vector file readers name the file and the problem in their messages.
      throw new CliException(ExitCode.BAD_INPUT, "cannot read " + format + " file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Numbers vectors from {@code idStart} and names them "record N"; labels become payload. */
  private static VectorFiles.VectorVisitor numbered(long idStart, int[] labels, Sink sink) {
    long[] i = {0};
    return v -> {
      Payload p = labels == null ? Payload.empty() : Payload.of("label", labels[(int) i[0]]);
      InputRecord r = new InputRecord(Long.toString(idStart + i[0]), v, p, "record " + (i[0] + 1));
      i[0]++;
      return sink.accept(r);
    };
  }

  // ---- idx ----

  private static void readIdx(Path file, long idStart, Path labels, Sink sink) throws IOException {
    String name = file.getFileName().toString();
    if (name.contains("labels-idx1")) {
      throw CliException.badInput(file + " is an idx1 labels file; import the images file (idx3) instead");
    }
    Path labelFile = labels;
    if (labelFile == null && name.contains("images-idx3")) {
      Path sibling = file.resolveSibling(name.replace("images-idx3", "labels-idx1"));
      labelFile = Files.isRegularFile(sibling) ? sibling : null;
    }
    int[] labelValues = labelFile == null ? null : VectorFiles.readIdxLabels(labelFile);
    long[] seen = {0};
    VectorFiles.VectorVisitor numbered = numbered(idStart, labelValues, sink);
    Path finalLabels = labelFile;
    int images = VectorFiles.forEachIdxImage(file, v -> {
      if (labelValues != null && seen[0] >= labelValues.length) {
        throw mismatch(finalLabels, labelValues.length, file);
      }
      seen[0]++;
      return numbered.visit(v);
    });
    if (labelValues != null && labelValues.length != images) {
      throw mismatch(labelFile, labelValues.length, file);
    }
  }

  private static CliException mismatch(Path labelFile, int labels, Path file) {
    return CliException.badInput("labels file " + labelFile + " has " + labels + " labels but " + file
        + " has a different number of images");
  }

  // ---- bvecs ----

  /** {@code .bvecs}: per record an int32 little-endian dimension, then that many unsigned bytes. */
  static void readBvecs(Path file, VectorFiles.VectorVisitor visitor) throws IOException {
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      byte[] header = new byte[4];
      int dim0 = -1;
      for (int record = 1; ; record++) {
        int n = in.readNBytes(header, 0, 4);
        if (n == 0) {
          break;
        }
        if (n < 4) {
          throw CliException.badInput(file + ": record " + record + " is truncated in its dimension field");
        }
        int dim = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (dim <= 0 || dim > 1 << 20) {
          throw CliException.badInput(file + ": record " + record + " has an invalid dimension " + dim);
        }
        if (dim0 >= 0 && dim != dim0) {
          throw CliException.badInput(
              file + ": record " + record + " has dimension " + dim + " but record 1 has " + dim0);
        }
        dim0 = dim;
        byte[] bytes = in.readNBytes(dim);
        if (bytes.length < dim) {
          throw CliException.badInput(file + ": record " + record + " is truncated (" + bytes.length + " of " + dim + " bytes)");
        }
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
          v[i] = bytes[i] & 0xFF;
        }
        if (!visitor.visit(v)) {
          return;
        }
      }
    }
  }

  // ---- npy ----

  private static final Pattern NPY_DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern NPY_FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern NPY_SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /**
   * NumPy {@code .npy}, versions 1 to 3: magic {@code \x93NUMPY}, major and minor version bytes, a
   * little-endian header length (uint16 in version 1, uint32 later), a Python dict literal with
   * {@code descr}, {@code fortran_order} and {@code shape}, then the data. Accepted: a 2-d (or 1-d:
   * one vector) C-order array of little-endian float32 ({@code <f4}) or float64 ({@code <f8}).
   */
  static void readNpy(Path file, VectorFiles.VectorVisitor visitor) throws IOException {
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      byte[] magic = new byte[6];
      in.readFully(magic);
      if ((magic[0] & 0xFF) != 0x93 || !new String(magic, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
        throw CliException.badInput(file + " is not a .npy file (bad magic)");
      }
      int major = in.readUnsignedByte();
      in.readUnsignedByte();
      int headerLength;
      if (major == 1) {
        headerLength = in.readUnsignedByte() | in.readUnsignedByte() << 8;
      } else if (major == 2 || major == 3) {
        headerLength = Integer.reverseBytes(in.readInt());
      } else {
        throw CliException.badInput(file + ": unsupported .npy version " + major);
      }
      if (headerLength < 0 || headerLength > 1 << 20) {
        throw CliException.badInput(file + ": bad .npy header length " + headerLength);
      }
      byte[] headerBytes = new byte[headerLength];
      in.readFully(headerBytes);
      String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      String descr = group(NPY_DESCR, header, file, "descr");
      if (group(NPY_FORTRAN, header, file, "fortran_order").equals("True")) {
        throw CliException.badInput(file + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
      }
      String[] dims = group(NPY_SHAPE, header, file, "shape").split(",");
      List<Long> shape = new ArrayList<>();
      for (String d : dims) {
        if (!d.isBlank()) {
          shape.add(Long.parseLong(d.strip()));
        }
      }
      long rows;
      long cols;
      if (shape.size() == 2) {
        rows = shape.get(0);
        cols = shape.get(1);
      } else if (shape.size() == 1) {
        rows = 1;
        cols = shape.get(0);
      } else {
        throw CliException.badInput(file + ": expected a 2-d array (vectors x dimensions); shape is " + shape);
      }
      int width = switch (descr) {
        case "<f4" -> 4;
        case "<f8" -> 8;
        default -> throw CliException.badInput(
            file + ": unsupported dtype '" + descr + "' (expected float32 '<f4' or float64 '<f8')");
      };
      if (cols <= 0 || rows < 0 || rows * cols > Integer.MAX_VALUE) {
        throw CliException.badInput(file + ": unsupported shape " + shape);
      }
      byte[] row = new byte[(int) cols * width];
      for (int r = 0; r < rows; r++) {
        try {
          in.readFully(row);
        } catch (EOFException e) {
          throw CliException.badInput(file + ": truncated at vector " + (r + 1) + " of " + rows);
        }
        ByteBuffer bb = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[(int) cols];
        for (int c = 0; c < cols; c++) {
          v[c] = width == 4 ? bb.getFloat() : (float) bb.getDouble();
        }
        if (!visitor.visit(v)) {
          return;
        }
      }
    } catch (EOFException e) {
      throw CliException.badInput(file + ": truncated .npy header");
    } catch (NumberFormatException e) {
      throw CliException.badInput(file + ": bad shape in the .npy header");
    }
  }

  private static String group(Pattern p, String header, Path file, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw CliException.badInput(file + ": the .npy header has no '" + key + "'");
    }
    return m.group(1);
  }

  // ---- JSON Lines ----

  /** Jackson's streaming parser; a factory is thread-safe and cheap to share. */
  private static final JsonFactory JSON = JsonFactory.builder().build();

  /**
   * JSON Lines: one object per line, {@code {"id": "a1", "vector": [0.1, ...], "payload": {...}}}.
   * {@code id} is a string or an integer (default: the record's number from {@code idStart});
   * {@code payload} is optional; blank lines are skipped.
   */
  static void readJsonLines(Path file, long idStart, Sink sink) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      long count = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        InputRecord record;
        try {
          record = jsonRecord(line, idStart + count, "line " + lineNo);
        } catch (JacksonException e) {
          String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
          throw CliException.badInput(file + ": line " + lineNo + ": invalid JSON" + at + ": " + e.getOriginalMessage());
        } catch (BadField e) {
          throw CliException.badInput(file + ": line " + lineNo + ": " + e.getMessage());
        }
        count++;
        if (!sink.accept(record)) {
          return;
        }
      }
    }
  }

  /** A bad field in an otherwise well-formed record; the message says which and why. */
  static final class BadField extends Exception {
    private static final long serialVersionUID = 1L;

    BadField(String message) {
      super(message);
    }
  }

  /** One record from one line, token by token: no tree of the line is built. */
  static InputRecord jsonRecord(String line, long defaultId, String where) throws BadField {
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadField("expected a JSON object {\"id\": ..., \"vector\": [...], \"payload\": {...}}");
      }
      String id = Long.toString(defaultId);
      float[] vector = null;
      Payload payload = Payload.empty();
      for (String key = p.nextName(); key != null; key = p.nextName()) {
        JsonToken t = p.nextToken();
        switch (key) {
          case "id" -> id = switch (t) {
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> {
              if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new BadField("\"id\" " + p.getString() + " is too large for an integer id; quote it");
              }
              yield Long.toString(p.getLongValue());
            }
            default -> throw new BadField("\"id\" must be a string or an integer; got " + p.getString());
          };
          case "vector" -> vector = jsonVector(p, t);
          case "payload" -> payload = jsonPayload(p, t);
          default -> throw new BadField("unknown key \"" + key + "\" (expected id, vector, payload)");
        }
      }
      if (p.nextToken() != null) {
        throw new BadField("text after the object");
      }
      if (vector == null) {
        throw new BadField("missing \"vector\"");
      }
      return new InputRecord(id, vector, payload, where);
    }
  }

  private static float[] jsonVector(JsonParser p, JsonToken t) throws BadField {
    if (t != JsonToken.START_ARRAY) {
      throw new BadField("\"vector\" must be an array of numbers");
    }
    float[] out = new float[64];
    int n = 0;
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (!e.isNumeric()) {
        throw new BadField("\"vector\"[" + n + "] is not a number: " + shown(p, e));
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, 2 * n);
      }
      out[n++] = p.getFloatValue();
    }
    return Arrays.copyOf(out, n);
  }

  private static Payload jsonPayload(JsonParser p, JsonToken t) throws BadField {
    if (t != JsonToken.START_OBJECT) {
      throw new BadField("\"payload\" must be an object");
    }
    Payload.Builder b = Payload.builder();
    for (String field = p.nextName(); field != null; field = p.nextName()) {
      JsonToken v = p.nextToken();
      Object value = switch (v) {
        case VALUE_STRING -> p.getString();
        case VALUE_NUMBER_INT -> {
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new BadField("payload field '" + field + "' is " + p.getString() + ", beyond a 64-bit integer");
          }
          yield p.getLongValue();
        }
        case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
        case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
        case VALUE_NULL -> throw new BadField("payload field '" + field + "' is null (leave it out instead)");
        case START_ARRAY -> jsonList(p, field);
        default -> throw new BadField("payload field '" + field
            + "' is an object; values are strings, numbers, booleans or lists of strings");
      };
      try {
        b.put(field, value);
      } catch (PayloadException ex) {
        throw new BadField(ex.getMessage());
      }
    }
    return b.build();
  }

  /** A payload list; the payload itself refuses elements that are not strings. */
  private static List<Object> jsonList(JsonParser p, String field) throws BadField {
    List<Object> out = new ArrayList<>();
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      switch (e) {
        case VALUE_STRING -> out.add(p.getString());
        case VALUE_NUMBER_INT -> out.add(p.getLongValue());
        case VALUE_NUMBER_FLOAT -> out.add(p.getDoubleValue());
        case VALUE_TRUE, VALUE_FALSE -> out.add(p.getBooleanValue());
        default -> throw new BadField("payload field '" + field + "' holds " + shown(p, e)
            + "; a list holds strings");
      }
    }
    return out;
  }

  /** A token as the user wrote it, for messages. */
  private static String shown(JsonParser p, JsonToken t) {
    return switch (t) {
      case VALUE_STRING -> "\"" + p.getString() + "\"";
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      default -> p.getString();
    };
  }
}
