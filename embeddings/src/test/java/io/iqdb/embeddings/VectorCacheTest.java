package io.iqdb.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorCacheTest {

  @Test
  void persistsAndSkipsTextsAlreadyCached(@TempDir Path dir) {
    VectorCache c = VectorCache.open(dir, "m", 3);
    c.putAll(List.of("a", "b"), List.of(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
    c.putAll(List.of("a"), List.of(new float[] {7, 8, 9}));
    VectorCache reopened = VectorCache.open(dir, "m", 3);
    assertEquals(2, reopened.size());
    assertArrayEquals(new float[] {1, 2, 3}, reopened.get("a"), "the first vector of a text wins");
    assertArrayEquals(new float[] {4, 5, 6}, reopened.get("b"));
    assertNull(reopened.get("c"));
  }

  @Test
  void cutsOffATornOrCorruptTailAndKeepsAppending(@TempDir Path dir) throws IOException {
    VectorCache c = VectorCache.open(dir, "m", 3);
    c.putAll(List.of("a", "b"), List.of(new float[] {1, 2, 3}, new float[] {4, 5, 6}));
    long size = Files.size(c.file());
    // Flip a byte in the last record's vector: its CRC no longer matches.
    byte[] bytes = Files.readAllBytes(c.file());
    bytes[(int) size - 6] ^= 1;
    Files.write(c.file(), bytes);
    Files.write(c.file(), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    VectorCache reopened = VectorCache.open(dir, "m", 3);
    assertEquals(1, reopened.size());
    assertNull(reopened.get("b"));
    reopened.putAll(List.of("b"), List.of(new float[] {4, 5, 6}));
    assertArrayEquals(new float[] {4, 5, 6}, VectorCache.open(dir, "m", 3).get("b"));
    assertEquals(size, Files.size(c.file()));
  }

  @Test
  void aFileOfAnotherDimensionIsRebuilt(@TempDir Path dir) throws IOException {
    VectorCache c = VectorCache.open(dir, "m", 3);
    c.putAll(List.of("a"), List.of(new float[] {1, 2, 3}));
    // Same file name, another dimension: the old vectors must not be served.
    Files.move(c.file(), dir.resolve("x"));
    Files.move(dir.resolve("x"), c.file());
    VectorCache other = VectorCache.open(dir, "m", 2);
    assertEquals(0, other.size());
    other.putAll(List.of("a"), List.of(new float[] {1, 2}));
    assertArrayEquals(new float[] {1, 2}, VectorCache.open(dir, "m", 2).get("a"));
  }
}
