package io.iqdb.springai;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.search.Query;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.observation.conventions.VectorStoreSimilarityMetric;
import org.springframework.ai.vectorstore.AbstractVectorStoreBuilder;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.observation.AbstractObservationVectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationContext;

/**
 * A Spring AI {@code VectorStore} kept in an iQDB collection: embedded, persistent, with metadata
 * filters. Like Spring AI's own stores it extends {@link AbstractObservationVectorStore}, so every
 * operation is observed through Micrometer when an {@code ObservationRegistry} is configured.
 *
 * <pre>{@code
 * Iqdb db = Iqdb.open(Path.of("rag.iqdb"));
 * IqdbVectorStore store = IqdbVectorStore.builder(db, embeddingModel).collectionName("docs").build();
 * store.add(List.of(new Document("Spring AI meets iQDB", Map.of("country", "UK", "year", 2024))));
 * List<Document> hits = store.similaritySearch(SearchRequest.builder()
 *     .query("embedded vector database").topK(4).similarityThreshold(0.5)
 *     .filterExpression("country == 'UK' && year >= 2020").build());
 * }</pre>
 *
 * <p><b>Records.</b> A document becomes one record: its id, the embedding of its text, its text as
 * the record's text (stored, and indexed by iQDB for BM25), and a payload holding each metadata
 * entry under its own key. Metadata values may be {@code String}, {@code Boolean},
 * {@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code Float}, {@code Double} (finite)
 * or {@code List<String>}, and come back from a search with the same Java type: iQDB stores integral
 * numbers as longs and floating ones as doubles, and a type tag in the payload field {@value
 * #METADATA_TYPES_FIELD} restores the rest. A key keeps the kind (string, boolean, integral,
 * floating, list) of its first value in the collection: an {@code Integer} and a {@code Long} may
 * share a key, an {@code Integer} and a {@code Double} may not. Keys must not start with {@code _}.
 * The text is at most {@value VectorCollection#MAX_TEXT_BYTES} UTF-8 bytes; every string value at
 * most {@value org.apache.lucene.index.IndexWriter#MAX_TERM_LENGTH} UTF-8 bytes, the whole payload
 * (the metadata) at most {@value io.iqdb.Payload#MAX_BYTES} bytes. Bad input fails with
 * an {@link io.iqdb.InvalidArgumentException} subtype naming the document and key, before anything
 * of the batch is written.
 *
 * <p><b>Scores.</b> {@link Document#getScore()} is a similarity in [0, 1], higher is more similar, and
 * {@link SearchRequest#getSimilarityThreshold()} is compared with it:
 *
 * <ul>
 *   <li>{@link Metric#COSINE} (the default) and {@link Metric#DOT}: the cosine similarity, clamped at
 *       0 (iQDB's own score is {@code (1 + cos) / 2}; it is converted so that a threshold of 0.8
 *       means cosine 0.8, as in Spring AI's {@code SimpleVectorStore}); metadata {@code distance}
 *       is {@code 1 - cos}, in [0, 2].
 *   <li>{@link Metric#L2}: iQDB's score {@code 1 / (1 + d²)}; metadata {@code distance} is the
 *       Euclidean distance {@code d}.
 * </ul>
 *
 * {@link Metric#MAX_INNER_PRODUCT} is refused: its scores are unbounded and a [0, 1] threshold has
 * no meaning for them.
 *
 * <p><b>Filters.</b> Every {@link Filter.ExpressionType} is supported, in expressions built with
 * {@code FilterExpressionBuilder} or parsed from text such as {@code country == 'UK' && year >= 2020}.
 * {@code NOT e} (also {@code !=} and {@code NIN}) matches the documents {@code e} does not match,
 * including those without the key; comparisons match only documents that have the key; strings
 * compare by Unicode code point; on a list of strings {@code ==} and {@code IN} match if any element
 * does. A filter on a key no document has matches nothing. Deleting by filter removes every matching
 * document.
 *
 * <p>The store does not own the {@link Iqdb}: close the database when the application stops.
 * Thread-safe.
 */
