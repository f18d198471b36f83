package io.iqdb.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import io.iqdb.CollectionConfig;
import io.iqdb.CollectionExistsException;
import io.iqdb.Durability;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;

/**
 * A LangChain4j {@link EmbeddingStore} kept in an iQDB collection: embedded, persistent, crash-safe.
 *
 * <pre>{@code
 * try (IqdbEmbeddingStore store = IqdbEmbeddingStore.builder()
 *     .path(Path.of("rag.iqdb"))
 *     .dimension(model.dimension())
 *     .build()) {
 *   store.add(model.embed(segment).content(), segment);
 *   List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
 *       .queryEmbedding(model.embed("question").content())
 *       .filter(metadataKey("lang").isEqualTo("en"))
 *       .maxResults(5).minScore(0.7).build()).matches();
 * }
 * }</pre>
 *
 * <p>Each embedding is one iQDB record: the embedding id is the record id (a random UUID when the
 * caller gives none), the vector is the embedding, the record's text is the segment's text (indexed
 * for BM25) and the payload holds the segment's metadata, every metadata type read back exactly
 * (the layout is described in the module README). Metadata filters of every LangChain4j operator
 * run inside the search as Lucene queries.
 *
 * <p>Scores: with {@link Metric#COSINE} (the default) a match's score is {@code (1 + cos) / 2},
 * exactly LangChain4j's {@code RelevanceScore.fromCosineSimilarity}; with {@link Metric#DOT} (unit
 * vectors) it is the same number. With {@link Metric#L2} it is {@code 1 / (1 + distance²)}, and with
 * {@link Metric#MAX_INNER_PRODUCT} iQDB's score, which may exceed 1; {@code minScore} applies to
 * that score.
 *
 * <p>Errors: a missing LangChain4j argument ({@code null} embedding, empty id list, null filter)
 * throws {@link IllegalArgumentException} as LangChain4j's own stores do; anything iQDB refuses
 * (a vector of the wrong dimension, a zero vector under cosine, a NaN metadata value, an id over
 * 512 bytes) throws the specific {@link io.iqdb.IqdbException}, with nothing written. Writes of
 * several embeddings are one atomic iQDB batch.
 *
 * <p>Hybrid search, when enabled with {@link Builder#hybridSearch(boolean)}: a request with a
 * {@link EmbeddingSearchRequest#query()} searches the embedding and the query text (BM25 over the
 * segment texts) and fuses the two rankings by iQDB's reciprocal rank fusion; the match scores are
 * then fused scores, at most {@code 2 / 61} (about 0.033), and {@code minScore} applies to them
 * (see {@link #search}). It is off by default because LangChain4j's {@code
 * EmbeddingStoreContentRetriever} sends the query text with every request, together with a
 * {@code minScore} meant for relevance scores in [0, 1].
 *
 * <p>Thread-safe. Close the store to close the database it opened; a database passed in with
 * {@link Builder#database(Iqdb)} stays open.
 */
public final class IqdbEmbeddingStore implements EmbeddingStore<TextSegment>, AutoCloseable {

  /** The collection name used when none is given. */
  public static final String DEFAULT_COLLECTION = "langchain4j";

  private final Iqdb db;
  private final boolean ownsDb;
  private final VectorCollection collection;
  private final boolean hybrid;

  private IqdbEmbeddingStore(Iqdb db, boolean ownsDb, VectorCollection collection, boolean hybrid) {
    this.db = db;
    this.ownsDb = ownsDb;
    this.collection = collection;
    this.hybrid = hybrid;
  }

  /**
   * Starts configuring a store.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The iQDB collection behind this store, for what LangChain4j has no call for ({@code flush},
   * {@code count}, {@code stats}, raw searches).
   *
   * @return the collection
   */
  public VectorCollection collection() {
    return collection;
  }

  @Override
  public String add(Embedding embedding) {
    String id = UUID.randomUUID().toString();
    add(id, embedding);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    collection.upsert(record(id, embedding, null));
  }

  @Override
  public String add(Embedding embedding, TextSegment textSegment) {
    String id = UUID.randomUUID().toString();
    collection.upsert(record(id, embedding, textSegment));
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    requireNotNull(embeddings, "embeddings");
    List<String> ids = generateIds(embeddings.size());
    addAll(ids, embeddings, null);
    return ids;
  }

