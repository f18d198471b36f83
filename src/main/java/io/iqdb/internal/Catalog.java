package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.CorruptedException;
import io.iqdb.Durability;
import io.iqdb.FormatVersionException;
import io.iqdb.IndexSpec;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.lucene.util.IOUtils;

/**
 * The database catalog: the list of collections and their configurations, in the file {@value
 * #FILE_NAME} at the database root.
 *
 * <p>Layout (big-endian, Java {@code DataOutput}): {@code int magic} 0x49514443 ("IQDC"), {@code int
 * version} ({@value #VERSION}), {@code int count}, then per collection: {@code UTF name}, {@code int
 * dimension}, {@code byte metric} (1 COSINE, 2 L2, 3 DOT, 4 MAX_INNER_PRODUCT), {@code byte index}
 * (1 flat, 2 HNSW, 3 IVF), {@code int m}, {@code int beamWidth}, {@code int lists} (0 where they do
 * not apply), {@code byte quantization} (0 NONE, 1 INT8, 2 INT7, 3 INT4, 4 BIT1), {@code byte
 * durability} (0 database default, 1 SYNC, 2 ASYNC, 3 NONE), {@code long asyncIntervalMillis};
 * finally {@code long crc}: the CRC32C of every preceding byte.
 *
 * <p>Replaced atomically: written to a temporary file, fsynced, renamed over the old one, and the
 * directory fsynced.
 */
public final class Catalog {
  /** The catalog's file name. */
  public static final String FILE_NAME = "catalog.iqdb";

  static final int MAGIC = 0x49514443;
  static final int VERSION = 1;
  private static final String TEMP_NAME = "catalog.iqdb.tmp";

  private static final Metric[] METRICS = {null, Metric.COSINE, Metric.L2, Metric.DOT, Metric.MAX_INNER_PRODUCT};
  private static final Quantization[] QUANTIZATIONS = {
    Quantization.NONE, Quantization.INT8, Quantization.INT7, Quantization.INT4, Quantization.BIT1
  };

  private Catalog() {}

  /**
   * Reads a catalog.
   *
   * @param file the file
   * @return collection names to configurations, sorted by name
   * @throws CorruptedException if the file fails its checks
   * @throws FormatVersionException if it was written by an unknown version
   * @throws IOException on an I/O error
   */
  public static Map<String, CollectionConfig> read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 20) {
      throw new CorruptedException("catalog is truncated: " + bytes.length + " bytes", file);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    long stored = 0;
    for (int i = bytes.length - 8; i < bytes.length; i++) {
      stored = (stored << 8) | (bytes[i] & 0xFF);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8))) {
      int magic = in.readInt();
      if (magic != MAGIC) {
        throw new CorruptedException("catalog has a bad magic number 0x" + Integer.toHexString(magic), file);
      }
      if (stored != crc.getValue()) {
        throw new CorruptedException(
            "catalog checksum mismatch: stored " + Long.toHexString(stored) + ", computed "
                + Long.toHexString(crc.getValue()), file);
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new FormatVersionException(
            "catalog " + file + " has format version " + version + "; this release reads version " + VERSION);
      }
      int count = in.readInt();
      Map<String, CollectionConfig> result = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        int dimension = in.readInt();
        Metric metric = lookup(METRICS, in.readByte(), "metric", file);
        byte indexKind = in.readByte();
        int m = in.readInt();
        int beamWidth = in.readInt();
        int lists = in.readInt();
        Quantization q = lookup(QUANTIZATIONS, in.readByte(), "quantization", file);
        byte durabilityCode = in.readByte();
        long intervalMillis = in.readLong();
        IndexSpec index =
            switch (indexKind) {
              case 1 -> IndexSpec.flat(q);
              case 2 -> new IndexSpec.Hnsw(m, beamWidth, q);
              case 3 -> new IndexSpec.Ivf(lists, q);
              default -> throw new CorruptedException("catalog has unknown index kind " + indexKind, file);
            };
        Durability durability =
            switch (durabilityCode) {
              case 0 -> null;
              case 1 -> Durability.sync();
              case 2 -> Durability.async(Duration.ofMillis(intervalMillis));
              case 3 -> Durability.none();
              default -> throw new CorruptedException("catalog has unknown durability " + durabilityCode, file);
            };
        result.put(name, new CollectionConfig(dimension, metric, index, durability));
      }
      if (in.available() != 0) {
        throw new CorruptedException("catalog has " + in.available() + " trailing bytes", file);
      }
      return result;
    } catch (io.iqdb.InvalidArgumentException e) {
      throw new CorruptedException("catalog holds an invalid configuration: " + e.getMessage() + " (file: " + file + ")", file.toString(), e);
    } catch (java.io.EOFException e) {
      throw new CorruptedException("catalog is truncated", file);
    }
  }

  private static <T> T lookup(T[] table, byte code, String what, Path file) {
    if (code < 0 || code >= table.length || table[code] == null) {
      throw new CorruptedException("catalog has unknown " + what + " code " + code, file);
    }
    return table[code];
  }

  /**
   * Writes a catalog atomically.
   *
   * @param dir the database directory
   * @param collections names to configurations
   * @throws IOException on an I/O error
   */
  public static void write(Path dir, Map<String, CollectionConfig> collections) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(collections.size());
    for (Map.Entry<String, CollectionConfig> e : new TreeMap<>(collections).entrySet()) {
      CollectionConfig c = e.getValue();
      out.writeUTF(e.getKey());
      out.writeInt(c.dimension());
      out.writeByte(Arrays.asList(METRICS).indexOf(c.metric()));
      int m = 0;
      int beam = 0;
      int lists = 0;
      int kind;
      switch (c.index()) {
        case IndexSpec.Flat f -> kind = 1;
        case IndexSpec.Hnsw h -> {
          kind = 2;
          m = h.m();
          beam = h.beamWidth();
        }
        case IndexSpec.Ivf ivf -> {
          kind = 3;
          lists = ivf.lists();
        }
      }
      out.writeByte(kind);
      out.writeInt(m);
      out.writeInt(beam);
      out.writeInt(lists);
      out.writeByte(Arrays.asList(QUANTIZATIONS).indexOf(c.index().quantization()));
      Durability d = c.durability();
      out.writeByte(d == null ? 0 : switch (d.mode()) {
        case SYNC -> 1;
        case ASYNC -> 2;
        case NONE -> 3;
      });
      out.writeLong(d == null ? 0 : d.interval().toMillis());
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    out.flush();

    Path temp = dir.resolve(TEMP_NAME);
    try (FileChannel ch =
        FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
      ch.force(true);
    }
    Files.move(temp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    IOUtils.fsync(dir, true);
  }

  /**
   * Whether a directory holds a catalog.
   *
   * @param dir the directory
   * @return true if the catalog file exists
   */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(FILE_NAME));
  }
}