public final class IqdbVectorStore extends AbstractObservationVectorStore {

  /** The default collection name. */
  public static final String DEFAULT_COLLECTION = "spring_ai_documents";

  /** The default payload field of the document text. */
  public static final String DEFAULT_CONTENT_FIELD = "doc_content";

  /**
   * The payload field in which the store records the Java type of each numeric metadata entry, as
   * a keyword list such as {@code ["integer:year", "float:price"]}; no metadata key may have this
   * name.
   */
  public static final String METADATA_TYPES_FIELD = "doc_metadata_types";

  /** The observation's {@code db.system} value. */
  static final String DB_SYSTEM = "iqdb";

  private final VectorCollection collection;
  private final DocumentCodec codec;
  private final Metric metric;

  private IqdbVectorStore(Builder builder, VectorCollection collection) {
    super(builder);
    this.collection = collection;
    this.codec = new DocumentCodec(builder.contentField);
    this.metric = collection.config().metric();
  }

  /**
   * Starts configuring a store.
   *
   * @param db the open database holding the collection (not closed by the store)
   * @param embeddingModel the model that embeds documents and queries
   * @return a builder
   */
  public static Builder builder(Iqdb db, EmbeddingModel embeddingModel) {
    return new Builder(db, embeddingModel);
  }

  /**
   * The iQDB collection behind this store.
   *
   * @return the collection
   */
  public VectorCollection collection() {
    return collection;
  }

