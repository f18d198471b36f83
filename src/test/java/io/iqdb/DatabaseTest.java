package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @TempDir Path tmp;

  private static CollectionConfig cfg(int dim) {
    return CollectionConfig.builder(dim, Metric.L2).index(IndexSpec.flat()).build();
  }

  @Test
  void openCreatesDirectoryAndCatalog() {
    Path dir = tmp.resolve("a/b/db");
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(dir.toAbsolutePath(), db.path().orElseThrow());
      assertEquals(List.of(), db.listCollections());
    }
    assertTrue(Files.exists(dir.resolve("catalog_1")));
  }

  @Test
  void inMemoryBehavesAndForgets() {
    try (Iqdb db = Iqdb.openInMemory()) {
      assertTrue(db.path().isEmpty());
      VectorCollection c = db.createCollection("c", cfg(2));
      c.upsert("x", new float[] {1, 2});
      assertEquals(1, c.count());
      db.flush();
    }
    try (Iqdb db = Iqdb.openInMemory()) {
      assertEquals(List.of(), db.listCollections());
    }
  }

  @Test
  void statsAccountTheMemoryOfAnInMemoryIndexAndNoneOnDisk() {
    float[] v = new float[64];
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = db.createCollection("c", cfg(64));
      long empty = c.stats().memoryBytes();
      for (int i = 0; i < 500; i++) {
        v[i % 64] = i;
        c.upsert("r" + i, v);
      }
      db.flush();
      CollectionStats s = c.stats();
      // 500 vectors of 64 floats are 128,000 bytes in the vector data file alone.
      assertTrue(s.memoryBytes() >= empty + 128_000, "memoryBytes=" + s.memoryBytes());
      assertEquals(0, s.indexBytes());
    }
    try (Iqdb db = Iqdb.open(tmp.resolve("disk"))) {
      VectorCollection c = db.createCollection("c", cfg(64));
      c.upsert("x", v);
      db.flush();
      assertEquals(0, c.stats().memoryBytes());
      assertTrue(c.stats().indexBytes() > 0);
    }
  }

  @Test
  void closeIsIdempotentAndEveryCallAfterItFails() {
    Iqdb db = Iqdb.open(tmp.resolve("db"));
    VectorCollection c = db.createCollection("c", cfg(2));
    db.close();
    db.close();
    assertTrue(db.isClosed());
    List<Runnable> calls = List.of(
        () -> db.createCollection("d", cfg(2)),
        () -> db.collection("c"),
        db::listCollections,
        db::flush,
        () -> db.dropCollection("c"),
        () -> c.upsert("x", new float[] {1, 2}),
        () -> c.get("x"),
        () -> c.delete("x"),
        c::count,
        () -> c.search(new float[] {1, 2}, 1),
        c::scan,
        c::stats);
    for (Runnable call : calls) {
      ClosedException e = assertThrows(ClosedException.class, call::run);
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
  }

  @Test
  void secondOpenInThisJvmIsLocked() {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      LockedException e = assertThrows(LockedException.class, () -> Iqdb.open(dir));
      assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    }
    try (Iqdb again = Iqdb.open(dir)) {
      assertFalse(again.isClosed());
    }
  }

  @Test
  void secondOpenFromAnotherProcessIsLocked() throws Exception {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      Process p = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-cp", System.getProperty("java.class.path"),
              OpenOnce.class.getName(), dir.toString())
          .redirectErrorStream(true)
          .start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(3, p.exitValue(), out);
      assertTrue(out.contains("LockedException"), out);
    }
  }

  /** Child process: opens a database and exits 0 if it could, 3 if locked. */
  public static final class OpenOnce {
    /**
     * Entry point.
     *
     * @param args the directory
     */
    public static void main(String[] args) {
      try (Iqdb db = Iqdb.open(Path.of(args[0]))) {
        System.out.println("opened");
        System.exit(0);
      } catch (LockedException e) {
        System.out.println("LockedException: " + e.getMessage());
        System.exit(3);
      }
    }
  }

  @Test
  void nonEmptyForeignDirectoryIsRefusedAndUntouched() throws IOException {
    Path dir = tmp.resolve("photos");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("holiday.jpg"), "not a database");
    NotADatabaseException e = assertThrows(NotADatabaseException.class, () -> Iqdb.open(dir));
    assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("holiday.jpg")), files.toList());
    }
  }

  @Test
  void fileInsteadOfDirectoryIsRefused() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThrows(NotADatabaseException.class, () -> Iqdb.open(file));
  }

  @Test
  void createIfMissingFalseRefusesMissingDatabase() {
    Path dir = tmp.resolve("missing");
    assertThrows(NotADatabaseException.class, () -> Iqdb.builder().path(dir).createIfMissing(false).open());
    assertFalse(Files.exists(dir));
  }

  @Test
  void builderValidatesOptions() {
    assertThrows(InvalidArgumentException.class, () -> Iqdb.builder().open());
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> Iqdb.builder().ramBufferMb(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> Iqdb.builder().durability(null));
    assertThrows(InvalidArgumentException.class, () -> Durability.async(java.time.Duration.ZERO));
  }

  @Test
  void corruptCatalogIsReportedWithItsName() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      db.createCollection("c", cfg(2));
    }
    Path catalog;
    try (Stream<Path> files = Files.list(dir)) {
      catalog = files.filter(p -> p.getFileName().toString().startsWith("catalog_")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(catalog);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(catalog, bytes);
    CorruptedException e = assertThrows(CorruptedException.class, () -> Iqdb.open(dir));
    assertTrue(e.getMessage().contains(catalog.getFileName().toString()), e.getMessage());
  }

  @Test
  void checkReportsCleanCollections() {
    try (Iqdb db = Iqdb.open(tmp.resolve("db"))) {
      VectorCollection c = db.createCollection("c", cfg(2));
      for (int i = 0; i < 50; i++) {
        c.upsert("r" + i, new float[] {i, 1}, Payload.of("i", i));
      }
      assertEquals(java.util.Map.of(), db.check());
    }
  }

  @Test
  void flippedByteInAnIndexFileIsReportedAtOpenNamingTheFile() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.createCollection("c", cfg(8));
      for (int i = 0; i < 200; i++) {
        c.upsert("r" + i, new float[] {i, 1, 2, 3, 4, 5, 6, 7}, Payload.of("i", i));
      }
    }
    Path index = dir.resolve("collections/c/index");
    Path victim;
    try (Stream<Path> files = Files.list(index)) {
      victim = files.filter(p -> p.toString().endsWith(".vec") || p.toString().endsWith(".flat")
              || p.getFileName().toString().contains("Flat"))
          .findFirst()
          .orElseGet(() -> {
            try (Stream<Path> all = Files.list(index)) {
              return all.filter(p -> !p.getFileName().toString().startsWith("segments")
                  && !p.getFileName().toString().equals("write.lock")).findFirst().orElseThrow();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
    }
    byte[] bytes = Files.readAllBytes(victim);
    bytes[bytes.length / 3] ^= 0x01;
    Files.write(victim, bytes);
    // The damaged collection does not keep the database from opening: it refuses calls, naming
    // the file through its cause, and check() reports it.
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      StorageException e = assertThrows(StorageException.class, () -> c.get("r1"));
      CorruptedException cause = assertInstanceOf(CorruptedException.class, e.getCause());
      assertTrue(cause.getMessage().contains(victim.getFileName().toString()), cause.getMessage());
      assertTrue(e.getMessage().contains("could not be opened"), e.getMessage());
      assertTrue(db.check().get("c").contains(victim.getFileName().toString()), db.check().toString());
      assertTrue(db.dropCollection("c"));
      assertFalse(Files.exists(dir.resolve("collections/c")));
    }
  }
}
