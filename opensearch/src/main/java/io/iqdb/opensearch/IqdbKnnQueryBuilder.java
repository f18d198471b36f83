package io.iqdb.opensearch;

import io.iqdb.codecs.Oversampling;
import io.iqdb.codecs.flat.FlatSearchStrategy;
import io.iqdb.codecs.ivf.IvfSearchStrategy;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.core.xcontent.XContentParser.Token;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;

/**
 * The {@code iqdb_knn} query: the {@code k} nearest neighbours of a vector in an {@code
 * iqdb_vector} field, optionally among the documents of any OpenSearch query.
 *
 * <pre>{@code
 * {"iqdb_knn": {"embedding": {"vector": [0.1, 0.2, ...], "k": 10,
 *                             "probes": 8, "ef": 100, "oversample": 2,
 *                             "filter": {"term": {"lang": "en"}}}}}
 * }</pre>
 *
 * <p>Each shard returns its {@code k} best documents, scored by the field's metric as Lucene scores
 * it (higher is nearer); the search's {@code size} then takes the best of all shards, so a search
 * with {@code size: k} returns the global top {@code k}. {@code probes} (IVF: lists scanned per
 * segment), {@code ef} (HNSW: candidates explored, default 100) and {@code oversample} (quantized
 * variants: candidates rescored against full-precision vectors per hit) default to the format's
 * defaults when 0 or absent. The filter is applied inside the index (pre-filtering): the hits are
 * the nearest among the filter's documents, not the nearest ones that happen to pass it.
 */
public final class IqdbKnnQueryBuilder extends AbstractQueryBuilder<IqdbKnnQueryBuilder> {

  /** The query's name in the query DSL. */
  public static final String NAME = "iqdb_knn";

  /** The largest {@code k} a query may ask (OpenSearch's default result window). */
  public static final int MAX_K = 10_000;

  /** The HNSW candidate count when the query gives no {@code ef} (as iQDB's own default). */
  public static final int DEFAULT_EF = 100;

  private final String field;
  private final float[] vector;
  private final int k;
  private int probes;
  private int ef;
  private float oversample;
  private QueryBuilder filter;

