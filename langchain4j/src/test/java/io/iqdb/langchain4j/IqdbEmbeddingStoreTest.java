package io.iqdb.langchain4j;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import io.iqdb.CollectionConfig;
import io.iqdb.DimensionMismatchException;
import io.iqdb.Durability;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.PayloadException;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's own behaviour beyond LangChain4j's suites: builder, persistence, limits, layout. */
class IqdbEmbeddingStoreTest {

  private static final Embedding E1 = Embedding.from(new float[] {1f, 0f});
  private static final Embedding E2 = Embedding.from(new float[] {0.6f, 0.8f});

  @Test
  void everyMetadataTypeAndValueSurvivesReopening(@TempDir Path dir) {
    UUID uuid = UUID.randomUUID();
    Metadata metadata = new Metadata()
        .put("string", "").put("uuid", uuid)
        .put("int_min", Integer.MIN_VALUE).put("int_max", Integer.MAX_VALUE)
        .put("long_min", Long.MIN_VALUE).put("long_max", Long.MAX_VALUE)
        .put("float_tiny", Float.MIN_VALUE).put("float_max", -Float.MAX_VALUE).put("float_third", 1f / 3)
        .put("float_negzero", -0.0f).put("double_tiny", Double.MIN_VALUE).put("double_max", Double.MAX_VALUE)
        .put("double_negzero", -0.0d).put("key:with:colons", "ok").put("_underscore", 1);
    TextSegment segment = TextSegment.from("Grüße 🌍 and a \"quote\"", metadata);
    String id;
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().path(dir).dimension(2).build()) {
      id = store.add(E1, segment);
    }
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().path(dir).build()) {
      EmbeddingMatch<TextSegment> match = single(store, E1);
      assertEquals(id, match.embeddingId());
      // Metadata.equals compares the value maps, so every value keeps its exact type and value
      assertEquals(segment, match.embedded());
      assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(match.embedded().metadata().getFloat("float_negzero")));
      assertEquals(Double.doubleToRawLongBits(-0.0d), Double.doubleToRawLongBits(match.embedded().metadata().getDouble("double_negzero")));
      assertEquals(E1, match.embedding());
    }
  }

  @Test
  void floatsRoundTripExactly() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 100_000; i++) {
      float f = Float.intBitsToFloat(random.nextInt());
      if (Float.isFinite(f)) {
        assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((float) SegmentPayloads.storedFloat(f)), "float " + f);
      }
    }
    assertEquals(1.1d, SegmentPayloads.storedFloat(1.1f));
  }

  @Test
  void oneKeyMayHoldDifferentTypesInDifferentSegments() {
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      store.add(E1, TextSegment.from("a", new Metadata().put("k", 1)));
      store.add(E2, TextSegment.from("b", new Metadata().put("k", "one")));
      List<EmbeddingMatch<TextSegment>> matches = search(store, E1, 10);
      assertEquals(1, matches.get(0).embedded().metadata().getInteger("k"));
      assertEquals("one", matches.get(1).embedded().metadata().getString("k"));
      assertEquals(List.of("b"), texts(store, metadataKey("k").isEqualTo("one")));
      assertEquals(List.of("a"), texts(store, metadataKey("k").isLessThan(5L)));
    }
  }

  @Test
  void longTextsAreTheRecordText() {
    // 100,000 chars of 3-byte UTF-8 = 300,000 bytes: ten times Lucene's term limit and over iQDB's
    // 64 KiB payload limit, within its 1 MiB text limit. A surrogate pair sits inside.
    StringBuilder text = new StringBuilder("€".repeat(SegmentPayloads.TEXT_CHUNK_CHARS - 1)).append("🌍");
    text.append("€".repeat(100_000 - text.length()));
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      String id = store.add(E1, TextSegment.from(text.toString(), new Metadata().put("k", "v")));
      assertEquals(text.toString(), single(store, E1).embedded().text());
      VectorRecord r = store.collection().get(id).orElseThrow();
      assertEquals(text.toString(), r.text());
      assertEquals(Payload.of("s:k", "v"), r.payload());
    }
  }

  @Test
  void hybridSearchFusesTheQueryTextWhenEnabled() {
    // Both embeddings are equally close to the query; only the text tells them apart.
    Embedding query = Embedding.from(new float[] {1f, 1f});
    Embedding left = Embedding.from(new float[] {1f, 0f});
    Embedding right = Embedding.from(new float[] {0f, 1f});
    for (boolean hybrid : new boolean[] {false, true}) {
      try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2)
          .index(IndexSpec.flat()).hybridSearch(hybrid).build()) {
        store.addAll(List.of("l", "r"), List.of(left, right),
            List.of(TextSegment.from("apples and pears", new Metadata().put("k", "a")),
                TextSegment.from("the iQDB vector database", new Metadata().put("k", "b"))));
        List<EmbeddingMatch<TextSegment>> matches =
            store.search(request(query, 2).query("which database?").build()).matches();
        if (hybrid) {
          assertEquals("r", matches.get(0).embeddingId());
          // r is second by vector (a tie broken by index order) and first by BM25; l first by vector only
          assertEquals(1.0 / 62 + 1.0 / 61, matches.get(0).score(), 1e-6);
          assertEquals(1.0 / 61, matches.get(1).score(), 1e-6);
          // the filter applies to both lists: r is filtered out of the BM25 list too
          List<EmbeddingMatch<TextSegment>> filtered =
              store.search(request(query, 2).query("database").filter(metadataKey("k").isEqualTo("a")).build()).matches();
          assertEquals(List.of("l"), filtered.stream().map(EmbeddingMatch::embeddingId).toList());
          assertEquals(1.0 / 61, filtered.get(0).score(), 1e-6);
        } else {
          assertEquals("l", matches.get(0).embeddingId()); // vector only: the tie in index order
          assertEquals(matches.get(0).score(), matches.get(1).score(), 1e-6);
        }
      }
    }
  }

  @Test
  void unstorableMetadataIsRejectedAndNothingIsWritten() {
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      PayloadException nan = assertThrows(PayloadException.class,
          () -> store.addAll(List.of(E1, E2), List.of(TextSegment.from("ok"), TextSegment.from("nan", new Metadata().put("x", Double.NaN)))));
      assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
      assertThrows(DimensionMismatchException.class, () -> store.add(Embedding.from(new float[] {1f, 0f, 0f})));
      // 40,000 UTF-8 bytes: within iQDB's payload limit, over Lucene's term limit
      PayloadException longString = assertThrows(PayloadException.class,
          () -> store.add(E1, TextSegment.from("long", new Metadata().put("k", "é".repeat(20_000)))));
      assertTrue(longString.getMessage().contains("'k'") && longString.getMessage().contains("40000"), longString.getMessage());
      store.add("still-writable", E1);
      assertEquals(1, store.collection().count());
      store.remove("still-writable");
      assertEquals(0, store.collection().count());
    }
  }

  @Test
  void addedWithoutSegmentMeansNullEmbedded() {
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      store.add("plain", E1);
      EmbeddingMatch<TextSegment> match = single(store, E1);
      assertEquals("plain", match.embeddingId());
      assertNull(match.embedded());
      // a record without metadata satisfies only negations
      assertEquals(1, store.search(request(E1, 10).filter(metadataKey("k").isNotEqualTo("x")).build()).matches().size());
      assertEquals(0, store.search(request(E1, 10).filter(metadataKey("k").isEqualTo("x")).build()).matches().size());
    }
  }

  @Test
  void minScoreAndMaxResults() {
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      store.add("x", E1);
      store.add("y", E2);
      // cosine(E1, E2) = 0.6: relevance 0.8
      List<EmbeddingMatch<TextSegment>> both = search(store, E1, 10);
      assertEquals(1.0, both.get(0).score(), 1e-6);
      assertEquals(0.8, both.get(1).score(), 1e-6);
      assertEquals(1, store.search(request(E1, 10).minScore(0.81).build()).matches().size());
      assertEquals(2, store.search(request(E1, 10).minScore(both.get(1).score()).build()).matches().size());
      assertEquals(1, search(store, E1, 1).size());
      // more than iQDB's largest k is capped, not refused
      assertEquals(2, search(store, E1, SearchRequest.MAX_K + 1).size());
      // without hybridSearch(true) the query text is ignored
      assertEquals(2, store.search(request(E1, 10).query("some words").build()).matches().size());
    }
  }

  @Test
  void removeAllWorksPastOneSearchBatch() {
    int n = SearchRequest.MAX_K + 100; // removal finds matching ids MAX_K at a time
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).index(IndexSpec.flat())
        .durability(Durability.none()).build()) {
      List<Embedding> embeddings = new ArrayList<>();
      List<TextSegment> segments = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        embeddings.add(Embedding.from(new float[] {1f, i}));
        segments.add(TextSegment.from("t", new Metadata().put("keep", i < 10 ? "yes" : "no")));
      }
      store.addAll(embeddings, segments);
      store.add(E2);
      store.removeAll(metadataKey("keep").isEqualTo("no"));
      assertEquals(11, store.collection().count());
      assertEquals(10, store.search(request(E1, 100).filter(metadataKey("keep").isEqualTo("yes")).build()).matches().size());
      store.removeAll();
      assertEquals(0, store.collection().count());
    }
  }

  @Test
  void builderChecksTheCollection() {
    try (Iqdb db = Iqdb.openInMemory()) {
      assertThrows(InvalidArgumentException.class, () -> IqdbEmbeddingStore.builder().build());
      InvalidArgumentException noDim = assertThrows(InvalidArgumentException.class,
          () -> IqdbEmbeddingStore.builder().database(db).collectionName("docs").build());
      assertTrue(noDim.getMessage().contains("'docs'"), noDim.getMessage());
      IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().database(db).collectionName("docs").dimension(2)
          .metric(Metric.DOT).build();
      store.add(E1);
      InvalidArgumentException dim = assertThrows(InvalidArgumentException.class,
          () -> IqdbEmbeddingStore.builder().database(db).collectionName("docs").dimension(3).build());
      assertTrue(dim.getMessage().contains("dimension=3"), dim.getMessage());
      InvalidArgumentException metric = assertThrows(InvalidArgumentException.class,
          () -> IqdbEmbeddingStore.builder().database(db).collectionName("docs").metric(Metric.COSINE).build());
      assertTrue(metric.getMessage().contains("metric=COSINE"), metric.getMessage());
      // a second store on the same collection sees the first one's data; closing it leaves db open
      IqdbEmbeddingStore again = IqdbEmbeddingStore.builder().database(db).collectionName("docs").build();
      assertEquals(1, search(again, E1, 10).size());
      again.close();
      store.close();
      assertFalse(db.isClosed());
      assertEquals(CollectionConfig.builder(2, Metric.DOT).build().dimension(), db.collection("docs").config().dimension());
    }
  }

  @Test
  void recordsWrittenThroughTheCoreApiReadBackWithTheirTaggedFields() {
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      VectorCollection c = store.collection();
      c.upsert("core", E1.vector(), Payload.of("text", List.of("from the core"), "s:lang", "en", "year", 2024));
      TextSegment segment = single(store, E1).embedded();
      // untagged fields ("year") are not LangChain4j metadata and are left out
      assertEquals(TextSegment.from("from the core", new Metadata().put("lang", "en")), segment);
    }
  }

  @Test
  void addAllChecksItsArguments() {
    try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder().inMemory().dimension(2).build()) {
      IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
          () -> store.addAll(List.of("a"), List.of(E1, E2), null));
      assertTrue(sizes.getMessage().contains("same size"), sizes.getMessage());
      assertThrows(IllegalArgumentException.class, () -> store.add((Embedding) null));
      store.addAll(List.of());
      assertEquals(List.of(), store.addAll(List.of()));
      List<String> ids = store.addAll(IntStream.range(0, 3).mapToObj(i -> E1).toList());
      assertEquals(3, ids.stream().distinct().count());
      ids.forEach(UUID::fromString);
    }
  }

  private static EmbeddingSearchRequest.EmbeddingSearchRequestBuilder request(Embedding query, int max) {
    return EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(max);
  }

  private static List<EmbeddingMatch<TextSegment>> search(IqdbEmbeddingStore store, Embedding query, int max) {
    return store.search(request(query, max).build()).matches();
  }

  private static EmbeddingMatch<TextSegment> single(IqdbEmbeddingStore store, Embedding query) {
    List<EmbeddingMatch<TextSegment>> matches = search(store, query, 10);
    assertEquals(1, matches.size());
    return matches.get(0);
  }

  private static List<String> texts(IqdbEmbeddingStore store, dev.langchain4j.store.embedding.filter.Filter filter) {
    return store.search(request(E1, 10).filter(filter).build()).matches().stream()
        .map(m -> m.embedded().text())
        .toList();
  }
}
