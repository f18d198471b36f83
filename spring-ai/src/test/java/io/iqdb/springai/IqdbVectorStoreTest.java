package io.iqdb.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.PayloadException;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationContext;

/** The store's own contract: metadata types, scores, thresholds, deletes, errors, persistence. */
class IqdbVectorStoreTest {

  private static final EmbeddingModel MODEL = MiniLmEmbeddingModel.INSTANCE;

  private static SearchRequest.Builder all(String query) {
    return SearchRequest.builder().query(query).topK(100).similarityThresholdAll();
  }

  @Test
  void metadataComesBackWithTheTypesGiven() {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("string", "text");
    metadata.put("integer", 42);
    metadata.put("long", 1L << 40);
    metadata.put("short", (short) -7);
    metadata.put("byte", (byte) 3);
    metadata.put("float", 0.1f);
    metadata.put("double", 0.1);
    metadata.put("boolean", false);
    metadata.put("list", List.of("a", "b"));
    metadata.put("emptyList", List.of());
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      store.add(List.of(Document.builder().id("d1").text("typed metadata").metadata(metadata).build()));
      Document hit = store.similaritySearch(all("typed metadata").build()).get(0);
      assertEquals("d1", hit.getId());
      assertEquals("typed metadata", hit.getText());
      Map<String, Object> back = new HashMap<>(hit.getMetadata());
      assertTrue(back.remove(DocumentMetadata.DISTANCE.value()) instanceof Double);
      assertEquals(metadata, back);
      for (Map.Entry<String, Object> e : metadata.entrySet()) {
        assertEquals(e.getValue().getClass(), back.get(e.getKey()).getClass(), e.getKey());
      }
    }
  }

  @Test
  void scoreIsTheCosineSimilarityAndTheThresholdAppliesToIt() {
    List<String> texts = List.of(
        "The cat sleeps on the sofa",
        "A kitten naps on the couch",
        "Interest rates rose again this quarter",
        "The central bank raised rates");
    String query = "The cat sleeps on the sofa";
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        docs.add(Document.builder().id("t" + i).text(texts.get(i)).build());
      }
      store.add(docs);
      List<Document> hits = store.similaritySearch(all(query).build());
      assertEquals(4, hits.size());
      assertEquals("t0", hits.get(0).getId());
      float[] q = MODEL.embed(query);
      for (Document hit : hits) {
        double cos = cosine(q, MODEL.embed(hit.getText()));
        assertEquals(Math.max(0, cos), hit.getScore(), 1e-4, hit.getId());
        assertEquals(1 - cos, (Double) hit.getMetadata().get(DocumentMetadata.DISTANCE.value()), 1e-4);
      }
      assertEquals(1.0, hits.get(0).getScore(), 1e-4);
      for (int i = 1; i < hits.size(); i++) {
        assertTrue(hits.get(i - 1).getScore() >= hits.get(i).getScore());
      }
      // A threshold between the second and the third score keeps exactly two documents.
      double between = (hits.get(1).getScore() + hits.get(2).getScore()) / 2;
      assertNotEquals(hits.get(1).getScore(), hits.get(2).getScore());
      List<Document> above = store.similaritySearch(all(query).similarityThreshold(between).build());
      assertEquals(hits.subList(0, 2).stream().map(Document::getId).toList(),
          above.stream().map(Document::getId).toList());
      assertEquals(1, store.similaritySearch(all(query).topK(1).build()).size());
      assertEquals(List.of(), store.similaritySearch(all(query).topK(0).build()));
      assertEquals(0, store.similaritySearch(all("anything").similarityThreshold(1.0).build()).size());
    }
  }

  @Test
  void l2ScoresAndDistances() {
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).metric(Metric.L2).build();
      store.add(List.of(new Document("a", "red apples", Map.of()), new Document("b", "green pears", Map.of())));
      float[] q = MODEL.embed("red apples");
      for (Document hit : store.similaritySearch(all("red apples").build())) {
        float[] v = MODEL.embed(hit.getText());
        double d2 = 0;
        for (int i = 0; i < q.length; i++) {
          d2 += (q[i] - v[i]) * (q[i] - v[i]);
        }
        assertEquals(1 / (1 + d2), hit.getScore(), 1e-4);
        assertEquals(Math.sqrt(d2), (Double) hit.getMetadata().get("distance"), 1e-3);
      }
    }
  }

  @Test
  void deleteByFilterTextAndExpression() {
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      store.add(FilterExpressionTest.documents());
      store.delete("country == 'UK' && year >= 2021");
      assertEquals(5, store.collection().count());
      assertTrue(store.collection().get("uk23").isEmpty());
      store.delete(new org.springframework.ai.vectorstore.filter.FilterExpressionBuilder()
          .or(new org.springframework.ai.vectorstore.filter.FilterExpressionBuilder().isNull("year"),
              new org.springframework.ai.vectorstore.filter.FilterExpressionBuilder().eq("active", false))
          .build());
      assertEquals(List.of("de24", "none", "uk20"),
          store.similaritySearch(all("x").build()).stream().map(Document::getId).sorted().toList());
      store.delete("planet == 'Mars'"); // unknown key: deletes nothing, does not fail
      assertEquals(3, store.collection().count());
    }
  }

  @Test
  void emptyStoreSearchesAndDeletesByFilterWithoutError() {
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      assertEquals(List.of(), store.similaritySearch(all("q").filterExpression("year >= 2020").build()));
      store.delete("country == 'UK'");
      store.delete(List.of("missing"));
      assertEquals(0, store.collection().count());
    }
  }

  /** More matches than one search page ({@link io.iqdb.SearchRequest#MAX_K}): all are deleted. */
  @Test
  void deleteByFilterRemovesMoreThanOnePage() {
    try (Iqdb db = Iqdb.openInMemory()) {
      // A flat (exact) index: this test is about paging through deletes, not about the graph.
      IqdbVectorStore store = IqdbVectorStore.builder(db, new HashEmbeddingModel()).index(IndexSpec.flat()).build();
      int n = io.iqdb.SearchRequest.MAX_K + 500;
      List<Document> docs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        docs.add(new Document("d" + i, "doc " + i, Map.of("even", i % 2 == 0, "i", i)));
      }
      docs.add(new Document("keep", "keep me", Map.of("i", -1)));
      store.add(docs);
      store.delete("i >= 0");
      assertEquals(1, store.collection().count());
      assertTrue(store.collection().get("keep").isPresent());
    }
  }

  @Test
  void addingAnExistingIdReplacesTheDocument() {
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      store.add(List.of(new Document("same", "first version", Map.of("v", 1))));
      store.add(List.of(new Document("same", "second version", Map.of("v", 2))));
      List<Document> hits = store.similaritySearch(all("version").build());
      assertEquals(1, hits.size());
      assertEquals("second version", hits.get(0).getText());
      assertEquals(2, hits.get(0).getMetadata().get("v"));
    }
  }

  @Test
  void badDocumentsFailWithTheirNameAndNothingOfTheBatchIsWritten() {
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      Document good = new Document("good", "fine", Map.of("k", "v"));
      assertBadBatch(store, good, new Document("r1", "t", Map.of("doc_content", "x")), "doc_content");
      assertBadBatch(store, good, new Document("r2", "t", Map.of("doc_metadata_types", "x")), "doc_metadata_types");
      assertBadBatch(store, good, new Document("r3", "t", Map.of("_hidden", 1)), "_hidden");
      assertBadBatch(store, good, new Document("r4", "t", Map.of("when", new Date(0))), "document 'r4'");
      assertBadBatch(store, good, new Document("r4", "t", Map.of("when", new Date(0))), "java.util.Date");
      assertBadBatch(store, good, new Document("r5", "t", Map.of("nan", Double.NaN)), "nan");
      assertBadBatch(store, good, new Document("r6", "t", Map.of("nums", List.of(1, 2))), "nums");
      String longText = "x".repeat(40_000); // over Lucene's term limit: refused as a metadata value
      assertBadBatch(store, good, new Document("r8", "t", Map.of("long", longText)), "long");
      // The text is the record's text: up to 1 MiB, checked before the batch is embedded.
      String tooLong = "é".repeat(VectorCollection.MAX_TEXT_BYTES / 2 + 1);
      InvalidArgumentException text = assertThrows(InvalidArgumentException.class,
          () -> store.add(List.of(good, new Document("r7", tooLong, Map.of()))));
      assertTrue(text.getMessage().contains("'r7'") && text.getMessage().contains(String.valueOf(VectorCollection.MAX_TEXT_BYTES + 2)),
          text.getMessage());
      // A key's kind is fixed by its first value: an Integer key cannot later hold a Double.
      store.add(List.of(new Document("n1", "t", Map.of("n", 1))));
      assertBadBatch(store, good, new Document("n2", "t", Map.of("n", 1.5)), "'n'");
      assertEquals(1, store.collection().count());
    }
  }

  @Test
  void theTextIsTheRecordTextAndLongTextsFit() {
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      // 33,628 bytes: over the old one-term limit (32,766), under the embedding batcher's 8,191 tokens
      String text = "internationalization ".repeat(1_600) + "a document about vector search";
      store.add(List.of(new Document("long", text, Map.of("k", "v"))));
      VectorRecord r = store.collection().get("long").orElseThrow();
      assertEquals(text, r.text());
      assertEquals(io.iqdb.Payload.of("k", "v"), r.payload());
      assertEquals(text, store.similaritySearch(all("vector search").build()).get(0).getText());
      // Records written before record texts (text in the content field) still read back.
      store.collection().upsert("old", r.vector(), io.iqdb.Payload.of("doc_content", "old text"));
      assertTrue(store.similaritySearch(all("vector search").build()).stream().anyMatch(d -> d.getText().equals("old text")));
      // The text is indexed for BM25 in the core.
      assertEquals(List.of("long"), store.collection().search(io.iqdb.SearchRequest.ofText("documents document", 5))
          .stream().map(io.iqdb.Hit::id).toList());
    }
  }

  private static void assertBadBatch(IqdbVectorStore store, Document good, Document bad, String named) {
    long before = store.collection().count();
    PayloadException e = assertThrows(PayloadException.class, () -> store.add(List.of(good, bad)));
    assertTrue(e.getMessage().contains(named), e.getMessage());
    assertEquals(before, store.collection().count());
  }

  @Test
  void builderChecksItsOptionsAndAnExistingCollection() {
    try (Iqdb db = Iqdb.openInMemory()) {
      InvalidArgumentException mip = assertThrows(InvalidArgumentException.class,
          () -> IqdbVectorStore.builder(db, MODEL).metric(Metric.MAX_INNER_PRODUCT).build());
      assertTrue(mip.getMessage().contains("MAX_INNER_PRODUCT"));
      assertThrows(InvalidArgumentException.class,
          () -> IqdbVectorStore.builder(db, MODEL).contentFieldName("_text").build());
      IqdbVectorStore.builder(db, MODEL).collectionName("c").build();
      InvalidArgumentException dim = assertThrows(InvalidArgumentException.class,
          () -> IqdbVectorStore.builder(db, MODEL).collectionName("c").dimensions(8).build());
      assertTrue(dim.getMessage().contains("dimension 384"), dim.getMessage());
      assertThrows(InvalidArgumentException.class,
          () -> IqdbVectorStore.builder(db, MODEL).collectionName("c").metric(Metric.L2).build());
    }
  }

  @Test
  void documentsSurviveReopening(@TempDir Path dir) {
    try (Iqdb db = Iqdb.open(dir.resolve("rag.iqdb"))) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).collectionName("docs").build();
      store.add(List.of(new Document("p1", "persisted text", Map.of("year", 2024, "w", 0.5f))));
    }
    try (Iqdb db = Iqdb.open(dir.resolve("rag.iqdb"))) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).collectionName("docs").build();
      Document hit = store.similaritySearch(all("persisted").filterExpression("year == 2024").build()).get(0);
      assertEquals("persisted text", hit.getText());
      assertEquals(2024, hit.getMetadata().get("year"));
      assertEquals(0.5f, hit.getMetadata().get("w"));
    }
  }

  @Test
  void nativeClientIsTheCollection() {
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).build();
      VectorCollection c = store.<VectorCollection>getNativeClient().orElseThrow();
      assertSame(store.collection(), c);
      assertEquals(IqdbVectorStore.DEFAULT_COLLECTION, c.name());
    }
  }

  @Test
  void operationsAreObserved() {
    List<VectorStoreObservationContext> seen = new CopyOnWriteArrayList<>();
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
      @Override
      public boolean supportsContext(Observation.Context context) {
        return context instanceof VectorStoreObservationContext;
      }

      @Override
      public void onStop(Observation.Context context) {
        seen.add((VectorStoreObservationContext) context);
      }
    });
    try (Iqdb db = Iqdb.openInMemory()) {
      IqdbVectorStore store = IqdbVectorStore.builder(db, MODEL).observationRegistry(registry).build();
      store.add(List.of(new Document("o1", "observed", Map.of())));
      List<Document> hits = store.similaritySearch(all("observed").build());
      store.delete(List.of("o1"));
      assertEquals(List.of("add", "query", "delete"),
          seen.stream().map(VectorStoreObservationContext::getOperationName).toList());
      VectorStoreObservationContext query = seen.get(1);
      assertEquals("iqdb", query.getDatabaseSystem());
      assertEquals(IqdbVectorStore.DEFAULT_COLLECTION, query.getCollectionName());
      assertEquals(384, query.getDimensions());
      assertEquals("cosine", query.getSimilarityMetric());
      assertEquals(hits, query.getQueryResponse());
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  /** A fast deterministic 8-dimensional "embedding" for tests that need many documents. */
  private static final class HashEmbeddingModel implements EmbeddingModel {
    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
      List<Embedding> out = new ArrayList<>();
      for (String text : request.getInstructions()) {
        java.util.Random r = new java.util.Random(text.hashCode());
        float[] v = new float[8];
        for (int i = 0; i < v.length; i++) {
          v[i] = r.nextFloat() + 0.01f;
        }
        out.add(new Embedding(v, out.size()));
      }
      return new EmbeddingResponse(out);
    }

    @Override
    public float[] embed(Document document) {
      return embed(document.getText());
    }

    @Override
    public int dimensions() {
      return 8;
    }
  }
}
