package io.iqdb.cli.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Readers and writers for the vector file formats of ANN benchmarks, shared by {@code iqdb import}
 * and the benchmarks module. The {@code forEach} readers stream a file vector by vector; the
 * {@code read} methods hold a whole file in memory.
 *
 * <h2>{@code .fvecs} and {@code .ivecs} (the TEXMEX / ann-benchmarks formats)</h2>
 *
 * <p>A sequence of records, one per vector, with no file header. Each record is
 *
 * <pre>
 *   int32   dimension d (little-endian)
 *   d x     float32 (.fvecs) or int32 (.ivecs), little-endian
 * </pre>
 *
 * <p>All records of a file must have the same dimension; a reader rejects a file whose records
 * disagree or whose last record is truncated, naming the file.
 *
 * <h2>idx (the MNIST / Fashion-MNIST format)</h2>
 *
 * <p>Big-endian. {@code idx3} images: {@code int32 magic = 0x00000803, int32 count, int32 rows,
 * int32 cols}, then {@code count * rows * cols} unsigned bytes, row-major. {@code idx1} labels:
 * {@code int32 magic = 0x00000801, int32 count}, then {@code count} unsigned bytes. Files may be
 * gzip-compressed (detected by the gzip magic bytes, not by the file name).
 */
public final class VectorFiles {

  private static final int IDX3_MAGIC = 0x00000803;
  private static final int IDX1_MAGIC = 0x00000801;
  private static final int BUFFER_BYTES = 1 << 20;

  private VectorFiles() {}

  /** Receives the vectors of a file one at a time. */
  @FunctionalInterface
  public interface VectorVisitor {
    /**
     * Receives the next vector.
     *
     * @param vector a new array, owned by the visitor
     * @return true to go on, false to stop reading
     * @throws IOException to stop reading with an error
     */
    boolean visit(float[] vector) throws IOException;
  }

  /**
   * Streams the vectors of an {@code .fvecs} file.
   *
   * @param file the file to read
   * @param visitor receives each vector until it returns false
   * @throws IOException if the file cannot be read or is malformed (the message names the file)
   */
  public static void forEachFvecs(Path file, VectorVisitor visitor) throws IOException {
    readRecords(file, (buffer, dim) -> {
      float[] v = new float[dim];
      buffer.asFloatBuffer().get(v);
      return visitor.visit(v);
    });
  }

  /**
   * Streams the records of an {@code .ivecs} file, each converted to floats.
   *
   * @param file the file to read
   * @param visitor receives each record until it returns false
   * @throws IOException if the file cannot be read or is malformed (the message names the file)
   */
  public static void forEachIvecsAsFloats(Path file, VectorVisitor visitor) throws IOException {
    readRecords(file, (buffer, dim) -> {
      float[] v = new float[dim];
      for (int i = 0; i < dim; i++) {
        v[i] = buffer.getInt(4 * i);
      }
      return visitor.visit(v);
    });
  }

  /**
   * Reads all vectors of an {@code .fvecs} file.
   *
   * @param file the file to read
   * @return one array per vector, all of the same length
   * @throws IOException if the file cannot be read or is malformed (the message names the file)
   */
  public static float[][] readFvecs(Path file) throws IOException {
    List<float[]> out = new ArrayList<>();
    forEachFvecs(file, out::add);
    return out.toArray(new float[0][]);
  }

  /**
   * Reads all vectors of an {@code .ivecs} file (typically ground-truth neighbour ids).
   *
   * @param file the file to read
   * @return one array per record, all of the same length
   * @throws IOException if the file cannot be read or is malformed (the message names the file)
   */
  public static int[][] readIvecs(Path file) throws IOException {
    List<int[]> out = new ArrayList<>();
    readRecords(file, (buffer, dim) -> {
      int[] v = new int[dim];
      buffer.asIntBuffer().get(v);
      return out.add(v);
    });
    return out.toArray(new int[0][]);
  }

