package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.CorruptedException;
import io.iqdb.Durability;
import io.iqdb.FormatVersionException;
import io.iqdb.IndexSpec;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;

/**
 * The database catalog: the list of collections and their configurations, at the database root.
 *
 * <p>The catalog is written the way Lucene writes its {@code segments_N} files, through the
 * database root's {@link Directory} (so the fault-injecting directories of the recovery tests cover
 * it too): generation {@code N} is written to {@code pending_catalog_N}, fsynced, renamed to {@code
 * catalog_N} and the directory fsynced; only then are older generations deleted. The catalog is the
 * file {@code catalog_N} with the highest {@code N}; a leftover {@code pending_catalog_*} (a crash
 * before its rename) is ignored and deleted.
 *
 * <p>File format, version {@value #VERSION} (Lucene {@code DataOutput} conventions: little-endian
 * fixed-width numbers, vInts, strings as vInt length + UTF-8): {@link CodecUtil#writeHeader header}
 * with codec name {@value #CODEC}; {@code vInt count}; per collection, in name order: {@code string
 * name}, {@code vInt dimension}, {@code byte metric} (1 COSINE, 2 L2, 3 DOT, 4 MAX_INNER_PRODUCT),
 * {@code byte index} (1 flat, 2 HNSW, 3 IVF), {@code vInt m}, {@code vInt beamWidth}, {@code vInt
 * lists} (0 where they do not apply), {@code byte quantization} (0 NONE, 1 INT8, 2 INT7, 3 INT4, 4
 * BIT1), {@code byte durability} (0 database default, 1 SYNC, 2 ASYNC, 3 NONE), {@code vLong
 * intervalSeconds}, {@code vInt intervalNanos} (the ASYNC interval, exactly; 0 otherwise), {@code
 * byte hasCommitPolicy} (0: the database's; 1: then {@code vLong maxLogBytes}, {@code vLong
 * maxAgeSeconds}, {@code vInt maxAgeNanos}); finally the {@link CodecUtil#writeFooter footer}
 * with its CRC32.
 *
 * <p>Version history: 1 (release 0.1.0) was a single file {@value #LEGACY_FILE_NAME} (big-endian
 * {@code DataOutput}: {@code int magic} 0x49514443, {@code int version} 1, {@code int count}, per
 * collection {@code UTF name}, {@code int dimension}, {@code byte metric}, {@code byte index},
 * {@code int m}, {@code int beamWidth}, {@code int lists}, {@code byte quantization}, {@code byte
 * durability}, {@code long asyncIntervalMillis}; then {@code long} CRC32C of all preceding bytes).
 * It is still read; the first catalog write replaces it by {@code catalog_1} and deletes it.
 */
public final class Catalog {
  /** The prefix of catalog generation files. */
  public static final String PREFIX = "catalog_";

  /** The 0.1.0 catalog file. */
  public static final String LEGACY_FILE_NAME = "catalog.iqdb";

  static final String CODEC = "IqdbCatalog";
  static final int VERSION = 2;
  private static final String PENDING_PREFIX = "pending_" + PREFIX;
  private static final int LEGACY_MAGIC = 0x49514443;
  private static final int LEGACY_VERSION = 1;

  private static final Metric[] METRICS = {null, Metric.COSINE, Metric.L2, Metric.DOT, Metric.MAX_INNER_PRODUCT};
  private static final Quantization[] QUANTIZATIONS = {
    Quantization.NONE, Quantization.INT8, Quantization.INT7, Quantization.INT4, Quantization.BIT1
  };

  private Catalog() {}

  /**
   * Whether a directory holds a catalog of this or an older version.
   *
   * @param dir the database directory
   * @return true if a catalog file exists
   * @throws IOException if the directory cannot be listed
   */
  public static boolean exists(Path dir) throws IOException {
    if (Files.exists(dir.resolve(LEGACY_FILE_NAME))) {
      return true;
    }
    try (var entries = Files.newDirectoryStream(dir, PREFIX + "*")) {
      return entries.iterator().hasNext();
    }
  }

  /**
   * Whether a file name at the database root belongs to the catalog.
   *
   * @param name a file name
   * @return true for catalog generations, pending generations and the 0.1.0 catalog
   */
  public static boolean isCatalogFile(String name) {
    return name.startsWith(PREFIX) || name.startsWith(PENDING_PREFIX) || name.equals(LEGACY_FILE_NAME);
  }

  /**
   * Reads the newest catalog.
   *
   * @param dir the database root
   * @return collection names to configurations, sorted by name; empty if there is no catalog
   * @throws CorruptedException if the file fails its checks
   * @throws FormatVersionException if it was written by an unknown version
   * @throws IOException on an I/O error
   */
  public static Map<String, CollectionConfig> read(Directory dir) throws IOException {
    long gen = newestGeneration(dir);
    if (gen > 0) {
      return read(dir, PREFIX + gen);
    }
    if (Arrays.asList(dir.listAll()).contains(LEGACY_FILE_NAME)) {
      return readLegacy(dir, LEGACY_FILE_NAME);
    }
    return new TreeMap<>();
  }

