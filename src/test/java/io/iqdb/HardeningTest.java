package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.internal.FaultHooks;
import io.iqdb.internal.wal.WalEntry;
import io.iqdb.internal.wal.WalOptions;
import io.iqdb.internal.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import io.iqdb.internal.PayloadCodec;
import io.iqdb.internal.Schema;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No input and no fault can brick a database (issue 11's defects, one test each). */
class HardeningTest {
  @TempDir Path tmp;

  private static CollectionConfig cfg(int dim) {
    return CollectionConfig.builder(dim, Metric.L2).index(IndexSpec.flat()).build();
  }

  @Test
  void keywordOverLucenesTermLimitIsRefusedBeforeAnythingIsWritten() {
    PayloadException e =
        assertThrows(PayloadException.class, () -> Payload.of("title", "x".repeat(40_000)));
    assertTrue(e.getMessage().contains("'title'") && e.getMessage().contains("40000")
        && e.getMessage().contains(String.valueOf(Payload.MAX_KEYWORD_BYTES)), e.getMessage());
    // Multi-byte: 11,000 chars of 3 UTF-8 bytes each are 33,000 bytes.
    e = assertThrows(PayloadException.class, () -> Payload.of("t", "€".repeat(11_000)));
    assertTrue(e.getMessage().contains("33000"), e.getMessage());
    e = assertThrows(PayloadException.class, () -> Payload.of("tags", List.of("ok", "y".repeat(32_767))));
    assertTrue(e.getMessage().contains("'tags'"), e.getMessage());
    assertThrows(InvalidFilterException.class, () -> Filter.eq("title", "x".repeat(40_000)));

    Path dir = tmp.resolve("db");
    String longest = "a".repeat(Payload.MAX_KEYWORD_BYTES);
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.createCollection("c", cfg(2));
      c.upsert("max", new float[] {1, 0}, Payload.of("title", longest, "tags", List.of("é".repeat(16_000))));
    }
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      assertEquals(longest, c.get("max").orElseThrow().payload().getString("title"));
      assertEquals(1, c.search(SearchRequest.of(new float[] {1, 0}, 3).filter(Filter.eq("title", longest))).size());
      c.upsert("after", new float[] {0, 1});
      assertEquals(2, c.count());
    }
  }

  @Test
  void subMillisecondAsyncIntervalSurvivesTheCatalog() {
    Path dir = tmp.resolve("db");
    Durability d = Durability.async(Duration.ofNanos(500_000));
    try (Iqdb db = Iqdb.open(dir)) {
      db.createCollection("c", CollectionConfig.builder(2, Metric.L2).durability(d).build())
          .upsert("a", new float[] {1, 2});
    }
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(d, db.collection("c").config().durability());
      assertEquals(1, db.collection("c").count());
    }
    assertThrows(InvalidArgumentException.class, () -> Durability.async(Duration.ofDays(2)));
  }

  @Test
  void noneDurabilityKeepsNoLogFiles() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.builder().path(dir).durability(Durability.sync()).open()) {
      db.createCollection("c", cfg(2)).upsert("a", new float[] {1, 2}); // leaves a log behind
    }
    try (Iqdb db = Iqdb.builder().path(dir).durability(Durability.none()).open()) {
      db.collection("c").upsert("b", new float[] {3, 4}); // replays and empties the old log first
    }
    TreeSet<String> first = files(dir);
    assertTrue(first.stream().noneMatch(f -> f.contains("/wal/")), first.toString());
    for (int i = 0; i < 100; i++) {
      try (Iqdb db = Iqdb.builder().path(dir).durability(Durability.none()).open()) {
        assertEquals(2, db.collection("c").count());
      }
      assertEquals(first, files(dir));
    }
  }

  private static TreeSet<String> files(Path dir) throws IOException {
    TreeSet<String> files = new TreeSet<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(Files::isRegularFile).forEach(p -> files.add(dir.relativize(p).toString()));
    }
    return files;
  }

  /** Appends batches to a closed collection's log as if a crash had come before the next commit. */
  static void appendToLog(Path dir, String collection, List<List<WalEntry>> batches) throws IOException {
    try (WriteAheadLog wal =
        WriteAheadLog.open(dir.resolve("collections").resolve(collection).resolve("wal"), WalOptions.defaults(), 0,
            (seq, batch) -> {})) {
      long last = 0;
      for (List<WalEntry> b : batches) {
        last = wal.append(b);
      }
      wal.sync(last);
    }
  }

  static byte[] payloadBytes(String field, String value) throws IOException {
    // PayloadCodec's layout, written by hand: Payload itself refuses such a value now.
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    out.writeVInt(1);
    out.writeString(field);
    out.writeByte((byte) 1);
    out.writeString(value);
    return out.toArrayCopy();
  }

  @Test
  void unappliableLogRecordsAreQuarantinedAndTheRestReplayed() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      db.createCollection("c", cfg(2));
      db.createCollection("other", cfg(2)).upsert("o", new float[] {1, 1});
    }
    appendToLog(dir, "c", List.of(
        List.of(WalEntry.upsert("a", new float[] {1, 0}, payloadBytes("f", "ok"))),
        // what 0.1.0 let through: one keyword longer than Lucene's term limit
        List.of(WalEntry.upsert("immense", new float[] {1, 1}, payloadBytes("f", "x".repeat(40_000)))),
        // malformed payload bytes
        List.of(WalEntry.upsert("garbage", new float[] {1, 1}, new byte[] {5, 1, 2})),
        // a batch whose second record conflicts with the first: refused whole
        List.of(WalEntry.upsert("b1", new float[] {0, 1}, payloadBytes("g", "s")),
            WalEntry.upsert("b2", new float[] {0, 1}, new byte[] {1, 1, 'g', 2, 0, 0, 0, 0, 0, 0, 0, 7})),
        List.of(WalEntry.upsert("z", new float[] {0, 1}, payloadBytes("f", "last")))));
    for (int round = 0; round < 2; round++) {
      try (Iqdb db = Iqdb.open(dir)) {
        VectorCollection c = db.collection("c");
        assertTrue(c.get("a").isPresent());
        assertTrue(c.get("z").isPresent());
        for (String gone : List.of("immense", "garbage", "b1", "b2")) {
          assertEquals(Optional.empty(), c.get(gone), gone);
        }
        assertEquals(3, c.stats().quarantined());
        assertTrue(db.check().get("c").contains("quarantined"), db.check().toString());
        assertEquals(1, db.collection("other").count());
        c.upsert("new", new float[] {1, 1}, Payload.of("f", "fine"));
      }
    }
    try (Stream<Path> q = Files.list(dir.resolve("collections/c/quarantine"))) {
      assertEquals(3, q.count());
    }
  }

  @Test
  void aCollectionWhoseIndexIsDestroyedDoesNotStopTheDatabase() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      db.createCollection("broken", cfg(2)).upsert("x", new float[] {1, 2});
      db.createCollection("fine", cfg(2)).upsert("y", new float[] {1, 2});
    }
    try (Stream<Path> files = Files.list(dir.resolve("collections/broken/index"))) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(List.of("broken", "fine"), db.listCollections());
      assertEquals(1, db.collection("fine").count());
      db.collection("fine").upsert("z", new float[] {3, 4});
      StorageException e = assertThrows(StorageException.class, () -> db.collection("broken").count());
      assertTrue(e.getMessage().contains("'broken' could not be opened") && e.getMessage().contains("drop"),
          e.getMessage());
      assertThrows(StorageException.class, () -> db.collection("broken").upsert("q", new float[] {1, 1}));
      assertTrue(db.check().containsKey("broken"));
      db.flush(); // skips the broken collection
    }
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(2, db.collection("fine").count());
      assertTrue(db.dropCollection("broken"));
      db.createCollection("broken", cfg(2)).upsert("again", new float[] {1, 1});
    }
  }

  @Test
  void aCorruptedLogRecordInTheMiddleBreaksOnlyItsCollection() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      db.createCollection("c", cfg(2));
      db.createCollection("fine", cfg(2)).upsert("y", new float[] {1, 2});
    }
    List<List<WalEntry>> batches = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batches.add(List.of(WalEntry.upsert("r" + i, new float[] {i, 1}, payloadBytes("f", "v" + i))));
    }
    appendToLog(dir, "c", batches);
    Path log;
    try (Stream<Path> files = Files.list(dir.resolve("collections/c/wal"))) {
      log = files.filter(p -> p.getFileName().toString().endsWith(".log"))
          .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(log);
    int middle = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("r10");
    bytes[middle] ^= 0x20;
    Files.write(log, bytes);
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(1, db.collection("fine").count());
      StorageException e = assertThrows(StorageException.class, () -> db.collection("c").get("r1"));
      CorruptedException cause = assertInstanceOf(CorruptedException.class, e.getCause());
      assertTrue(cause.getMessage().contains(log.getFileName().toString()), cause.getMessage());
    }
  }

  /**
   * Adds a record with an extra field "f" to the index behind iQDB's back, as points: iQDB's schema
   * does not know the field, Lucene's does.
   */
  static void addForeignField(Path dir, String collection) throws IOException {
    try (Directory d = FSDirectory.open(dir.resolve("collections").resolve(collection).resolve("index"));
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
      Map<String, String> userData = new java.util.HashMap<>();
      w.getLiveCommitData().forEach(e -> userData.put(e.getKey(), e.getValue()));
      Document doc = new Schema(null, VectorSimilarityFunction.EUCLIDEAN)
          .document("foreign", new float[] {5, 5}, Payload.empty(), null, PayloadCodec.encode(Payload.empty()));
      doc.add(new LongPoint("f", 1));
      w.addDocument(doc);
      w.setLiveCommitData(userData.entrySet());
      w.commit();
    }
  }

  @Test
  void aWriteLuceneRefusesFailsOnlyThatCallAndReachesNeitherLogNorIndex() throws IOException {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      db.createCollection("c", cfg(2)).upsert("before", new float[] {1, 1});
    }
    addForeignField(dir, "c");
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> c.upsert("refused", new float[] {1, 2}, Payload.of("f", "text")));
      assertTrue(e.getMessage().contains("refused"), e.getMessage());
      assertThrows(InvalidArgumentException.class, () -> c.upsertAll(List.of(
          VectorRecord.of("b1", new float[] {1, 2}, Payload.of("g", "fine")),
          VectorRecord.of("b2", new float[] {1, 2}, Payload.of("f", "text")),
          VectorRecord.of("before", new float[] {9, 9}))));
      assertEquals(Optional.empty(), c.get("b1"));
      assertEquals(new float[] {1, 1}[0], c.get("before").orElseThrow().vector()[0]);
      // The collection still takes writes, a new field "g" included.
      c.upsert("after", new float[] {2, 2}, Payload.of("g", "x"));
    }
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      assertEquals(Optional.empty(), c.get("refused"));
      assertEquals(Optional.empty(), c.get("b1"));
      assertTrue(c.get("after").isPresent());
      assertEquals(0, c.stats().quarantined());
    }
  }

  /**
   * Lucene's index writer can fail a write without a tragic exception after buffering it whole
   * (here: deleting the files a flushed compound file replaced; see {@code WriteFailures}). The
   * write is in the index, so it is logged and acknowledged: the collection keeps taking writes and
   * the write survives a reopen.
   */
  @Test
  void aWriteLuceneFailsAfterBufferingItWholeIsLoggedAndStands() throws IOException {
    Path dir = tmp.resolve("db").toAbsolutePath();
    AtomicBoolean failDeletes = new AtomicBoolean();
    AtomicInteger failedDeletes = new AtomicInteger();
    FaultHooks hooks = FaultHooks.NONE.withDirectoryWrapper(d -> {
      boolean index = d instanceof FSDirectory fs && fs.getDirectory().getFileName().toString().equals("index");
      return !index ? d : new FilterDirectory(d) {
        @Override
        public void deleteFile(String name) throws IOException {
          // Temporary files are deleted inside the flush itself, which is aborting (tragic); the
          // files a compound file replaced are deleted after it, in the same call.
          if (failDeletes.get() && !name.endsWith(".tmp")) {
            failedDeletes.incrementAndGet();
            throw new IOException("simulated failure deleting " + name);
          }
          super.deleteFile(name);
        }
      };
    });
    // A tiny indexing buffer: every upsert flushes a segment inside the writing call.
    try (Iqdb db = Iqdb.builder().path(dir).ramBufferMb(0.001).faultHooks(hooks).open()) {
      VectorCollection c = db.createCollection("c", cfg(2));
      c.upsert("a", new float[] {1, 1});
      failDeletes.set(true);
      c.upsert("b", new float[] {2, 2});
      assertTrue(failedDeletes.get() > 0, "the fault fired");
      failDeletes.set(false);
      assertTrue(c.get("b").isPresent());
      c.upsert("c", new float[] {3, 3});
      assertEquals(3, c.count());
    }
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      for (String id : List.of("a", "b", "c")) {
        assertTrue(c.get(id).isPresent(), id);
      }
      assertEquals(3, c.count());
      assertEquals(0, c.stats().quarantined());
    }
  }

  @Test
  void closeRacingWritesGivesClosedException() throws Exception {
    for (int round = 0; round < 20; round++) {
      Iqdb db = Iqdb.open(tmp.resolve("db" + round));
      VectorCollection c = db.createCollection("c", cfg(2));
      AtomicBoolean bad = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int id = t;
        writers.add(Thread.startVirtualThread(() -> {
          for (int i = 0; ; i++) {
            try {
              c.upsert("w" + id + "-" + i, new float[] {i, id});
            } catch (ClosedException e) {
              return;
            } catch (RuntimeException e) {
              e.printStackTrace();
              bad.set(true);
              return;
            }
          }
        }));
      }
      Thread.sleep(5);
      db.close();
      for (Thread w : writers) {
        w.join();
      }
      assertFalse(bad.get(), "a write racing close threw something other than ClosedException");
    }
  }

  @Test
  void aFailedDirectoryFsyncAfterTheCatalogRenameKeepsTheCollectionsFiles() throws IOException {
    Path dir = tmp.resolve("db").toAbsolutePath();
    AtomicBoolean failRootSync = new AtomicBoolean();
    FaultHooks hooks = FaultHooks.NONE.withDirectoryWrapper(d -> {
      boolean root = d instanceof FSDirectory fs && fs.getDirectory().equals(dir);
      return !root ? d : new FilterDirectory(d) {
        @Override
        public void syncMetaData() throws IOException {
          if (failRootSync.get()) {
            throw new IOException("simulated directory fsync failure");
          }
          super.syncMetaData();
        }
      };
    });
    try (Iqdb db = Iqdb.builder().path(dir).ramBufferMb(16).faultHooks(hooks).open()) {
      failRootSync.set(true);
      assertThrows(StorageException.class, () -> db.createCollection("c", cfg(2)));
      failRootSync.set(false);
    }
    // The rename happened, so the catalog names the collection: it must still be there.
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(List.of("c"), db.listCollections());
      db.collection("c").upsert("a", new float[] {1, 1});
      assertEquals(1, db.collection("c").count());
    }
  }

  @Test
  void vectorsBeyondFloatArithmeticAreRefused() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection l2 = db.createCollection("l2", cfg(2));
      InvalidVectorException e =
          assertThrows(InvalidVectorException.class, () -> l2.upsert("big", new float[] {1e25f, 1e25f}));
      assertTrue(e.getMessage().contains("too large"), e.getMessage());
      l2.upsert("fine", new float[] {1e18f, 1e18f});
      assertThrows(InvalidVectorException.class, () -> l2.search(new float[] {-3.5e23f, 0}, 1));
      VectorCollection cos = db.createCollection("cos", CollectionConfig.builder(2, Metric.COSINE).build());
      e = assertThrows(InvalidVectorException.class, () -> cos.upsert("tiny", new float[] {1e-25f, 0}));
      assertTrue(e.getMessage().contains("too small"), e.getMessage());
      assertThrows(InvalidVectorException.class, () -> cos.search(new float[] {1.4e-45f, 0}, 1));
      assertEquals(0, cos.count());
    }
  }

  @Test
  void anEmptyListGivesItsFieldNoTypeBeforeOrAfterReopen() {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.createCollection("c", cfg(2));
      c.upsert("a", new float[] {1, 1}, Payload.of("tags", List.of()));
      assertThrows(InvalidFilterException.class, () -> c.search(new float[] {1, 1}, 1, Filter.in("tags", "x")));
    }
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      assertThrows(InvalidFilterException.class, () -> c.search(new float[] {1, 1}, 1, Filter.in("tags", "x")));
      c.upsert("b", new float[] {1, 1}, Payload.of("tags", "now a keyword"));
      assertEquals(1, c.search(new float[] {1, 1}, 5, Filter.eq("tags", "now a keyword")).size());
    }
  }

  @Test
  void doubleBoundsBeyondTheLongRangeDoNotSaturate() {
    try (Iqdb db = Iqdb.openInMemory()) {
      VectorCollection c = db.createCollection("c", cfg(2));
      c.upsert("max", new float[] {1, 1}, Payload.of("f", Long.MAX_VALUE));
      c.upsert("min", new float[] {1, 1}, Payload.of("f", Long.MIN_VALUE));
      c.upsert("zero", new float[] {1, 1}, Payload.of("f", 0L));
      float[] q = {1, 1};
      assertEquals(0, c.search(q, 5, Filter.range("f", 9.223372036854776E18, null)).size());
      assertEquals(0, c.search(q, 5, Filter.range("f", null, -9.3e18)).size());
      assertEquals(0, c.search(q, 5, Filter.range("f", Double.POSITIVE_INFINITY, null)).size());
      assertEquals(3, c.search(q, 5, Filter.range("f", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)).size());
      assertEquals(2, c.search(q, 5, Filter.range("f", -9.223372036854776E18, 0.5)).size());
      assertEquals(1, c.search(q, 5, Filter.range("f", Long.MAX_VALUE, null)).size());
    }
  }

  @Test
  void quantizedHnswWithNoCandidateReturnsNoHits() {
    try (Iqdb db = Iqdb.openInMemory()) {
      for (Quantization q : List.of(Quantization.INT8, Quantization.INT7, Quantization.INT4)) {
        VectorCollection c = db.createCollection("q" + q.ordinal(),
            CollectionConfig.builder(4, Metric.L2).index(IndexSpec.hnsw().withQuantization(q)).build());
        assertEquals(List.of(), c.search(new float[] {1, 2, 3, 4}, 3));
        c.upsert("a", new float[] {1, 2, 3, 4}, Payload.of("f", "x"));
        assertEquals(List.of(), c.search(new float[] {1, 2, 3, 4}, 3, Filter.eq("f", "nothing")));
        assertEquals(1, c.search(new float[] {1, 2, 3, 4}, 3, Filter.eq("f", "x")).size());
      }
    }
  }

  @Test
  void oldCatalogsStillOpenAndAreReplaced() throws IOException {
    Path dir = tmp.resolve("db");
    Files.createDirectories(dir);
    // A 0.1.0 catalog naming no collection: magic, version 1, count 0, CRC32C.
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    out.writeInt(0x49514443);
    out.writeInt(1);
    out.writeInt(0);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    Files.write(dir.resolve("catalog.iqdb"), bytes.toByteArray());
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(List.of(), db.listCollections());
      db.createCollection("c", cfg(2));
    }
    assertFalse(Files.exists(dir.resolve("catalog.iqdb")));
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(List.of("c"), db.listCollections());
    }
  }
}
