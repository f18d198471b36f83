package io.iqdb.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.Payload;
import io.iqdb.cli.data.VectorFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordReadersTest {

  @TempDir Path tmp;

  private List<InputRecord> read(String name, long idStart) {
    return read(name, idStart, null);
  }

  private List<InputRecord> read(String name, long idStart, Integer dimension) {
    Path f = tmp.resolve(name);
    return readAll(f, idStart, dimension);
  }

  private static List<InputRecord> readAll(Path f, long idStart, Integer dimension) {
    List<InputRecord> out = new java.util.ArrayList<>();
    RecordReaders.read(f, RecordReaders.detect(f), idStart, null, dimension, out::add);
    return out;
  }

  private Path text(String name, String... lines) throws IOException {
    return Files.write(tmp.resolve(name), List.of(lines));
  }

  private String badInput(String name) {
    Path f = tmp.resolve(name);
    CliException e = assertThrows(CliException.class, () -> readAll(f, 0, null));
    assertEquals(ExitCode.BAD_INPUT, e.exitCode());
    return e.getMessage();
  }

  @Test
  void detectsFormatsByName() {
    assertEquals(RecordReaders.Format.idx, RecordReaders.detect(Path.of("train-images-idx3-ubyte.gz")));
    assertEquals(RecordReaders.Format.idx, RecordReaders.detect(Path.of("t10k-images-idx3-ubyte")));
    assertEquals(RecordReaders.Format.fvecs, RecordReaders.detect(Path.of("sift_base.fvecs")));
    assertEquals(RecordReaders.Format.jsonl, RecordReaders.detect(Path.of("a.ndjson")));
    assertEquals(RecordReaders.Format.tsv, RecordReaders.detect(Path.of("A.TSV")));
    CliException e = assertThrows(CliException.class, () -> RecordReaders.detect(Path.of("x.parquet")));
    assertTrue(e.getMessage().contains("use --format"));
  }

  @Test
  void fvecsIvecsAndBvecs() throws IOException {
    VectorFiles.writeFvecs(tmp.resolve("a.fvecs"), new float[][] {{1, 2}, {3, 4}});
    List<InputRecord> f = read("a.fvecs", 10);
    assertEquals("11", f.get(1).id());
    assertArrayEquals(new float[] {3, 4}, f.get(1).vector());
    assertEquals("record 2", f.get(1).where());

    VectorFiles.writeIvecs(tmp.resolve("a.ivecs"), new int[][] {{7, -1, 0}});
    assertArrayEquals(new float[] {7, -1, 0}, read("a.ivecs", 0).get(0).vector());

    ByteBuffer b = ByteBuffer.allocate(2 * (4 + 3)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(3).put((byte) 1).put((byte) 2).put((byte) 255);
    b.putInt(3).put((byte) 0).put((byte) 128).put((byte) 7);
    Files.write(tmp.resolve("a.bvecs"), b.array());
    List<InputRecord> bv = read("a.bvecs", 0);
    assertArrayEquals(new float[] {1, 2, 255}, bv.get(0).vector());
    assertArrayEquals(new float[] {0, 128, 7}, bv.get(1).vector());

    Files.write(tmp.resolve("short.bvecs"), java.util.Arrays.copyOf(b.array(), 12));
    assertTrue(badInput("short.bvecs").contains("record 2 is truncated"), badInput("short.bvecs"));
  }

  static byte[] npy(String descr, String shape, ByteBuffer data) throws IOException {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int total = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - total % 64) % 64) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    out.write(header.length() & 0xFF);
    out.write(header.length() >> 8);
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    out.write(data.array());
    return out.toByteArray();
  }

  @Test
  void npyFloat32AndFloat64() throws IOException {
    ByteBuffer f4 = ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) {
      f4.putFloat(i * 0.5f);
    }
    Files.write(tmp.resolve("a.npy"), npy("<f4", "(2, 3)", f4));
    List<InputRecord> r = read("a.npy", 0);
    assertEquals(2, r.size());
    assertArrayEquals(new float[] {1.5f, 2f, 2.5f}, r.get(1).vector());

    ByteBuffer f8 = ByteBuffer.allocate(2 * 8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).putDouble(-2);
    Files.write(tmp.resolve("b.npy"), npy("<f8", "(1, 2)", f8));
    assertArrayEquals(new float[] {0.25f, -2f}, read("b.npy", 0).get(0).vector());

    Files.write(tmp.resolve("c.npy"), npy("<i8", "(1, 2)", f8));
    assertTrue(badInput("c.npy").contains("unsupported dtype '<i8'"));
    Files.write(tmp.resolve("d.npy"), npy("<f4", "(3, 3)", f4));
    assertTrue(badInput("d.npy").contains("truncated at vector 3 of 3"), badInput("d.npy"));
  }

  @Test
  void idxImagesTakeTheirLabelsFromTheFileBeside() throws IOException {
    ByteArrayOutputStream images = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(images);
    d.writeInt(0x803);
    d.writeInt(2);
    d.writeInt(1);
    d.writeInt(2);
    d.write(new byte[] {0, (byte) 255, 10, 20});
    gzip(tmp.resolve("train-images-idx3-ubyte.gz"), images.toByteArray());
    gzip(tmp.resolve("train-labels-idx1-ubyte.gz"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 9, 4});
    List<InputRecord> r = read("train-images-idx3-ubyte.gz", 0);
    assertArrayEquals(new float[] {0, 255}, r.get(0).vector());
    assertEquals(Payload.of("label", 9), r.get(0).payload());
    assertEquals(Payload.of("label", 4), r.get(1).payload());
    assertTrue(badInput("train-labels-idx1-ubyte.gz").contains("import the images file"));
  }

  private static void gzip(Path file, byte[] bytes) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(bytes);
    }
  }

  /** Readers stream: a sink that stops early is never shown, nor fails on, what follows. */
  @Test
  void readersStreamAndStopWhenTheSinkSaysSo() throws IOException {
    text("stop.jsonl", "{\"id\": \"a\", \"vector\": [1, 2]}", "{not json", "{\"id\": \"c\", \"vector\": [5]}");
    text("stop.csv", "1,2", "3,x");
    VectorFiles.writeFvecs(tmp.resolve("stop.fvecs"), new float[][] {{1, 2}, {3, 4}, {5, 6}});
    for (String name : List.of("stop.jsonl", "stop.csv", "stop.fvecs")) {
      Path f = tmp.resolve(name);
      List<InputRecord> seen = new java.util.ArrayList<>();
      RecordReaders.read(f, RecordReaders.detect(f), 0, null, null, r -> seen.add(r) && false);
      assertEquals(1, seen.size(), name);
      assertArrayEquals(new float[] {1, 2}, seen.get(0).vector(), name);
    }
    assertTrue(badInput("stop.jsonl").contains("line 2: invalid JSON"), badInput("stop.jsonl"));
  }

  /** RFC 4180: a quoted cell holds separators, doubled quotes and line breaks (CRLF or LF). */
  @Test
  void csvQuotedCellsMayHoldLineBreaks() throws IOException {
    Files.writeString(tmp.resolve("multi.csv"),
        "id,v0,v1,note\r\n"
            + "a,1,2,\"two\r\nlines, and a \"\"quote\"\"\"\r\n"
            + "b,3,4,\"x\ny\"\r\n"
            + "c,5,oops,z\r\n");
    String message = badInput("multi.csv");
    // c starts on line 6: the quoted line breaks of a and b count
    assertTrue(message.endsWith("line 6: column 'v1' is not a number: 'oops'"), message);
    Files.writeString(tmp.resolve("multi.csv"),
        "id,v0,v1,note\r\n"
            + "a,1,2,\"two\r\nlines, and a \"\"quote\"\"\"\r\n"
            + "b,3,4,\"x\ny\"\r\n");
    List<InputRecord> r = read("multi.csv", 0, 2);
    assertEquals(2, r.size());
    assertEquals(Payload.of("note", "two\r\nlines, and a \"quote\""), r.get(0).payload());
    assertEquals(Payload.of("note", "x\ny"), r.get(1).payload());
    assertEquals("line 4", r.get(1).where());
    assertArrayEquals(new float[] {3, 4}, r.get(1).vector());
  }

  @Test
  void csvWithAndWithoutHeader() throws IOException {
    text("plain.csv", "1,2,3", "4,5,6");
    List<InputRecord> plain = read("plain.csv", 0);
    assertEquals("1", plain.get(1).id());
    assertArrayEquals(new float[] {4, 5, 6}, plain.get(1).vector());

    text("ids.csv", "a,1,2", "b,3,4");
    assertEquals("b", read("ids.csv", 0).get(1).id());
    assertArrayEquals(new float[] {3, 4}, read("ids.csv", 0).get(1).vector());

    text("header.csv", "id,x,y,label,name,price,ok", "p1,0.5,1e-3,3,\"Ankle, boot\",9.5,true", "p2,1,2,4,,1,false");
    // Without the dimension, the vector runs up to the first non-number: label is taken for a component.
    assertEquals(3, read("header.csv", 0).get(0).vector().length);
    List<InputRecord> h = read("header.csv", 0, 2);
    assertArrayEquals(new float[] {0.5f, 0.001f}, h.get(0).vector());
    assertEquals(Payload.of("label", 3, "name", "Ankle, boot", "price", 9.5, "ok", true), h.get(0).payload());
    assertEquals(Payload.of("label", 4, "price", 1, "ok", false), h.get(1).payload());

    text("named.csv", "name,v1,id,v0", "x,2,q,1");
    InputRecord named = read("named.csv", 0).get(0);
    assertEquals("q", named.id());
    assertArrayEquals(new float[] {2, 1}, named.vector());
    assertEquals(Payload.of("name", "x"), named.payload());

    text("tabs.tsv", "1\t2", "3\t4");
    assertArrayEquals(new float[] {3, 4}, read("tabs.tsv", 0).get(1).vector());

    text("bad.csv", "1,2", "3,4", "5,x");
    assertEquals(tmp.resolve("bad.csv") + ": line 3: column 2 is not a number: 'x'", badInput("bad.csv"));
    text("ragged.csv", "1,2", "3,4,5");
    assertTrue(badInput("ragged.csv").endsWith("line 2: expected 2 cells, found 3"), badInput("ragged.csv"));
    text("quote.csv", "id,v0", "\"a,1");
    assertTrue(badInput("quote.csv").contains("quote.csv: line 2: "), badInput("quote.csv"));
  }

  @Test
  void numbersInCells() {
    for (String yes : List.of("0", "-1", "+2.5", ".5", "5.", "1e3", "1E-3", " 7 ", "-0.0e+1")) {
      assertTrue(Vectors.isNumber(yes), yes);
    }
    for (String no : List.of("", " ", "-", ".", "e3", "1e", "1e+", "NaN", "Infinity", "1f", "0x10", "1.2.3", "1 2")) {
      assertTrue(!Vectors.isNumber(no), no);
    }
  }

  @Test
  void jsonLines() throws IOException {
    text("ok.jsonl", "{\"vector\": [1, 2.5], \"payload\": {\"tags\": [\"a\", \"b\"], \"n\": 2}}", "  ", "{\"id\": 7, \"vector\": [0, 1]}");
    List<InputRecord> r = read("ok.jsonl", 100);
    assertEquals("100", r.get(0).id());
    assertEquals(Payload.of("tags", List.of("a", "b"), "n", 2), r.get(0).payload());
    assertEquals("7", r.get(1).id());
    assertEquals("line 3", r.get(1).where());

    text("a.jsonl", "{\"id\": \"x\"}");
    assertTrue(badInput("a.jsonl").endsWith("line 1: missing \"vector\""));
    text("b.jsonl", "{\"id\": \"x\", \"vector\": [1], \"extra\": 1}");
    assertTrue(badInput("b.jsonl").endsWith("line 1: unknown key \"extra\" (expected id, vector, payload)"));
    text("c.jsonl", "{\"vector\": [1]}", "{\"vector\": [1, \"2\"]}");
    assertTrue(badInput("c.jsonl").endsWith("line 2: \"vector\"[1] is not a number: \"2\""), badInput("c.jsonl"));
    text("d.jsonl", "{\"vector\": [1], \"payload\": {\"a\": null}}");
    assertTrue(badInput("d.jsonl").contains("payload field 'a' is null"));
    text("e.jsonl", "{\"vector\": [1], \"payload\": {\"_a\": 1}}");
    assertTrue(badInput("e.jsonl").contains("line 1: payload field names starting with '_' are reserved"), badInput("e.jsonl"));
    text("f.jsonl", "[1, 2]");
    assertTrue(badInput("f.jsonl").contains("line 1: expected a JSON object"));
  }

  @Test
  void progressBarRendering() {
    assertEquals("importing [###############---------------]  50% 5,000/10,000 2,500/s ETA 0:02",
        Progress.render("importing", 5000, 10000, 2_000_000_000L));
    assertEquals("x [##############################] 100% 3/3 3/s ETA done", Progress.render("x", 3, 3, 1_000_000_000L));
    assertEquals("1:01:01", Progress.clock(3661));
    // a pass that does not know its total: the count and the rate, no bar, no ETA
    assertEquals("checking 12,000 6,000/s", Progress.render("checking", 12_000, Progress.UNKNOWN, 2_000_000_000L));
  }
}