  private static Map<String, CollectionConfig> read(Directory dir, String file) throws IOException {
    try (ChecksumIndexInput in = dir.openChecksumInput(file)) {
      Map<String, CollectionConfig> result = new TreeMap<>();
      Throwable priorE = null;
      try {
        CodecUtil.checkHeader(in, CODEC, VERSION, VERSION);
        int count = in.readVInt();
        for (int i = 0; i < count; i++) {
          String name = in.readString();
          int dimension = in.readVInt();
          Metric metric = lookup(METRICS, in.readByte(), "metric", in);
          byte indexKind = in.readByte();
          int m = in.readVInt();
          int beamWidth = in.readVInt();
          int lists = in.readVInt();
          Quantization q = lookup(QUANTIZATIONS, in.readByte(), "quantization", in);
          byte durabilityCode = in.readByte();
          Duration interval = Duration.ofSeconds(in.readVLong(), in.readVInt());
          CollectionConfig c = config(dimension, metric, indexKind, m, beamWidth, lists, q, durabilityCode, interval, in);
          byte hasPolicy = in.readByte();
          if (hasPolicy == 1) {
            long maxLogBytes = in.readVLong();
            Duration maxAge = Duration.ofSeconds(in.readVLong(), in.readVInt());
            try {
              c = new CollectionConfig(c.dimension(), c.metric(), c.index(), c.durability(),
                  new io.iqdb.CommitPolicy(maxLogBytes, maxAge));
            } catch (io.iqdb.InvalidArgumentException e) {
              throw new CorruptIndexException("invalid commit policy: " + e.getMessage(), in, e);
            }
          } else if (hasPolicy != 0) {
            throw new CorruptIndexException("unknown commit policy marker " + hasPolicy, in);
          }
          result.put(name, c);
        }
      } catch (Throwable t) {
        priorE = t;
      } finally {
        CodecUtil.checkFooter(in, priorE);
      }
      return result;
    } catch (IOException | RuntimeException e) {
      throw Errors.translate(e, "read of the catalog " + file);
    }
  }

  private static CollectionConfig config(
      int dimension, Metric metric, byte indexKind, int m, int beamWidth, int lists, Quantization q,
      byte durabilityCode, Duration interval, DataInput in) throws CorruptIndexException {
    try {
      IndexSpec index =
          switch (indexKind) {
            case 1 -> IndexSpec.flat(q);
            case 2 -> new IndexSpec.Hnsw(m, beamWidth, q);
            case 3 -> new IndexSpec.Ivf(lists, q);
            default -> throw new CorruptIndexException("unknown index kind " + indexKind, in);
          };
      Durability durability =
          switch (durabilityCode) {
            case 0 -> null;
            case 1 -> Durability.sync();
            case 2 -> Durability.async(interval);
            case 3 -> Durability.none();
            default -> throw new CorruptIndexException("unknown durability " + durabilityCode, in);
          };
      return new CollectionConfig(dimension, metric, index, durability);
    } catch (io.iqdb.InvalidArgumentException e) {
      throw new CorruptIndexException("invalid collection configuration: " + e.getMessage(), in, e);
    }
  }

  private static <T> T lookup(T[] table, byte code, String what, DataInput in) throws CorruptIndexException {
    if (code < 0 || code >= table.length || table[code] == null) {
      throw new CorruptIndexException("unknown " + what + " code " + code, in);
    }
    return table[code];
  }

