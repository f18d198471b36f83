package io.iqdb.cli;

import io.iqdb.Payload;
import io.iqdb.PayloadException;
import io.iqdb.bench.data.VectorFiles;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the input formats of {@code iqdb import} into {@link InputRecord}s. Every reader reads the
 * whole file and fails on the first bad line or record with a {@link CliException} of {@link
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
   * Reads a file.
   *
   * @param file the file
   * @param format its format
   * @param idStart the id of the first record, for formats without ids
   * @param labels for idx images: an idx1 labels file whose values become payload field {@code
   *     label}; {@code null} to look for the matching {@code *-labels-idx1-ubyte[.gz]} beside it
   * @param dimension the collection's dimension if known, else {@code null}: it tells a CSV header's
   *     vector columns from its numeric payload columns
   */
  static List<InputRecord> read(Path file, Format format, long idStart, Path labels, Integer dimension) {
    if (!Files.isRegularFile(file)) {
      throw CliException.badInput("no such input file: " + file);
    }
    try {
      return switch (format) {
        case fvecs -> numbered(VectorFiles.readFvecs(file), idStart, null);
        case ivecs -> numbered(toFloats(VectorFiles.readIvecs(file)), idStart, null);
        case bvecs -> numbered(readBvecs(file), idStart, null);
        case npy -> numbered(readNpy(file), idStart, null);
        case idx -> readIdx(file, idStart, labels);
        case jsonl -> readJsonLines(file, idStart);
        case csv -> Csv.read(file, ',', idStart, dimension);
        case tsv -> Csv.read(file, '\t', idStart, dimension);
      };
    } catch (NoSuchFileException e) {
      throw CliException.badInput("no such input file: " + e.getFile());
    } catch (IOException e) {
      // The benchmark readers name the file and the problem in their messages.
      throw new CliException(ExitCode.BAD_INPUT, "cannot read " + format + " file " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<InputRecord> numbered(float[][] vectors, long idStart, int[] labels) {
    List<InputRecord> out = new ArrayList<>(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      Payload p = labels == null ? Payload.empty() : Payload.of("label", labels[i]);
      out.add(new InputRecord(Long.toString(idStart + i), vectors[i], p, "record " + (i + 1)));
    }
    return out;
  }

  private static float[][] toFloats(int[][] ints) {
    float[][] out = new float[ints.length][];
    for (int i = 0; i < ints.length; i++) {
      out[i] = new float[ints[i].length];
      for (int j = 0; j < ints[i].length; j++) {
        out[i][j] = ints[i][j];
      }
    }
    return out;
  }

  // ---- idx ----

  private static List<InputRecord> readIdx(Path file, long idStart, Path labels) throws IOException {
    String name = file.getFileName().toString();
    if (name.contains("labels-idx1")) {
      throw CliException.badInput(file + " is an idx1 labels file; import the images file (idx3) instead");
    }
    float[][] images = VectorFiles.readIdxImages(file);
    Path labelFile = labels;
    if (labelFile == null && name.contains("images-idx3")) {
      Path sibling = file.resolveSibling(name.replace("images-idx3", "labels-idx1"));
      labelFile = Files.isRegularFile(sibling) ? sibling : null;
    }
    int[] labelValues = null;
    if (labelFile != null) {
      labelValues = VectorFiles.readIdxLabels(labelFile);
      if (labelValues.length != images.length) {
        throw CliException.badInput(
            "labels file " + labelFile + " has " + labelValues.length + " labels but " + file + " has "
                + images.length + " images");
      }
    }
    return numbered(images, idStart, labelValues);
  }

  // ---- bvecs ----

  /** {@code .bvecs}: per record an int32 little-endian dimension, then that many unsigned bytes. */
  static float[][] readBvecs(Path file) throws IOException {
    List<float[]> out = new ArrayList<>();
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
        out.add(v);
      }
    }
    return out.toArray(new float[0][]);
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
  static float[][] readNpy(Path file) throws IOException {
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
      float[][] out = new float[(int) rows][];
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
        out[r] = v;
      }
      return out;
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

  /**
   * JSON Lines: one object per line, {@code {"id": "a1", "vector": [0.1, ...], "payload": {...}}}.
   * {@code id} is a string or an integer (default: the record's number from {@code idStart});
   * {@code payload} is optional; blank lines are skipped.
   */
  static List<InputRecord> readJsonLines(Path file, long idStart) throws IOException {
    List<InputRecord> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
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
        try {
          out.add(jsonRecord(line, idStart + out.size(), "line " + lineNo));
        } catch (Json.JsonException e) {
          throw CliException.badInput(file + ": line " + lineNo + ": invalid JSON at " + e.getMessage());
        } catch (BadField e) {
          throw CliException.badInput(file + ": line " + lineNo + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  /** A bad field in an otherwise well-formed record; the message says which and why. */
  static final class BadField extends Exception {
    private static final long serialVersionUID = 1L;

    BadField(String message) {
      super(message);
    }
  }

  static InputRecord jsonRecord(String line, long defaultId, String where) throws Json.JsonException, BadField {
    if (!(Json.parse(line) instanceof Map<?, ?> obj)) {
      throw new BadField("expected a JSON object {\"id\": ..., \"vector\": [...], \"payload\": {...}}");
    }
    String id = Long.toString(defaultId);
    float[] vector = null;
    Payload payload = Payload.empty();
    for (Map.Entry<?, ?> e : obj.entrySet()) {
      String key = (String) e.getKey();
      Object v = e.getValue();
      switch (key) {
        case "id" -> id = switch (v) {
          case String s -> s;
          case Long l -> Long.toString(l);
          default -> throw new BadField("\"id\" must be a string or an integer; got " + Json.write(v));
        };
        case "vector" -> vector = jsonVector(v);
        case "payload" -> payload = jsonPayload(v);
        default -> throw new BadField("unknown key \"" + key + "\" (expected id, vector, payload)");
      }
    }
    if (vector == null) {
      throw new BadField("missing \"vector\"");
    }
    return new InputRecord(id, vector, payload, where);
  }

  private static float[] jsonVector(Object v) throws BadField {
    if (!(v instanceof List<?> list)) {
      throw new BadField("\"vector\" must be an array of numbers");
    }
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number n)) {
        throw new BadField("\"vector\"[" + i + "] is not a number: " + Json.write(list.get(i)));
      }
      out[i] = n.floatValue();
    }
    return out;
  }

  private static Payload jsonPayload(Object v) throws BadField {
    if (!(v instanceof Map<?, ?> map)) {
      throw new BadField("\"payload\" must be an object");
    }
    Payload.Builder b = Payload.builder();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String field = (String) e.getKey();
      Object value = e.getValue();
      if (value == Json.NULL) {
        throw new BadField("payload field '" + field + "' is null (leave it out instead)");
      }
      if (value instanceof Map) {
        throw new BadField("payload field '" + field + "' is an object; values are strings, numbers, booleans or lists of strings");
      }
      try {
        b.put(field, value);
      } catch (PayloadException ex) {
        throw new BadField(ex.getMessage());
      }
    }
    return b.build();
  }
}