  /**
   * Writes vectors as an {@code .fvecs} file, replacing it if present. The file is first written
   * next to the target and then moved into place, so a reader never sees a half-written file.
   *
   * @param file the file to write
   * @param vectors the vectors; all must have the same, positive length
   * @throws IOException if the file cannot be written
   * @throws IllegalArgumentException if the vectors have different or zero lengths
   */
  public static void writeFvecs(Path file, float[][] vectors) throws IOException {
    int dim = checkSameLength(vectors.length, i -> vectors[i].length);
    writeRecords(file, vectors.length, dim, (buffer, i) -> buffer.asFloatBuffer().put(vectors[i]));
  }

  /**
   * Writes integer vectors as an {@code .ivecs} file, replacing it if present (atomically, as
   * {@link #writeFvecs}).
   *
   * @param file the file to write
   * @param vectors the records; all must have the same, positive length
   * @throws IOException if the file cannot be written
   * @throws IllegalArgumentException if the records have different or zero lengths
   */
  public static void writeIvecs(Path file, int[][] vectors) throws IOException {
    int dim = checkSameLength(vectors.length, i -> vectors[i].length);
    writeRecords(file, vectors.length, dim, (buffer, i) -> buffer.asIntBuffer().put(vectors[i]));
  }

  /**
   * Reads an idx3 image file (raw or gzip-compressed) as one float vector per image, each pixel an
   * unsigned byte converted to a float in [0, 255].
   *
   * @param file the idx3 file, e.g. {@code train-images-idx3-ubyte.gz}
   * @return {@code count} vectors of length {@code rows * cols}
   * @throws IOException if the file cannot be read, has the wrong magic number or is truncated
   */
  public static float[][] readIdxImages(Path file) throws IOException {
    List<float[]> out = new ArrayList<>();
    forEachIdxImage(file, out::add);
    return out.toArray(new float[0][]);
  }