  /**
   * A query for the {@code k} nearest neighbours of a vector.
   *
   * @param field the {@code iqdb_vector} field
   * @param vector the query vector, of the field's dimension
   * @param k the hits per shard, in [1, {@value #MAX_K}]
   * @throws IllegalArgumentException if a value is missing or out of range
   */
  public IqdbKnnQueryBuilder(String field, float[] vector, int k) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("[" + NAME + "] needs a field name; field=" + field);
    }
    if (vector == null || vector.length == 0) {
      throw new IllegalArgumentException("[" + NAME + "] needs a non-empty [vector] for field [" + field + "]");
    }
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("[" + NAME + "] [k] must be in [1, " + MAX_K + "]; k=" + k);
    }
    this.field = field;
    this.vector = vector.clone();
    this.k = k;
  }

  /**
   * Reads a query sent to another node.
   *
   * @param in the stream
   * @throws IOException if the stream fails
   */
  public IqdbKnnQueryBuilder(StreamInput in) throws IOException {
    super(in);
    this.field = in.readString();
    this.vector = in.readFloatArray();
    this.k = in.readVInt();
    this.probes = in.readVInt();
    this.ef = in.readVInt();
    this.oversample = in.readFloat();
    this.filter = in.readOptionalNamedWriteable(QueryBuilder.class);
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    out.writeString(field);
    out.writeFloatArray(vector);
    out.writeVInt(k);
    out.writeVInt(probes);
    out.writeVInt(ef);
    out.writeFloat(oversample);
    out.writeOptionalNamedWriteable(filter);
  }

  /**
   * Sets the IVF lists scanned per segment.
   *
   * @param probes at least 1, or 0 for the format's default
   * @return this
   * @throws IllegalArgumentException if negative
   */
  public IqdbKnnQueryBuilder probes(int probes) {
    if (probes < 0) {
      throw new IllegalArgumentException("[" + NAME + "] [probes] must be >= 0; probes=" + probes);
    }
    this.probes = probes;
    return this;
  }

  /**
   * Sets the HNSW candidates explored per segment.
   *
   * @param ef at least 1, or 0 for {@value #DEFAULT_EF}; at most {@value #MAX_K}
   * @return this
   * @throws IllegalArgumentException if out of range
   */
  public IqdbKnnQueryBuilder ef(int ef) {
    if (ef < 0 || ef > MAX_K) {
      throw new IllegalArgumentException("[" + NAME + "] [ef] must be in [0, " + MAX_K + "]; ef=" + ef);
    }
    this.ef = ef;
    return this;
  }

  /**
   * Sets the candidates rescored against full-precision vectors per hit (quantized fields).
   *
   * @param oversample at least 1, or 0 for the format's default
   * @return this
   * @throws IllegalArgumentException if out of range
   */
  public IqdbKnnQueryBuilder oversample(float oversample) {
    if (!(oversample == 0 || (oversample >= 1 && oversample <= 100))) {
      throw new IllegalArgumentException(
          "[" + NAME + "] [oversample] must be 0 or in [1, 100]; oversample=" + oversample);
    }
    this.oversample = oversample;
    return this;
  }

  /**
   * Restricts the neighbours to the documents of a query.
   *
   * @param filter any query, or null for none
   * @return this
   */
  public IqdbKnnQueryBuilder filter(QueryBuilder filter) {
    this.filter = filter;
    return this;
  }

  /**
   * The vector field.
   *
   * @return the field name
   */
  public String fieldName() {
    return field;
  }

  /**
   * The filter.
   *
   * @return the filter query, or null
   */
  public QueryBuilder filterQuery() {
    return filter;
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    builder.startObject(field);
    builder.field("vector", vector);
    builder.field("k", k);
    if (probes > 0) {
      builder.field("probes", probes);
    }
    if (ef > 0) {
      builder.field("ef", ef);
    }
    if (oversample > 0) {
      builder.field("oversample", oversample);
    }
    if (filter != null) {
      builder.field("filter", filter);
    }
    printBoostAndQueryName(builder);
    builder.endObject();
    builder.endObject();
  }

  /**
   * Parses the query's body ({@code {"<field>": {"vector": [...], "k": 10, ...}}}).
   *
   * @param parser positioned on the body's start
   * @return the query
   * @throws IOException if the parser fails
   * @throws ParsingException naming the offending part if the body is malformed
   */
  public static IqdbKnnQueryBuilder fromXContent(XContentParser parser) throws IOException {
    if (parser.nextToken() != Token.FIELD_NAME) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] expects {\"<field>\": {...}}");
    }
    String field = parser.currentName();
    if (parser.nextToken() != Token.START_OBJECT) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] field [" + field + "] expects an object");
    }
    float[] vector = null;
    Integer k = null;
    int probes = 0;
    int ef = 0;
    float oversample = 0;
    QueryBuilder filter = null;
    float boost = DEFAULT_BOOST;
    String queryName = null;
    String key = null;
    for (Token t = parser.nextToken(); t != Token.END_OBJECT; t = parser.nextToken()) {
      if (t == Token.FIELD_NAME) {
        key = parser.currentName();
        continue;
      }
      try {
        switch (String.valueOf(key)) {
          case "vector" -> vector = readVector(parser, field);
          case "k" -> k = parser.intValue();
          case "probes" -> probes = parser.intValue();
          case "ef" -> ef = parser.intValue();
          case "oversample" -> oversample = parser.floatValue();
          case "filter" -> filter = parseInnerQueryBuilder(parser);
          case "boost" -> boost = parser.floatValue();
          case "_name" -> queryName = parser.text();
          default ->
              throw new ParsingException(
                  parser.getTokenLocation(), "[" + NAME + "] does not support [" + key + "]");
        }
      } catch (IllegalArgumentException | IllegalStateException e) {
        // a number that is not one (a string that does not parse, an object where a number goes)
        throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] [" + key + "]: " + e.getMessage(), e);
      }
    }
    if (parser.nextToken() != Token.END_OBJECT) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] takes a single field");
    }
    if (vector == null || k == null) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] needs [vector] and [k]");
    }
    try {
      IqdbKnnQueryBuilder query =
          new IqdbKnnQueryBuilder(field, vector, k).probes(probes).ef(ef).oversample(oversample).filter(filter);
      query.boost(boost);
      query.queryName(queryName);
      return query;
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  private static float[] readVector(XContentParser parser, String field) throws IOException {
    if (parser.currentToken() != Token.START_ARRAY) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] [vector] must be an array of numbers");
    }
    float[] values = new float[16];
    int n = 0;
    for (Token t = parser.nextToken(); t != Token.END_ARRAY; t = parser.nextToken()) {
      if (t != Token.VALUE_NUMBER) {
        throw new ParsingException(
            parser.getTokenLocation(), "[" + NAME + "] [vector] holds numbers only; found " + t + " at " + n);
      }
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = parser.floatValue();
    }
    return Arrays.copyOf(values, n);
  }

  @Override
  protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
    if (filter == null) {
      return this;
    }
    QueryBuilder rewritten = filter.rewrite(context);
    if (rewritten == filter) {
      return this;
    }
    IqdbKnnQueryBuilder copy =
        new IqdbKnnQueryBuilder(field, vector, k).probes(probes).ef(ef).oversample(oversample).filter(rewritten);
    copy.boost(boost);
    copy.queryName(queryName);
    return copy;
  }

  @Override
  protected Query doToQuery(QueryShardContext context) throws IOException {
    MappedFieldType mapped = context.fieldMapper(field);
    if (mapped == null) {
      // an index of the search without the field: it has no neighbours there
      return new MatchNoDocsQuery("no field [" + field + "] in this index");
    }
    if (!(mapped instanceof IqdbVectorFieldType type)) {
      throw new IllegalArgumentException(
          "[" + NAME + "] field [" + field + "] is of type [" + mapped.typeName() + "], not ["
              + IqdbVectorFieldMapper.CONTENT_TYPE + "]");
    }
    if (vector.length != type.dimension()) {
      throw new IllegalArgumentException(
          "[" + NAME + "] the vector has " + vector.length + " dimensions; field [" + field + "] has "
              + type.dimension());
    }
    float[] target = vector;
    if (type.similarity() == org.apache.lucene.index.VectorSimilarityFunction.COSINE) {
      float norm = 0;
      for (float v : target) {
        norm += v * v;
      }
      if (norm == 0) {
        throw new IllegalArgumentException("[" + NAME + "] a cosine query vector must not be all zeros");
      }
    }
    Query filterQuery = filter == null ? null : filter.toQuery(context);
    boolean quantized = type.bits() != 32;
    return switch (type.index()) {
      case FLAT -> knn(target, k, filterQuery, oversample > 0 ? new FlatSearchStrategy(oversample) : null);
      case IVF ->
          knn(target, k, filterQuery, probes > 0 || oversample > 0 ? new IvfSearchStrategy(probes, oversample) : null);
      case HNSW -> {
        // Lucene's quantized graph scores codes and does not rescore: ask it for more candidates
        // and rescore them against the full-precision vectors, as iQDB's database does.
        // The graph returns as many hits as candidates explored: the best k of them, rescored on
        // float32 vectors (for float32 fields the same scores), are the shard's k hits.
        float factor = quantized ? (oversample > 0 ? oversample : Oversampling.hnsw(type.bits())) : 1;
        int candidates = Math.max((int) Math.min(MAX_K, Math.ceil(k * (double) factor)), ef > 0 ? ef : Math.max(k, DEFAULT_EF));
        Query graph = knn(target, candidates, filterQuery, null);
        yield candidates > k ? new Rescored(graph, target, field, k) : graph;
      }
    };
  }

  private Query knn(float[] target, int n, Query filterQuery, KnnSearchStrategy strategy) {
    return strategy == null
        ? new KnnFloatVectorQuery(field, target, n, filterQuery)
        : new KnnFloatVectorQuery(field, target, n, filterQuery, strategy);
  }

  @Override
  protected boolean doEquals(IqdbKnnQueryBuilder other) {
    return field.equals(other.field)
        && Arrays.equals(vector, other.vector)
        && k == other.k
        && probes == other.probes
        && ef == other.ef
        && Float.compare(oversample, other.oversample) == 0
        && Objects.equals(filter, other.filter);
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(field, Arrays.hashCode(vector), k, probes, ef, oversample, filter);
  }

  /**
   * Rescores a graph search's candidates against the full-precision vectors and keeps the best
   * {@code k}. Lucene's rescorer
   * fails on an inner search that rewrote to no candidate (a filter matching nothing in a shard),
   * so the inner query is rewritten first and an empty one passes through.
   */
  private static final class Rescored extends Query {
    private final Query inner;
    private final float[] target;
    private final String field;
    private final int k;

    Rescored(Query inner, float[] target, String field, int k) {
      this.inner = inner;
      this.target = target;
      this.field = field;
      this.k = k;
    }

    @Override
    public Query rewrite(IndexSearcher searcher) throws IOException {
      Query rewritten = searcher.rewrite(inner);
      if (rewritten instanceof MatchNoDocsQuery) {
        return rewritten;
      }
      return RescoreTopNQuery.createFullPrecisionRescorerQuery(rewritten, target, field, k);
    }

    @Override
    public void visit(QueryVisitor visitor) {
      inner.visit(visitor.getSubVisitor(BooleanClause.Occur.MUST, this));
    }

    @Override
    public String toString(String defaultField) {
      return "Rescored(" + inner.toString(defaultField) + ", k=" + k + ")";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Rescored r
          && inner.equals(r.inner)
          && Arrays.equals(target, r.target)
          && field.equals(r.field)
          && k == r.k;
    }

    @Override
    public int hashCode() {
      return Objects.hash(inner, Arrays.hashCode(target), field, k);
    }
  }
}
