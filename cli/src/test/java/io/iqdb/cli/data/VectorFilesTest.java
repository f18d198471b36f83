package io.iqdb.cli.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorFilesTest {

  /** Where Debian's {@code dataset-fashion-mnist} package installs the idx files. */
  private static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir Path dir;

  @Test
  void fvecsRoundTripKeepsEveryBit() throws IOException {
    Random random = new Random(7);
    // More than one read chunk (1 MiB) of records, to cover the chunk boundary.
    float[][] vectors = new float[3000][100];
    for (float[] v : vectors) {
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) random.nextGaussian();
      }
    }
    vectors[5][3] = Float.MIN_VALUE;
    vectors[6][0] = -0f;
    Path file = dir.resolve("v.fvecs");
    VectorFiles.writeFvecs(file, vectors);
    assertEquals(3000L * (4 + 4 * 100), Files.size(file));
    float[][] back = VectorFiles.readFvecs(file);
    assertEquals(vectors.length, back.length);
    for (int i = 0; i < vectors.length; i++) {
      assertArrayEquals(vectors[i], back[i], "vector " + i);
    }
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[6][0]));
  }

  @Test
  void fvecsIsLittleEndianWithDimensionPrefix() throws IOException {
    Path file = dir.resolve("one.fvecs");
    VectorFiles.writeFvecs(file, new float[][] {{1f, -2f}});
    byte[] bytes = Files.readAllBytes(file);
    // dim 2 as little-endian int32, then 1.0f = 0x3f800000 and -2.0f = 0xc0000000, little-endian
    assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0}, bytes);
  }

  @Test
  void ivecsRoundTrip() throws IOException {
    int[][] ids = {{1, 2, 3}, {Integer.MAX_VALUE, -1, 0}};
    Path file = dir.resolve("gt.ivecs");
    VectorFiles.writeIvecs(file, ids);
    int[][] back = VectorFiles.readIvecs(file);
    assertEquals(2, back.length);
    assertArrayEquals(ids[0], back[0]);
    assertArrayEquals(ids[1], back[1]);
  }

  @Test
  void emptyFileReadsAsNoVectors() throws IOException {
    Path file = dir.resolve("empty.fvecs");
    Files.write(file, new byte[0]);
    assertEquals(0, VectorFiles.readFvecs(file).length);
  }

  @Test
  void truncatedFileIsRejectedNamingTheFile() throws IOException {
    Path file = dir.resolve("cut.fvecs");
    VectorFiles.writeFvecs(file, new float[][] {{1f, 2f, 3f}, {4f, 5f, 6f}});
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 2));
    IOException e = assertThrows(IOException.class, () -> VectorFiles.readFvecs(file));
    assertTrue(e.getMessage().contains("cut.fvecs"), e.getMessage());
  }

  @Test
  void mixedDimensionsAreRejected() throws IOException {
    Path a = dir.resolve("a.fvecs");
    Path b = dir.resolve("b.fvecs");
    VectorFiles.writeFvecs(a, new float[][] {{1f, 2f, 3f}, {4f, 5f, 6f}}); // 2 records of 16 bytes
    VectorFiles.writeFvecs(b, new float[][] {{1f}, {2f}, {3f}, {4f}}); // 4 records of 8 bytes
    byte[] mixed = new byte[32];
    System.arraycopy(Files.readAllBytes(a), 0, mixed, 0, 16);
    System.arraycopy(Files.readAllBytes(b), 0, mixed, 16, 16);
    Path file = dir.resolve("mixed.fvecs");
    Files.write(file, mixed);
    IOException e = assertThrows(IOException.class, () -> VectorFiles.readFvecs(file));
    assertTrue(e.getMessage().contains("dimension 1"), e.getMessage());
  }

  @Test
  void writerRejectsRaggedInput() {
    assertThrows(IllegalArgumentException.class,
        () -> VectorFiles.writeFvecs(dir.resolve("x.fvecs"), new float[][] {{1f}, {1f, 2f}}));
  }

  @Test
  void idxImagesRawAndGzipGiveUnsignedPixels() throws IOException {
    byte[] idx = idx3(3, 2, 2, new int[] {0, 1, 128, 255, 7, 8, 9, 10, 200, 201, 202, 203});
    Path raw = dir.resolve("images-idx3-ubyte");
    Files.write(raw, idx);
    Path gz = dir.resolve("images.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(idx);
    }
    for (Path file : new Path[] {raw, gz}) {
      float[][] images = VectorFiles.readIdxImages(file);
      assertEquals(3, images.length, file.toString());
      assertArrayEquals(new float[] {0f, 1f, 128f, 255f}, images[0]);
      assertArrayEquals(new float[] {200f, 201f, 202f, 203f}, images[2]);
    }
  }

  @Test
  void idxImagesWithWrongMagicOrTruncatedAreRejected() throws IOException {
    Path labels = dir.resolve("labels");
    Files.write(labels, idx1(new int[] {1, 2}));
    IOException e = assertThrows(IOException.class, () -> VectorFiles.readIdxImages(labels));
    assertTrue(e.getMessage().contains("idx3"), e.getMessage());

    byte[] idx = idx3(2, 2, 2, new int[] {1, 2, 3, 4, 5, 6, 7, 8});
    Path cut = dir.resolve("cut-idx3");
    Files.write(cut, Arrays.copyOf(idx, idx.length - 1));
    e = assertThrows(IOException.class, () -> VectorFiles.readIdxImages(cut));
    assertTrue(e.getMessage().contains("item 1"), e.getMessage());
  }

  @Test
  void idxLabels() throws IOException {
    Path gz = dir.resolve("labels.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(idx1(new int[] {9, 0, 255}));
    }
    assertArrayEquals(new int[] {9, 0, 255}, VectorFiles.readIdxLabels(gz));
  }

  @Test
  void fashionMnistWhenInstalled() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(FASHION_MNIST_DIR), "dataset-fashion-mnist not installed");
    int[] labels = VectorFiles.readIdxLabels(FASHION_MNIST_DIR.resolve("t10k-labels-idx1-ubyte.gz"));
    assertEquals(10_000, labels.length);
    assertTrue(Arrays.stream(labels).allMatch(l -> l >= 0 && l < 10));
    float[][] queries = VectorFiles.readIdxImages(FASHION_MNIST_DIR.resolve("t10k-images-idx3-ubyte.gz"));
    assertEquals(10_000, queries.length);
    assertEquals(784, queries[0].length);
  }

  private static byte[] idx3(int count, int rows, int cols, int[] pixels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000803);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(cols);
    for (int p : pixels) {
      out.writeByte(p);
    }
    return bytes.toByteArray();
  }

  private static byte[] idx1(int[] labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000801);
    out.writeInt(labels.length);
    for (int l : labels) {
      out.writeByte(l);
    }
    return bytes.toByteArray();
  }
}