  /**
   * Embeds the documents' texts and upserts them as one batch (one write-ahead-log sync). A document
   * whose id is already stored replaces it.
   *
   * @param documents the documents
   * @throws io.iqdb.InvalidArgumentException (a subtype) for a bad id, text or metadata value; nothing
   *     is written
   */
  @Override
  public void doAdd(List<Document> documents) {
    if (documents.isEmpty()) {
      return;
    }
    // Encode first: a bad metadata value fails before paying for the embeddings.
    List<io.iqdb.Payload> payloads = new ArrayList<>(documents.size());
    List<String> texts = new ArrayList<>(documents.size());
    for (Document d : documents) {
      texts.add(DocumentCodec.text(d));
      payloads.add(codec.encode(d));
    }
    List<float[]> vectors =
        embeddingModel.embed(documents, EmbeddingOptions.builder().build(), batchingStrategy);
    if (vectors.size() != documents.size()) {
      throw new IllegalStateException(
          "the embedding model returned " + vectors.size() + " vectors for " + documents.size() + " documents");
    }
    List<VectorRecord> records = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      records.add(VectorRecord.of(documents.get(i).getId(), vectors.get(i), payloads.get(i), texts.get(i)));
    }
    collection.upsertAll(records);
  }

  /**
   * Deletes documents by id; ids not stored are ignored.
   *
   * @param idList the ids
   */
  @Override
  public void doDelete(List<String> idList) {
    collection.deleteAll(idList);
  }

  /**
   * Deletes every document matching a filter expression.
   *
   * @param filterExpression the filter
   * @throws io.iqdb.InvalidFilterException if the expression cannot be translated
   */
  @Override
  protected void doDelete(Filter.Expression filterExpression) {
    if (filterExpression == null) {
      throw new io.iqdb.InvalidFilterException("filter expression for delete must not be null");
    }
    Query filter = FilterTranslator.toQuery(filterExpression);
    // iQDB has no delete-by-query: find the matching ids with exact filtered searches (the query
    // vector only orders the hits) and delete them, until a round finds fewer than a full page.
    float[] probe = new float[collection.config().dimension()];
    probe[0] = 1f; // a unit vector: valid for every metric, DOT included
    while (true) {
      List<Hit> hits = collection.search(io.iqdb.SearchRequest.of(probe, io.iqdb.SearchRequest.MAX_K)
          .filter(filter).exact(true).includePayload(false));
      if (hits.isEmpty()) {
        return;
      }
      collection.deleteAll(hits.stream().map(Hit::id).toList());
      if (hits.size() < io.iqdb.SearchRequest.MAX_K) {
        return;
      }
    }
  }

  /**
   * Embeds the query text and returns the {@code topK} most similar documents that match the filter
   * expression and score at least the similarity threshold, most similar first.
   *
   * @param request the search request
   * @return the documents, each with its score and its {@code distance} metadata
   */
  @Override
  public List<Document> doSimilaritySearch(SearchRequest request) {
    if (request.getTopK() == 0) {
      return List.of(); // Spring AI accepts topK 0; iQDB's k starts at 1
    }
    float[] query = embeddingModel.embed(request.getQuery());
    io.iqdb.SearchRequest search = io.iqdb.SearchRequest.of(query, request.getTopK());
    if (request.hasFilterExpression()) {
      search = search.filter(FilterTranslator.toQuery(request.getFilterExpression()));
    }
    List<Hit> hits = collection.search(search);
    List<Document> documents = new ArrayList<>(hits.size());
    for (Hit hit : hits) {
      double similarity = similarity(hit.score());
      // Hits come best first, so the first one under the threshold ends the list.
      if (similarity < request.getSimilarityThreshold()) {
        break;
      }
      Map<String, Object> metadata = codec.metadata(hit.payload());
      metadata.put(DocumentMetadata.DISTANCE.value(), distance(hit.score()));
      documents.add(Document.builder()
          .id(hit.id())
          .text(codec.text(hit.text(), hit.payload()))
          .metadata(metadata)
          .score(similarity)
          .build());
    }
    return documents;
  }

  /** Spring AI's similarity in [0, 1] from iQDB's score (see the class Javadoc). */
  double similarity(float score) {
    return switch (metric) {
      case COSINE, DOT -> Math.clamp(2.0 * score - 1.0, 0.0, 1.0);
      case L2 -> score;
      case MAX_INNER_PRODUCT -> throw new AssertionError("refused by the builder");
    };
  }

  /** The distance reported in the {@code distance} metadata. */
  double distance(float score) {
    return switch (metric) {
      case COSINE, DOT -> 2.0 - 2.0 * score; // 1 - cos, cos = 2 * score - 1
      case L2 -> Math.sqrt(Math.max(0.0, 1.0 / score - 1.0));
      case MAX_INNER_PRODUCT -> throw new AssertionError("refused by the builder");
    };
  }

  /**
   * Describes operations for Micrometer observations.
   *
   * @param operationName the operation
   * @return the observation context builder
   */
  @Override
  public VectorStoreObservationContext.Builder createObservationContextBuilder(String operationName) {
    return VectorStoreObservationContext.builder(DB_SYSTEM, operationName)
        .collectionName(collection.name())
        .dimensions(collection.config().dimension())
        .similarityMetric(switch (metric) {
          case COSINE -> VectorStoreSimilarityMetric.COSINE.value();
          case DOT -> VectorStoreSimilarityMetric.DOT.value();
          case L2 -> VectorStoreSimilarityMetric.EUCLIDEAN.value();
          case MAX_INNER_PRODUCT -> "max_inner_product";
        });
  }

  /**
   * The iQDB collection, as Spring AI's native client.
   *
   * @param <T> {@link VectorCollection}
   * @return the collection
   */
  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getNativeClient() {
    return Optional.of((T) collection);
  }

  /**
   * Builds an {@link IqdbVectorStore}: opens its collection, creating it if missing.
   */
  public static final class Builder extends AbstractVectorStoreBuilder<Builder> {
    private final Iqdb db;
    private String collectionName = DEFAULT_COLLECTION;
    private Metric metric = Metric.COSINE;
    private IndexSpec index = IndexSpec.hnsw();
    private Durability durability;
    private int dimensions;
    private String contentField = DEFAULT_CONTENT_FIELD;

    private Builder(Iqdb db, EmbeddingModel embeddingModel) {
      super(embeddingModel);
      if (db == null) {
        throw new InvalidArgumentException("the Iqdb database must not be null");
      }
      this.db = db;
    }

    /**
     * The collection holding the documents. Default {@value IqdbVectorStore#DEFAULT_COLLECTION}.
     *
     * @param name a collection name ({@code [A-Za-z0-9_-]}, starting with a letter or digit)
     * @return this builder
     */
    public Builder collectionName(String name) {
      this.collectionName = name;
      return this;
    }

    /**
     * The similarity metric of a new collection: {@link Metric#COSINE} (default), {@link Metric#DOT}
     * (the model's vectors must have unit length) or {@link Metric#L2}.
     *
     * @param metric the metric
     * @return this builder
     */
    public Builder metric(Metric metric) {
      this.metric = metric;
      return this;
    }

    /**
     * The vector index of a new collection. Default {@link IndexSpec#hnsw()}.
     *
     * @param index the index
     * @return this builder
     */
    public Builder index(IndexSpec index) {
      this.index = index;
      return this;
    }

    /**
     * The durability of a new collection. Default: the database's.
     *
     * @param durability the durability
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = durability;
      return this;
    }

    /**
     * The vector dimension. Default 0: ask the embedding model ({@link
     * EmbeddingModel#dimensions()}, which may call the model once).
     *
     * @param dimensions the dimension, or 0 to ask the model
     * @return this builder
     */
    public Builder dimensions(int dimensions) {
      this.dimensions = dimensions;
      return this;
    }

    /**
     * The payload field that held the document text in stores written before iQDB had record texts
     * (the text is now the record's text): still read for such records, and reserved, so no
     * metadata key may have this name. Default {@value IqdbVectorStore#DEFAULT_CONTENT_FIELD}.
     *
     * @param name the field name (not starting with {@code _})
     * @return this builder
     */
    public Builder contentFieldName(String name) {
      this.contentField = name;
      return this;
    }

    /**
     * Opens the collection, creating it with this builder's dimension, metric, index and durability
     * if it does not exist.
     *
     * @return the store
     * @throws InvalidArgumentException if an option is invalid, or the existing collection's
     *     dimension or metric differs from this builder's
     */
    @Override
    public IqdbVectorStore build() {
      if (metric == null || metric == Metric.MAX_INNER_PRODUCT) {
        throw new InvalidArgumentException(
            "IqdbVectorStore supports the metrics COSINE, DOT and L2 (scores in [0, 1]); metric=" + metric);
      }
      if (contentField == null || contentField.isEmpty() || contentField.startsWith("_")
          || contentField.equals(DocumentCodec.TYPES_FIELD)) {
        throw new InvalidArgumentException(
            "content field name must be non-empty, must not start with '_' and must not be '"
                + DocumentCodec.TYPES_FIELD + "'; name=" + contentField);
      }
      if (dimensions < 0) {
        throw new InvalidArgumentException("dimensions must be >= 0 (0: ask the model); dimensions=" + dimensions);
      }
      int dim = dimensions > 0 ? dimensions : embeddingModel.dimensions();
      Optional<VectorCollection> existing = db.findCollection(collectionName);
      VectorCollection collection;
      if (existing.isPresent()) {
        collection = existing.get();
        CollectionConfig c = collection.config();
        if (c.dimension() != dim || c.metric() != metric) {
          throw new InvalidArgumentException(
              "collection '" + collectionName + "' exists with dimension " + c.dimension() + " and metric "
                  + c.metric() + "; this store wants dimension " + dim + " and metric " + metric);
        }
      } else {
        CollectionConfig.Builder config = CollectionConfig.builder(dim, metric).index(index);
        if (durability != null) {
          config.durability(durability);
        }
        collection = db.createCollection(collectionName, config.build());
      }
      return new IqdbVectorStore(this, collection);
    }
  }
}
