package io.iqdb.opensearch;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import io.iqdb.opensearch.IqdbVectorFieldType.IndexKind;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.core.xcontent.XContentParser.Token;
import org.opensearch.index.mapper.FieldMapper;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.index.mapper.MapperParsingException;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;

/**
 * The {@code iqdb_vector} field: a float vector per document, stored with one of iQDB's formats.
 *
 * <pre>{@code
 * "embedding": {"type": "iqdb_vector", "dimension": 384, "metric": "cosine",
 *               "index": "ivf", "quantization": "int8"}
 * }</pre>
 *
 * <p>Parameters (none can change after the field is created): {@code dimension} (required, 1 to
 * {@value IqdbCodec#MAX_DIMENSIONS}); {@code metric}: {@code l2} (default), {@code cosine}, {@code
 * dot} or {@code max_inner_product}, scored as Lucene scores them; {@code index}: {@code hnsw}
 * (default), {@code ivf} or {@code flat}; {@code quantization}: {@code none} (default), {@code
 * int8}, {@code int7}, {@code int4} or {@code bit1}; {@code m} and {@code ef_construction} for HNSW
 * (16, 100); {@code lists} for IVF (0: derived from each segment's size). The index must be created
 * with {@code index.iqdb: true}, which makes the plugin's codec write its segments.
 */
public final class IqdbVectorFieldMapper extends ParametrizedFieldMapper {

  /** The mapping type name. */
  public static final String CONTENT_TYPE = "iqdb_vector";

  /** The metric names of a mapping, in the order of {@link #similarity(String)}. */
  static final List<String> METRICS = List.of("l2", "cosine", "dot", "max_inner_product");

  /** The quantization names of a mapping and their code bits. */
  static final Map<String, Integer> QUANTIZATIONS =
      Map.of("none", 32, "int8", 8, "int7", 7, "int4", 4, "bit1", 1);

  /** The parser of the type, registered by {@link IqdbPlugin}. */
  public static final TypeParser PARSER = new TypeParser((name, context) -> new Builder(name));

  private static IqdbVectorFieldMapper toType(FieldMapper in) {
    return (IqdbVectorFieldMapper) in;
  }

  /** Builds the mapper from a mapping's parameters. */
  public static final class Builder extends ParametrizedFieldMapper.Builder {
    private final Parameter<Integer> dimension =
        Parameter.intParam("dimension", false, m -> toType(m).type().dimension(), -1)
            .setValidator(
                d -> {
                  // -1: not given (the parameter's default), reported by build()
                  if (d != -1 && (d < 1 || d > IqdbCodec.MAX_DIMENSIONS)) {
                    throw new IllegalArgumentException(
                        "[dimension] must be in [1, " + IqdbCodec.MAX_DIMENSIONS + "]; dimension=" + d);
                  }
                });
    private final Parameter<String> metric =
        Parameter.restrictedStringParam(
            "metric", false, m -> toType(m).metric, METRICS.toArray(new String[0]));
    private final Parameter<String> index =
        Parameter.restrictedStringParam("index", false, m -> toType(m).index, "hnsw", "ivf", "flat");
    private final Parameter<String> quantization =
        Parameter.restrictedStringParam(
            "quantization", false, m -> toType(m).quantization, "none", "int8", "int7", "int4", "bit1");
    private final Parameter<Integer> m =
        Parameter.intParam("m", false, mapper -> toType(mapper).m, 16)
            .setValidator(
                v -> {
                  if (v < IqdbVectorFormats.MIN_HNSW_M || v > IqdbVectorFormats.MAX_HNSW_M) {
                    throw new IllegalArgumentException(
                        "[m] must be in [" + IqdbVectorFormats.MIN_HNSW_M + ", "
                            + IqdbVectorFormats.MAX_HNSW_M + "]; m=" + v);
                  }
                });
    private final Parameter<Integer> efConstruction =
        Parameter.intParam("ef_construction", false, mapper -> toType(mapper).efConstruction, 100)
            .setValidator(
                v -> {
                  if (v < 1 || v > IqdbVectorFormats.MAX_HNSW_BEAM_WIDTH) {
                    throw new IllegalArgumentException(
                        "[ef_construction] must be in [1, " + IqdbVectorFormats.MAX_HNSW_BEAM_WIDTH
                            + "]; ef_construction=" + v);
                  }
                });
    private final Parameter<Integer> lists =
        Parameter.intParam("lists", false, mapper -> toType(mapper).lists, 0)
            .setValidator(
                v -> {
                  if (v < 0 || v > IqdbVectorFormats.MAX_IVF_LISTS) {
                    throw new IllegalArgumentException(
                        "[lists] must be in [0, " + IqdbVectorFormats.MAX_IVF_LISTS + "]; lists=" + v);
                  }
                });
    private final Parameter<Map<String, String>> meta = Parameter.metaParam();

    /**
     * A builder for a field.
     *
     * @param name the field's simple name
     */
    public Builder(String name) {
      super(name);
    }