  /**
   * Adds embeddings with the given ids, and their segments if {@code embedded} is not {@code null},
   * as one atomic batch (one write-ahead-log sync). An existing embedding with the same id is
   * replaced.
   *
   * @param ids the ids, one per embedding
   * @param embeddings the embeddings
   * @param embedded the segments, one per embedding, or {@code null} for none
   * @throws IllegalArgumentException if a list is {@code null} or the sizes differ
   */
  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> embedded) {
    requireNotNull(ids, "ids");
    requireNotNull(embeddings, "embeddings");
    if (ids.size() != embeddings.size() || (embedded != null && embedded.size() != embeddings.size())) {
      throw new IllegalArgumentException(
          "ids, embeddings and embedded must have the same size; got " + ids.size() + ", "
              + embeddings.size() + " and " + (embedded == null ? "null" : embedded.size()));
    }
    if (ids.isEmpty()) {
      return;
    }
    List<VectorRecord> records = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      records.add(record(ids.get(i), embeddings.get(i), embedded == null ? null : embedded.get(i)));
    }
    collection.upsertAll(records);
  }

  @Override
  public void removeAll(Collection<String> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("ids cannot be null or empty");
    }
    collection.deleteAll(ids);
  }

  /**
   * Removes every embedding whose segment metadata matches the filter. Embeddings added without a
   * segment have no metadata: they match only filters that are true for a missing key (such as
   * {@code isNotEqualTo}). The removal runs in batches of {@value SearchRequest#MAX_K}; it is not
   * atomic, and embeddings added while it runs may or may not be removed.
   *
   * @param filter the filter
   * @throws IllegalArgumentException if the filter is {@code null}
   */
  @Override
  public void removeAll(Filter filter) {
    if (filter == null) {
      throw new IllegalArgumentException("filter cannot be null");
    }
    removeMatching(FilterTranslator.toQuery(filter));
  }

  /**
   * Removes every embedding, in batches of {@value SearchRequest#MAX_K} (not atomic; the collection
   * itself stays).
   */
  @Override
  public void removeAll() {
    removeMatching(MatchAllDocsQuery.INSTANCE);
  }

  /**
   * Searches the nearest embeddings. {@link EmbeddingSearchRequest#maxResults()} is capped at
   * {@value SearchRequest#MAX_K}; matches scoring below {@link EmbeddingSearchRequest#minScore()}
   * are dropped; the filter runs inside the search, so up to {@code maxResults} matching
   * embeddings are returned however rare they are.
   *
   * <p>If the store was built with {@link Builder#hybridSearch(boolean) hybridSearch(true)} and the
   * request has a non-blank {@link EmbeddingSearchRequest#query()}, the search is hybrid: iQDB fuses the embedding
   * ranking and the BM25 ranking of the query over the segment texts (reciprocal rank fusion, both
   * with the filter; see {@link SearchRequest#text(String)}), and a match's score is its fused score
   * {@code 1 / (60 + vector rank) + 1 / (60 + text rank)}, not a relevance in [0, 1]: a
   * {@code minScore} meant for cosine relevance would drop every match, so leave it at 0 for hybrid
   * requests. Otherwise the query text is ignored and only the embedding is searched.
   *
   * @param request the request
   * @return the matches, best first, each with its embedding and segment (null if added without)
   */
  @Override
  public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
    requireNotNull(request, "request");
    int k = Math.min(request.maxResults(), SearchRequest.MAX_K);
    SearchRequest r = SearchRequest.of(request.queryEmbedding().vector(), k).includeVectors(true);
    if (hybrid && request.query() != null && !request.query().isBlank()) {
      r = r.text(request.query());
    }
    if (request.filter() != null) {
      r = r.filter(FilterTranslator.toQuery(request.filter()));
    }
    List<Hit> hits = collection.search(r);
    List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>(hits.size());
    for (Hit hit : hits) {
      if (hit.score() < request.minScore()) {
        break; // hits come best first
      }
      matches.add(new EmbeddingMatch<>(
          (double) hit.score(), hit.id(), Embedding.from(hit.vector()),
          SegmentPayloads.toSegment(hit.payload(), hit.text())));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /** Closes the database if this store opened it; otherwise does nothing. Idempotent. */
  @Override
  public void close() {
    if (ownsDb) {
      db.close();
    }
  }

  private void removeMatching(Query query) {
    // The core has no delete-by-query: find the matching ids with an exact filtered search (any
    // query vector will do; a unit vector is valid under every metric) and delete them by id.
    float[] probe = new float[collection.config().dimension()];
    probe[0] = 1f;
    SearchRequest request = SearchRequest.of(probe, SearchRequest.MAX_K).filter(query).exact(true).includePayload(false);
    List<Hit> hits;
    do {
      hits = collection.search(request);
      if (!hits.isEmpty()) {
        collection.deleteAll(hits.stream().map(Hit::id).toList());
      }
    } while (hits.size() == SearchRequest.MAX_K);
  }

  private static VectorRecord record(String id, Embedding embedding, TextSegment segment) {
    requireNotNull(embedding, "embedding");
    return VectorRecord.of(
        id, embedding.vector(), SegmentPayloads.toPayload(segment), segment == null ? null : segment.text());
  }

  private static void requireNotNull(Object value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " cannot be null");
    }
  }

  /**
   * Builds an {@link IqdbEmbeddingStore}. Choose the database with {@link #path(Path)}, {@link
   * #inMemory()} or {@link #database(Iqdb)}; give the {@link #dimension(int)} unless the collection
   * exists already.
   */
  public static final class Builder {
    private Path path;
    private boolean inMemory;
    private Iqdb database;
    private String collectionName = DEFAULT_COLLECTION;
    private int dimension;
    private Metric metric;
    private IndexSpec index = IndexSpec.hnsw();
    private Durability durability;
    private boolean hybridSearch;

    private Builder() {}

    /**
     * Whether a search request's {@link EmbeddingSearchRequest#query() query} text makes the search
     * hybrid (embedding and BM25 rankings fused, scores are fused scores; see {@link
     * IqdbEmbeddingStore#search}). Default: {@code false}, the query text is ignored.
     *
     * @param hybrid whether to search hybrid when a request has a query text
     * @return this builder
     */
    public Builder hybridSearch(boolean hybrid) {
      this.hybridSearch = hybrid;
      return this;
    }

    /**
     * Opens (creating if missing) the database in this directory; the store closes it.
     *
     * @param directory the database directory
     * @return this builder
     */
    public Builder path(Path directory) {
      this.path = directory;
      this.inMemory = false;
      this.database = null;
      return this;
    }

    /**
     * Uses a new in-memory database, gone when the store is closed (for tests and prototypes).
     *
     * @return this builder
     */
    public Builder inMemory() {
      this.inMemory = true;
      this.path = null;
      this.database = null;
      return this;
    }

    /**
     * Uses an open database. The store does not close it; several stores (collections) may share it.
     *
     * @param database the database
     * @return this builder
     */
    public Builder database(Iqdb database) {
      this.database = database;
      this.path = null;
      this.inMemory = false;
      return this;
    }

    /**
     * The collection holding the embeddings. Default: {@value IqdbEmbeddingStore#DEFAULT_COLLECTION}.
     *
     * @param name the collection name ({@code [A-Za-z0-9][A-Za-z0-9_-]{0,63}})
     * @return this builder
     */
    public Builder collectionName(String name) {
      this.collectionName = name;
      return this;
    }

    /**
     * The embedding dimension, e.g. {@code model.dimension()}. Required to create the collection;
     * if the collection exists and a dimension is given, it must match.
     *
     * @param dimension the dimension, 1..{@value CollectionConfig#MAX_DIMENSION}
     * @return this builder
     */
    public Builder dimension(int dimension) {
      this.dimension = dimension;
      return this;
    }

    /**
     * The similarity metric. Default: {@link Metric#COSINE}, whose score is LangChain4j's relevance
     * score. If the collection exists and a metric is given, it must match.
     *
     * @param metric the metric
     * @return this builder
     */
    public Builder metric(Metric metric) {
      this.metric = metric;
      return this;
    }

    /**
     * The vector index of a new collection. Default: {@link IndexSpec#hnsw()}. Ignored if the
     * collection exists.
     *
     * @param index the index
     * @return this builder
     */
    public Builder index(IndexSpec index) {
      this.index = index;
      return this;
    }

    /**
     * The durability of a new collection. Default: the database's ({@link Durability#sync()} for a
     * database opened by {@link #path(Path)}). Ignored if the collection exists.
     *
     * @param durability the durability
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = durability;
      return this;
    }

    /**
     * Opens the database if needed, then opens the collection or creates it.
     *
     * @return the store
     * @throws InvalidArgumentException if no database was chosen, the dimension is missing for a new
     *     collection, or the existing collection's dimension or metric differs from the given one
     * @throws io.iqdb.IqdbException if the database cannot be opened (locked, corrupted, ...)
     */
    public IqdbEmbeddingStore build() {
      if (database == null && path == null && !inMemory) {
        throw new InvalidArgumentException(
            "IqdbEmbeddingStore.builder() needs path(directory), inMemory() or database(iqdb)");
      }
      boolean owns = database == null;
      Iqdb db = owns ? (inMemory ? Iqdb.openInMemory() : Iqdb.open(path)) : database;
      boolean success = false;
      try {
        VectorCollection collection = openOrCreate(db);
        success = true;
        return new IqdbEmbeddingStore(db, owns, collection, hybridSearch);
      } finally {
        if (!success && owns) {
          db.close();
        }
      }
    }

    private VectorCollection openOrCreate(Iqdb db) {
      Optional<VectorCollection> existing = db.findCollection(collectionName);
      if (existing.isEmpty()) {
        if (dimension == 0) {
          throw new InvalidArgumentException(
              "collection '" + collectionName + "' does not exist; give dimension(...) to create it");
        }
        CollectionConfig config = CollectionConfig.builder(dimension, metric == null ? Metric.COSINE : metric)
            .index(index)
            .durability(durability)
            .build();
        try {
          return db.createCollection(collectionName, config);
        } catch (CollectionExistsException raced) {
          existing = db.findCollection(collectionName); // created by another thread meanwhile
          if (existing.isEmpty()) {
            throw raced;
          }
        }
      }
      VectorCollection c = existing.get();
      CollectionConfig config = c.config();
      if (dimension != 0 && dimension != config.dimension()) {
        throw new InvalidArgumentException(
            "collection '" + collectionName + "' has dimension " + config.dimension() + "; dimension=" + dimension);
      }
      if (metric != null && metric != config.metric()) {
        throw new InvalidArgumentException(
            "collection '" + collectionName + "' has metric " + config.metric() + "; metric=" + metric);
      }
      return c;
    }
  }
}