  /**
   * Streams an idx3 image file (raw or gzip-compressed), as {@link #readIdxImages} reads it.
   *
   * @param file the idx3 file
   * @param visitor receives each image until it returns false
   * @return the image count the header declares
   * @throws IOException if the file cannot be read, has the wrong magic number or is truncated
   */
  public static int forEachIdxImage(Path file, VectorVisitor visitor) throws IOException {
    try (DataInputStream in = openIdx(file, IDX3_MAGIC, "idx3 image")) {
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (count < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > Integer.MAX_VALUE) {
        throw new IOException(
            "bad idx3 header count=" + count + " rows=" + rows + " cols=" + cols + ": " + file);
      }
      int dim = rows * cols;
      byte[] pixels = new byte[dim];
      for (int i = 0; i < count; i++) {
        readFully(in, pixels, file, i);
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
          v[j] = pixels[j] & 0xFF;
        }
        if (visitor.visit(v) == false) {
          break;
        }
      }
      return count;
    }
  }

  /**
   * Reads an idx1 label file (raw or gzip-compressed).
   *
   * @param file the idx1 file, e.g. {@code train-labels-idx1-ubyte.gz}
   * @return one label (an unsigned byte, 0..255) per item
   * @throws IOException if the file cannot be read, has the wrong magic number or is truncated
   */
  public static int[] readIdxLabels(Path file) throws IOException {
    try (DataInputStream in = openIdx(file, IDX1_MAGIC, "idx1 label")) {
      int count = in.readInt();
      if (count < 0) {
        throw new IOException("bad idx1 header count=" + count + ": " + file);
      }
      byte[] bytes = new byte[count];
      readFully(in, bytes, file, 0);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = bytes[i] & 0xFF;
      }
      return labels;
    }
  }

  private static void readFully(DataInputStream in, byte[] into, Path file, int item) throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new IOException("truncated idx file at item " + item + ": " + file, e);
    }
  }

  /** Opens an idx file positioned after its magic number, which must be {@code magic}. */
  private static DataInputStream openIdx(Path file, int magic, String kind) throws IOException {
    DataInputStream in = new DataInputStream(openMaybeGzip(file));
    boolean ok = false;
    try {
      int found = in.readInt();
      if (found != magic) {
        throw new IOException(String.format(
            "not an %s file (magic 0x%08x, expected 0x%08x): %s", kind, found, magic, file));
      }
      ok = true;
      return in;
    } finally {
      if (!ok) {
        in.close();
      }
    }
  }

  private static InputStream openMaybeGzip(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new BufferedInputStream(new GZIPInputStream(in, BUFFER_BYTES), BUFFER_BYTES);
    }
    return in;
  }

  @FunctionalInterface
  private interface RecordSink {
    /**
     * Receives one record's payload: {@code buffer} holds exactly {@code dim * 4} bytes. Returns
     * false to stop reading.
     */
    boolean accept(ByteBuffer buffer, int dim) throws IOException;
  }

  @FunctionalInterface
  private interface RecordSource {
    /** Puts record {@code i}'s values into {@code buffer}, which has room for exactly them. */
    void put(ByteBuffer buffer, int i);
  }

  @FunctionalInterface
  private interface Length {
    int of(int i);
  }

  private static void readRecords(Path file, RecordSink sink) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 4) {
        if (size == 0) {
          return;
        }
        throw new IOException("truncated vector file (" + size + " bytes): " + file);
      }
      ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, head, 0, file);
      int dim = head.getInt(0);
      if (dim <= 0 || dim > (1 << 24)) {
        throw new IOException("bad dimension " + dim + " in first record of " + file);
      }
      long recordBytes = 4L + 4L * dim;
      if (size % recordBytes != 0) {
        throw new IOException("file size " + size + " is not a multiple of the record size "
            + recordBytes + " (dimension " + dim + "): " + file);
      }
      long count = size / recordBytes;
      // Read many records per I/O call: one record per read() is slow for 1M small vectors.
      int perChunk = (int) Math.max(1, Math.min(count, BUFFER_BYTES / recordBytes));
      ByteBuffer chunk = ByteBuffer.allocate((int) (perChunk * recordBytes)).order(ByteOrder.LITTLE_ENDIAN);
      long pos = 0;
      for (long done = 0; done < count; ) {
        int n = (int) Math.min(perChunk, count - done);
        chunk.clear().limit((int) (n * recordBytes));
        readFully(ch, chunk, pos, file);
        for (int r = 0; r < n; r++) {
          int at = (int) (r * recordBytes);
          int d = chunk.getInt(at);
          if (d != dim) {
            throw new IOException("record " + (done + r) + " has dimension " + d
                + " but the first record has " + dim + ": " + file);
          }
          ByteBuffer payload = chunk.slice(at + 4, 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
          if (sink.accept(payload, dim) == false) {
            return;
          }
        }
        pos += n * recordBytes;
        done += n;
      }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer into, long pos, Path file) throws IOException {
    while (into.hasRemaining()) {
      int n = ch.read(into, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + pos + ": " + file);
      }
      pos += n;
    }
    into.flip();
  }

  private static int checkSameLength(int count, Length length) {
    if (count == 0) {
      return 0;
    }
    int dim = length.of(0);
    if (dim <= 0) {
      throw new IllegalArgumentException("vectors must not be empty; length of vector 0 = " + dim);
    }
    for (int i = 1; i < count; i++) {
      if (length.of(i) != dim) {
        throw new IllegalArgumentException(
            "all vectors must have length " + dim + "; vector " + i + " has " + length.of(i));
      }
    }
    return dim;
  }

  private static void writeRecords(Path file, int count, int dim, RecordSource source) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    long recordBytes = 4L + 4L * dim;
    int perChunk = (int) Math.max(1, BUFFER_BYTES / Math.max(1, recordBytes));
    ByteBuffer chunk = ByteBuffer.allocate((int) (perChunk * recordBytes)).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int done = 0; done < count; ) {
        int n = Math.min(perChunk, count - done);
        chunk.clear();
        for (int r = 0; r < n; r++) {
          int at = (int) (r * recordBytes);
          chunk.putInt(at, dim);
          source.put(chunk.slice(at + 4, 4 * dim).order(ByteOrder.LITTLE_ENDIAN), done + r);
        }
        chunk.limit((int) (n * recordBytes));
        while (chunk.hasRemaining()) {
          ch.write(chunk);
        }
        done += n;
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