    @Override
    protected List<Parameter<?>> getParameters() {
      return List.of(dimension, metric, index, quantization, m, efConstruction, lists, meta);
    }

    @Override
    public IqdbVectorFieldMapper build(Mapper.BuilderContext context) {
      if (!IqdbPlugin.INDEX_IQDB.get(context.indexSettings())) {
        throw new MapperParsingException(
            "field [" + name + "] of type [" + CONTENT_TYPE + "] needs the index setting ["
                + IqdbPlugin.INDEX_IQDB.getKey() + ": true], which makes iQDB's codec write the index");
      }
      if (dimension.getValue() == -1) {
        throw new MapperParsingException(
            "field [" + name + "] of type [" + CONTENT_TYPE + "] needs a [dimension] in [1, "
                + IqdbCodec.MAX_DIMENSIONS + "]");
      }
      IqdbVectorFieldType type;
      try {
        type =
            new IqdbVectorFieldType(
                buildFullName(context),
                dimension.getValue(),
                similarity(metric.getValue()),
                IndexKind.valueOf(index.getValue().toUpperCase(Locale.ROOT)),
                QUANTIZATIONS.get(quantization.getValue()),
                m.getValue(),
                efConstruction.getValue(),
                lists.getValue(),
                meta.getValue());
      } catch (IllegalArgumentException e) {
        throw new MapperParsingException(
            "field [" + name + "] of type [" + CONTENT_TYPE + "]: " + e.getMessage(), e);
      }
      return new IqdbVectorFieldMapper(name, type, this);
    }
  }

  private final String metric;
  private final String index;
  private final String quantization;
  private final int m;
  private final int efConstruction;
  private final int lists;
  private final FieldType luceneType;

  private IqdbVectorFieldMapper(String simpleName, IqdbVectorFieldType type, Builder builder) {
    super(simpleName, type, MultiFields.empty(), CopyTo.empty());
    this.metric = builder.metric.getValue();
    this.index = builder.index.getValue();
    this.quantization = builder.quantization.getValue();
    this.m = builder.m.getValue();
    this.efConstruction = builder.efConstruction.getValue();
    this.lists = builder.lists.getValue();
    this.luceneType = KnnFloatVectorField.createFieldType(type.dimension(), type.similarity());
  }

  /** Lucene's similarity of a metric name (one of {@link #METRICS}). */
  static VectorSimilarityFunction similarity(String metric) {
    return switch (metric) {
      case "l2" -> VectorSimilarityFunction.EUCLIDEAN;
      case "cosine" -> VectorSimilarityFunction.COSINE;
      case "dot" -> VectorSimilarityFunction.DOT_PRODUCT;
      case "max_inner_product" -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
      default -> throw new IllegalArgumentException("unknown metric [" + metric + "]");
    };
  }

  IqdbVectorFieldType type() {
    return (IqdbVectorFieldType) fieldType();
  }

  @Override
  public ParametrizedFieldMapper.Builder getMergeBuilder() {
    return new Builder(simpleName()).init(this);
  }

  @Override
  public boolean parsesArrayValue() {
    return true;
  }

  @Override
  protected void parseCreateField(ParseContext context) throws IOException {
    IqdbVectorFieldType type = type();
    if (context.parser().currentToken() == Token.VALUE_NULL) {
      return; // no vector for this document, as null means for every OpenSearch field
    }
    float[] vector = readVector(context.parser(), type.name(), type.dimension());
    if (type.similarity() == VectorSimilarityFunction.COSINE && isZero(vector)) {
      throw new MapperParsingException(
          "field [" + type.name() + "]: a cosine vector must not be all zeros");
    }
    context.doc().add(new KnnFloatVectorField(type.name(), vector, luceneType));
  }

  /**
   * Reads a JSON array of numbers of the given length: a document's value or a query's vector.
   *
   * @throws MapperParsingException naming the field if the value is not such an array
   */
  static float[] readVector(XContentParser parser, String field, int dimension) throws IOException {
    if (parser.currentToken() != Token.START_ARRAY) {
      throw new MapperParsingException(
          "field [" + field + "]: a vector is an array of numbers; found " + parser.currentToken());
    }
    float[] vector = new float[dimension];
    int n = 0;
    for (Token t = parser.nextToken(); t != Token.END_ARRAY; t = parser.nextToken()) {
      if (t != Token.VALUE_NUMBER) {
        throw new MapperParsingException(
            "field [" + field + "]: a vector holds numbers only; found " + t + " at position " + n);
      }
      float v = parser.floatValue();
      if (!Float.isFinite(v)) {
        throw new MapperParsingException(
            "field [" + field + "]: a vector holds finite numbers; found " + v + " at position " + n);
      }
      if (n < dimension) {
        vector[n] = v;
      }
      n++;
    }
    if (n != dimension) {
      throw new MapperParsingException(
          "field [" + field + "]: the vector has " + n + " dimensions; the mapping says " + dimension);
    }
    return vector;
  }

  private static boolean isZero(float[] vector) {
    for (float v : vector) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  protected String contentType() {
    return CONTENT_TYPE;
  }
}