  /** Reads a 0.1.0 catalog. */
  private static Map<String, CollectionConfig> readLegacy(Directory dir, String file) throws IOException {
    byte[] bytes;
    try (var in = dir.openInput(file, IOContext.READONCE)) {
      if (in.length() > Integer.MAX_VALUE) {
        throw new CorruptedException("catalog is " + in.length() + " bytes long", file, null);
      }
      bytes = new byte[(int) in.length()];
      in.readBytes(bytes, 0, bytes.length);
    }
    if (bytes.length < 20) {
      throw new CorruptedException("catalog is truncated: " + bytes.length + " bytes", file, null);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    long stored = 0;
    for (int i = bytes.length - 8; i < bytes.length; i++) {
      stored = (stored << 8) | (bytes[i] & 0xFF);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8))) {
      int magic = in.readInt();
      if (magic != LEGACY_MAGIC) {
        throw new CorruptedException("catalog has a bad magic number 0x" + Integer.toHexString(magic), file, null);
      }
      if (stored != crc.getValue()) {
        throw new CorruptedException(
            "catalog checksum mismatch: stored " + Long.toHexString(stored) + ", computed "
                + Long.toHexString(crc.getValue()), file, null);
      }
      int version = in.readInt();
      if (version != LEGACY_VERSION) {
        throw new FormatVersionException(
            "catalog " + file + " has format version " + version + "; this release reads versions "
                + LEGACY_VERSION + " and " + VERSION);
      }
      int count = in.readInt();
      Map<String, CollectionConfig> result = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        int dimension = in.readInt();
        byte metric = in.readByte();
        byte indexKind = in.readByte();
        int m = in.readInt();
        int beamWidth = in.readInt();
        int lists = in.readInt();
        byte quantization = in.readByte();
        byte durability = in.readByte();
        long intervalMillis = in.readLong();
        try {
          result.put(name, config(
              dimension, lookup(METRICS, metric, "metric", null), indexKind, m, beamWidth, lists,
              lookup(QUANTIZATIONS, quantization, "quantization", null), durability,
              Duration.ofMillis(intervalMillis), null));
        } catch (CorruptIndexException e) {
          throw new CorruptedException("catalog " + e.getMessage(), file, e);
        }
      }
      if (in.available() != 0) {
        throw new CorruptedException("catalog has " + in.available() + " trailing bytes", file, null);
      }
      return result;
    } catch (java.io.EOFException e) {
      throw new CorruptedException("catalog is truncated", file, e);
    }
  }

  /**
   * Writes a new catalog generation durably, then deletes the older ones. If this throws, the
   * durable catalog is the old one or the new one: a caller must keep the files of both.
   *
   * @param dir the database root
   * @param collections names to configurations
   * @throws IOException on an I/O error
   */
  public static void write(Directory dir, Map<String, CollectionConfig> collections) throws IOException {
    long gen = newestGeneration(dir) + 1;
    String pending = PENDING_PREFIX + gen;
    String file = PREFIX + gen;
    deleteIfExists(dir, pending); // left by a write that failed before its rename
    try (IndexOutput out = dir.createOutput(pending, IOContext.DEFAULT)) {
      CodecUtil.writeHeader(out, CODEC, VERSION);
      out.writeVInt(collections.size());
      for (Map.Entry<String, CollectionConfig> e : new TreeMap<>(collections).entrySet()) {
        writeConfig(out, e.getKey(), e.getValue());
      }
      CodecUtil.writeFooter(out);
    }
    dir.sync(java.util.List.of(pending));
    dir.rename(pending, file);
    dir.syncMetaData();
    // Durable from here on: the older generations are garbage.
    for (String name : dir.listAll()) {
      if (isCatalogFile(name) && !name.equals(file)) {
        deleteIfExists(dir, name);
      }
    }
  }

  private static void writeConfig(IndexOutput out, String name, CollectionConfig c) throws IOException {
    out.writeString(name);
    out.writeVInt(c.dimension());
    out.writeByte((byte) Arrays.asList(METRICS).indexOf(c.metric()));
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
    out.writeByte((byte) kind);
    out.writeVInt(m);
    out.writeVInt(beam);
    out.writeVInt(lists);
    out.writeByte((byte) Arrays.asList(QUANTIZATIONS).indexOf(c.index().quantization()));
    Durability d = c.durability();
    out.writeByte((byte) (d == null ? 0 : switch (d.mode()) {
      case SYNC -> 1;
      case ASYNC -> 2;
      case NONE -> 3;
    }));
    Duration interval = d == null ? Duration.ZERO : d.interval();
    out.writeVLong(interval.getSeconds());
    out.writeVInt(interval.getNano());
    io.iqdb.CommitPolicy p = c.commitPolicy();
    out.writeByte((byte) (p == null ? 0 : 1));
    if (p != null) {
      out.writeVLong(p.maxLogBytes());
      out.writeVLong(p.maxAge().getSeconds());
      out.writeVInt(p.maxAge().getNano());
    }
  }

  /** Deletes leftover pending generations (a crash before their rename). */
  static void deletePending(Directory dir) throws IOException {
    for (String name : dir.listAll()) {
      if (name.startsWith(PENDING_PREFIX)) {
        deleteIfExists(dir, name);
      }
    }
  }

  private static long newestGeneration(Directory dir) throws IOException {
    long newest = 0;
    for (String name : dir.listAll()) {
      if (name.startsWith(PREFIX)) {
        try {
          newest = Math.max(newest, Long.parseLong(name.substring(PREFIX.length())));
        } catch (NumberFormatException e) {
          // not ours
        }
      }
    }
    return newest;
  }

  private static void deleteIfExists(Directory dir, String name) throws IOException {
    try {
      dir.deleteFile(name);
    } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
      // already gone
    }
  }
}
