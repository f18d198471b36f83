package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a damaged index file is reported now that opening does not read every file: the footers at
 * open, the data in the background after open, by {@link Iqdb#check()}, or all at open on request.
 */
class IntegrityVerificationTest {
  @TempDir Path tmp;
  private Path db;
  private Path largest;

  @BeforeEach
  void build() throws IOException {
    db = tmp.resolve("db");
    try (Iqdb d = Iqdb.open(db)) {
      VectorCollection c = d.createCollection("c",
          CollectionConfig.builder(32, Metric.L2).index(IndexSpec.flat()).build());
      List<VectorRecord> batch = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        float[] v = new float[32];
        v[i % 32] = i;
        batch.add(VectorRecord.of("r" + i, v));
      }
      c.upsertAll(batch);
      d.flush();
    }
    try (Stream<Path> files = Files.list(db.resolve("collections/c/index"))) {
      // The vector data (or the compound file holding it): the bulk of the index.
      largest = files.max(Comparator.comparingLong(IntegrityVerificationTest::size)).orElseThrow();
    }
    assertTrue(size(largest) > 200_000, largest + " holds the vectors");
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Flips one byte in the middle of the file: inside its data, away from header and footer. */
  private static void flipMiddle(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long at = ch.size() / 2;
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 0x5A));
      ch.write(one.rewind(), at);
    }
  }

  @Test
  void aDamagedDataFileIsFoundInTheBackgroundAfterOpenAndRefusedFromThenOn() throws Exception {
    flipMiddle(largest);
    try (Iqdb d = Iqdb.open(db)) {
      VectorCollection c = d.collection("c");
      long deadline = System.nanoTime() + 60_000_000_000L;
      CorruptedException found = null;
      while (found == null && System.nanoTime() < deadline) {
        try {
          c.count();
          Thread.sleep(20);
        } catch (CorruptedException e) {
          found = e;
        }
      }
      if (found == null) {
        fail("the background verification did not report the flip in " + largest.getFileName() + " within 60 s");
      }
      assertTrue(found.file().contains(largest.getFileName().toString()), found.file());
      assertThrows(CorruptedException.class, () -> c.search(new float[32], 1));
      Map<String, String> problems = d.check();
      assertTrue(problems.get("c").contains(largest.getFileName().toString()), problems.toString());
    }
  }

  @Test
  void withoutTheBackgroundPassCheckFindsIt() throws IOException {
    flipMiddle(largest);
    try (Iqdb d = Iqdb.builder().path(db).verifyChecksumsInBackground(false).open()) {
      assertEquals(2000, d.collection("c").count()); // opened fast: the data file was not read
      Map<String, String> problems = d.check();
      assertTrue(problems.containsKey("c"), "check() missed the flip in " + largest.getFileName());
    }
  }

  @Test
  void verifyingAtOpenSetsTheCollectionAsideAtOnce() throws IOException {
    flipMiddle(largest);
    try (Iqdb d = Iqdb.builder().path(db).verifyChecksumsOnOpen(true).open()) {
      StorageException e = assertThrows(StorageException.class, () -> d.collection("c").count());
      CorruptedException cause = assertInstanceOf(CorruptedException.class, e.getCause());
      assertTrue((cause.file() + cause.getMessage()).contains(largest.getFileName().toString()), cause.toString());
    }
  }

  @Test
  void aTruncatedDataFileIsFoundAtOpenByDefault() throws IOException {
    try (FileChannel ch = FileChannel.open(largest, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 7);
    }
    try (Iqdb d = Iqdb.builder().path(db).verifyChecksumsInBackground(false).open()) {
      StorageException e = assertThrows(StorageException.class, () -> d.collection("c").count());
      CorruptedException cause = assertInstanceOf(CorruptedException.class, e.getCause());
      assertTrue((cause.file() + cause.getMessage()).contains(largest.getFileName().toString()), cause.toString());
    }
  }
}
