package io.iqdb.opensearch;

import io.iqdb.codecs.IqdbCodec;
import io.iqdb.codecs.IqdbVectorFormats;
import java.util.Map;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.Query;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.SourceValueFetcher;
import org.opensearch.index.mapper.TextSearchInfo;
import org.opensearch.index.mapper.ValueFetcher;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.search.lookup.SearchLookup;

/**
 * The searchable side of an {@code iqdb_vector} field: its dimension, metric, index kind and
 * quantization, and the iQDB vector format its segments are written with. Only {@code iqdb_knn}
 * and {@code exists} queries apply to it.
 */
public final class IqdbVectorFieldType extends MappedFieldType {

  /** The index kinds of an {@code iqdb_vector} field, as named in a mapping. */
  public enum IndexKind {
    /** Exact search over flat storage: recall 1, cost linear in the documents. */
    FLAT,
    /** iQDB's inverted file: the nearest lists of each segment are probed. */
    IVF,
    /** Lucene's HNSW graph. */
    HNSW
  }

  private final int dimension;
  private final VectorSimilarityFunction similarity;
  private final IndexKind index;
  private final int bits;
  private final KnnVectorsFormat format;

  /**
   * A field type; the parameters were validated by the mapper.
   *
   * @param name the field's full name
   * @param dimension the vector dimension, in [1, {@value IqdbCodec#MAX_DIMENSIONS}]
   * @param similarity Lucene's similarity of the metric
   * @param index the index kind
   * @param bits the code bits of the quantization (32 for none)
   * @param m HNSW's connections per node
   * @param efConstruction HNSW's beam width while building
   * @param lists IVF's lists per segment, 0 to derive them from the segment's size
   * @param meta the mapping's {@code meta}
   * @throws IllegalArgumentException if the codec refuses a parameter
   */
  public IqdbVectorFieldType(
      String name,
      int dimension,
      VectorSimilarityFunction similarity,
      IndexKind index,
      int bits,
      int m,
      int efConstruction,
      int lists,
      Map<String, String> meta) {
    super(name, true, false, false, TextSearchInfo.NONE, meta);
    this.dimension = dimension;
    this.similarity = similarity;
    this.index = index;
    this.bits = bits;
    this.format =
        switch (index) {
          case FLAT -> IqdbVectorFormats.flat(bits);
          case IVF -> IqdbVectorFormats.ivf(lists, bits);
          case HNSW -> IqdbVectorFormats.hnsw(m, efConstruction, bits);
        };
  }

  /**
   * The vector dimension.
   *
   * @return the dimension every document and query vector has
   */
  public int dimension() {
    return dimension;
  }

  /**
   * Lucene's similarity function of the field's metric.
   *
   * @return the similarity
   */
  public VectorSimilarityFunction similarity() {
    return similarity;
  }

  /**
   * The index kind.
   *
   * @return flat, IVF or HNSW
   */
  public IndexKind index() {
    return index;
  }

  /**
   * The code bits of the field's quantization.
   *
   * @return 32 (none), 8, 7, 4 or 1
   */
  public int bits() {
    return bits;
  }

  /**
   * The iQDB vector format new segments store this field with (the plugin's codec asks for it).
   *
   * @return the format
   */
  public KnnVectorsFormat format() {
    return format;
  }

  @Override
  public String typeName() {
    return IqdbVectorFieldMapper.CONTENT_TYPE;
  }

  @Override
  public ValueFetcher valueFetcher(QueryShardContext context, SearchLookup lookup, String format) {
    if (format != null) {
      throw new IllegalArgumentException(
          "field [" + name() + "] of type [" + typeName() + "] does not support a format; format=" + format);
    }
    return SourceValueFetcher.identity(name(), context, null);
  }

  @Override
  public Query termQuery(Object value, QueryShardContext context) {
    throw new IllegalArgumentException(
        "field [" + name() + "] of type [" + typeName() + "] supports only iqdb_knn and exists queries");
  }

  @Override
  public Query existsQuery(QueryShardContext context) {
    return new FieldExistsQuery(name());
  }
}
