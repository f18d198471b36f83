package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each row of the bad-input table: a specific exception naming the bad value, nothing written. */
class BadInputTest {
  private Iqdb db;
  private VectorCollection cos;

  @BeforeEach
  void setUp() {
    db = Iqdb.openInMemory();
    cos = db.createCollection("cos", CollectionConfig.builder(3, Metric.COSINE).index(IndexSpec.flat()).build());
    cos.upsert("seed", new float[] {1, 0, 0}, Payload.of("year", 2020, "lang", "en"));
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  private <T extends Throwable> T assertNothingWritten(Class<T> type, String mustMention, Executable call) {
    long before = cos.count();
    T e = assertThrows(type, call);
    assertTrue(e.getMessage().contains(mustMention), "message should name '" + mustMention + "': " + e.getMessage());
    assertEquals(before, cos.count());
    assertEquals(Payload.of("year", 2020, "lang", "en"), cos.get("seed").orElseThrow().payload());
    return e;
  }

  @Test
  void wrongDimension() {
    assertNothingWritten(DimensionMismatchException.class, "dimension 2", () -> cos.upsert("x", new float[] {1, 2}));
    assertNothingWritten(DimensionMismatchException.class, "dimension 4", () -> cos.search(new float[4], 1));
  }

  @Test
  void nanOrInfiniteComponent() {
    assertNothingWritten(InvalidVectorException.class, "NaN", () -> cos.upsert("x", new float[] {1, Float.NaN, 0}));
    assertNothingWritten(InvalidVectorException.class, "Infinity",
        () -> cos.upsert("x", new float[] {Float.POSITIVE_INFINITY, 0, 0}));
    assertNothingWritten(InvalidVectorException.class, "NaN", () -> cos.search(new float[] {Float.NaN, 0, 0}, 1));
  }

  @Test
  void zeroVectorUnderCosine() {
    assertNothingWritten(InvalidVectorException.class, "zero vector", () -> cos.upsert("x", new float[3]));
    assertNothingWritten(InvalidVectorException.class, "zero vector", () -> cos.search(new float[3], 1));
  }

  @Test
  void nonUnitVectorUnderDot() {
    VectorCollection dot = db.createCollection("dot", CollectionConfig.builder(2, Metric.DOT).build());
    InvalidVectorException e = assertThrows(InvalidVectorException.class, () -> dot.upsert("x", new float[] {3, 4}));
    assertTrue(e.getMessage().contains("length 5.0"), e.getMessage());
    assertEquals(0, dot.count());
  }

  @Test
  void nullEmptyOrOverlongId() {
    assertNothingWritten(InvalidIdException.class, "null", () -> cos.upsert(null, new float[] {1, 0, 0}));
    assertNothingWritten(InvalidIdException.class, "empty", () -> cos.upsert("", new float[] {1, 0, 0}));
    String longId = "x".repeat(VectorCollection.MAX_ID_BYTES + 1);
    assertNothingWritten(InvalidIdException.class, "513", () -> cos.upsert(longId, new float[] {1, 0, 0}));
    // multi-byte characters count in UTF-8 bytes
    String wide = "é".repeat(VectorCollection.MAX_ID_BYTES / 2 + 1);
    assertNothingWritten(InvalidIdException.class, "514", () -> cos.upsert(wide, new float[] {1, 0, 0}));
    assertNothingWritten(InvalidIdException.class, "surrogate", () -> cos.upsert("a\uD800b", new float[] {1, 0, 0}));
    assertThrows(PayloadException.class, () -> Payload.of("s", "x\uDC00"));
    assertNothingWritten(InvalidIdException.class, "null", () -> cos.get(null));
    assertNothingWritten(InvalidIdException.class, "empty", () -> cos.delete(""));
  }

  @Test
  void badRecordInABatchWritesNothing() {
    List<VectorRecord> batch = List.of(
        VectorRecord.of("ok1", new float[] {1, 0, 0}),
        VectorRecord.of("bad", new float[] {1, 0}),
        VectorRecord.of("ok2", new float[] {0, 1, 0}));
    assertNothingWritten(DimensionMismatchException.class, "record 'bad'", () -> cos.upsertAll(batch));
    assertTrue(cos.get("ok1").isEmpty());
  }

  @Test
  void unknownCollection() {
    CollectionNotFoundException e = assertThrows(CollectionNotFoundException.class, () -> db.collection("nope"));
    assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
  }

  @Test
  void duplicateCollection() {
    CollectionExistsException e = assertThrows(CollectionExistsException.class,
        () -> db.createCollection("cos", CollectionConfig.builder(3, Metric.L2).build()));
    assertTrue(e.getMessage().contains("'cos'"), e.getMessage());
    assertEquals(Metric.COSINE, db.collection("cos").config().metric());
  }

  @Test
  void invalidCollectionName() {
    CollectionConfig c = CollectionConfig.builder(3, Metric.L2).build();
    for (String bad : new String[] {"a/b", "..", "../x", "a\\b", "", " x", "x".repeat(65), "é", ".hidden", "-x"}) {
      InvalidNameException e = assertThrows(InvalidNameException.class, () -> db.createCollection(bad, c));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertThrows(InvalidNameException.class, () -> db.createCollection(null, c));
    assertEquals(List.of("cos"), db.listCollections());
  }

  @Test
  void payloadTypeConflict() {
    PayloadException e = assertNothingWritten(PayloadException.class, "'year'",
        () -> cos.upsert("x", new float[] {1, 0, 0}, Payload.of("year", "twenty")));
    assertTrue(e.getMessage().contains("twenty") && e.getMessage().contains("long"), e.getMessage());
    // a conflict inside one batch
    assertNothingWritten(PayloadException.class, "'tag'", () -> cos.upsertAll(List.of(
        VectorRecord.of("p", new float[] {1, 0, 0}, Payload.of("tag", "a")),
        VectorRecord.of("q", new float[] {1, 0, 0}, Payload.of("tag", true)))));
    assertTrue(cos.get("p").isEmpty());
  }

  @Test
  void badPayloadValues() {
    assertThrows(PayloadException.class, () -> Payload.of("x", new Object()));
    assertThrows(PayloadException.class, () -> Payload.of("x", Double.NaN));
    assertThrows(PayloadException.class, () -> Payload.of("_id", "reserved"));
    assertThrows(PayloadException.class, () -> Payload.of("odd"));
    PayloadException e = assertThrows(PayloadException.class, () -> Payload.of("big", "x".repeat(Payload.MAX_BYTES)));
    assertTrue(e.getMessage().contains("'big'"), e.getMessage());
  }

  @Test
  void filterOnUnknownFieldOrWrongType() {
    float[] q = {1, 0, 0};
    InvalidFilterException unknown = assertThrows(InvalidFilterException.class,
        () -> cos.search(q, 1, Filter.eq("colour", "red")));
    assertTrue(unknown.getMessage().contains("'colour'"), unknown.getMessage());
    InvalidFilterException wrong = assertThrows(InvalidFilterException.class,
        () -> cos.search(q, 1, Filter.eq("year", "2020")));
    assertTrue(wrong.getMessage().contains("'year'") && wrong.getMessage().contains("2020"), wrong.getMessage());
    assertThrows(InvalidFilterException.class, () -> cos.search(q, 1, Filter.range("lang", 1, 2)));
  }

  @Test
  void kOutOfRange() {
    float[] q = {1, 0, 0};
    assertNothingWritten(InvalidArgumentException.class, "k=0", () -> cos.search(q, 0));
    assertNothingWritten(InvalidArgumentException.class, "k=-3", () -> cos.search(q, -3));
    assertNothingWritten(InvalidArgumentException.class, "k=" + (SearchRequest.MAX_K + 1),
        () -> cos.search(q, SearchRequest.MAX_K + 1));
    assertNothingWritten(InvalidArgumentException.class, "k=0", () -> cos.searchBatch(List.of(q), 0));
  }

  @Test
  void targetRecallOutOfRange() {
    SearchRequest r = SearchRequest.of(new float[] {1, 0, 0}, 10);
    assertEquals(SearchRequest.DEFAULT_TARGET_RECALL, r.targetRecall());
    for (double bad : new double[] {0, -0.5, 1.01, Double.NaN}) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> r.targetRecall(bad));
      assertTrue(e.getMessage().contains("targetRecall=" + bad), e.getMessage());
    }
    assertEquals(0.99, r.targetRecall(0.99).targetRecall());
    assertEquals(1.0, r.targetRecall(1).targetRecall());
  }

  @Test
  void badConfig() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> CollectionConfig.builder(0, Metric.L2).build());
    assertTrue(e.getMessage().contains("dimension=0"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> CollectionConfig.builder(4097, Metric.L2).build());
    assertThrows(InvalidArgumentException.class, () -> IndexSpec.hnsw(1, 100));
    assertThrows(InvalidArgumentException.class, () -> IndexSpec.hnsw(16, 0));
  }
}
