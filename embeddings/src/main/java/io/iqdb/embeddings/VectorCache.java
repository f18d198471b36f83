package io.iqdb.embeddings;

import io.iqdb.StorageException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * An append-only file of text embeddings keyed by the SHA-256 of the text, so that a corpus embedded
 * once is not embedded again (reruns are instant, a larger corpus embeds only its new texts). It is a
 * cache: a file of another model or dimension, or a damaged tail, is dropped (from the damage on)
 * and rebuilt, never trusted.
 *
 * <p>File {@code <dir>/<model>.vectors}, big-endian:
 *
 * <ul>
 *   <li>header: magic {@code int 0x49514543} ("IQEC"), format version {@code int 1}, dimension
 *       {@code int}, model name length {@code int} and its UTF-8 bytes, CRC32 {@code int} of all the
 *       header bytes before it;
 *   <li>then records, each: SHA-256 of the text's UTF-8 bytes (32 bytes), {@code dimension} floats,
 *       CRC32 {@code int} of the key and float bytes.
 * </ul>
 *
 * <p>Appends are not fsynced: after a crash the worst case is a torn last record, which the next
 * open cuts off.
 */
final class VectorCache {
  static final int MAGIC = 0x49514543;
  static final int VERSION = 1;
  private static final int KEY_BYTES = 32;

  private final Path file;
  private final int dimension;
  private final String model;
  private final Map<String, float[]> vectors = new HashMap<>();

  private VectorCache(Path file, String model, int dimension) {
    this.file = file;
    this.model = model;
    this.dimension = dimension;
  }

  /**
   * Opens (creating if needed) the cache of {@code model} in {@code dir}.
   *
   * @throws StorageException if the directory or file cannot be read or written
   */
  static VectorCache open(Path dir, String model, int dimension) {
    Path file = dir.resolve(model + ".vectors");
    VectorCache cache = new VectorCache(file, model, dimension);
    try {
      Files.createDirectories(dir);
      long good = Files.exists(file) ? cache.load() : -1;
      if (good < 0) {
        Files.write(file, cache.header());
      } else if (good < Files.size(file)) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(good);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot use the embedding cache " + file + ": " + e.getMessage(), e);
    }
    return cache;
  }

  Path file() {
    return file;
  }

  int size() {
    return vectors.size();
  }

  /** The cached vector of {@code text}, or null. */
  float[] get(String text) {
    return vectors.get(key(text));
  }

  /**
   * Appends vectors for texts not cached yet.
   *
   * @throws StorageException if the file cannot be written
   */
  void putAll(List<String> texts, List<float[]> embedded) {
    ByteBuffer buf = ByteBuffer.allocate(texts.size() * recordBytes()).order(ByteOrder.BIG_ENDIAN);
    for (int i = 0; i < texts.size(); i++) {
      String key = key(texts.get(i));
      float[] v = embedded.get(i);
      if (v.length != dimension) {
        throw new IllegalArgumentException("vector " + i + " has dimension " + v.length + ", cache has " + dimension);
      }
      if (vectors.putIfAbsent(key, v) != null) {
        continue;
      }
      int start = buf.position();
      buf.put(HexFormat.of().parseHex(key));
      for (float x : v) {
        buf.putFloat(x);
      }
      CRC32 crc = new CRC32();
      crc.update(buf.array(), start, buf.position() - start);
      buf.putInt((int) crc.getValue());
    }
    buf.flip();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    } catch (IOException e) {
      throw new StorageException("cannot write the embedding cache " + file + ": " + e.getMessage(), e);
    }
  }

  private int recordBytes() {
    return KEY_BYTES + dimension * Float.BYTES + Integer.BYTES;
  }

  private byte[] header() {
    byte[] name = model.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 * Integer.BYTES + name.length + Integer.BYTES);
    b.putInt(MAGIC).putInt(VERSION).putInt(dimension).putInt(name.length).put(name);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Loads the records; returns the length of the valid prefix, or -1 if the header is not ours. */
  private long load() throws IOException {
    byte[] expected = header();
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      byte[] actual = new byte[expected.length];
      try {
        in.readFully(actual);
      } catch (EOFException e) {
        return -1;
      }
      if (!java.util.Arrays.equals(expected, actual)) {
        return -1;
      }
      long good = expected.length;
      byte[] record = new byte[recordBytes()];
      while (true) {
        try {
          in.readFully(record);
        } catch (EOFException e) {
          return good;
        }
        CRC32 crc = new CRC32();
        crc.update(record, 0, record.length - Integer.BYTES);
        ByteBuffer b = ByteBuffer.wrap(record);
        if (b.getInt(record.length - Integer.BYTES) != (int) crc.getValue()) {
          return good;
        }
        String key = HexFormat.of().formatHex(record, 0, KEY_BYTES);
        float[] v = new float[dimension];
        b.position(KEY_BYTES);
        b.asFloatBuffer().get(v);
        vectors.put(key, v);
        good += record.length;
      }
    }
  }

  static String key(String text) {
    return key(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The hex SHA-256 of {@code bytes}. */
  static String key(byte[] bytes) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
