package io.iqdb.springai.autoconfigure;

import io.iqdb.Metric;
import io.iqdb.springai.IqdbVectorStore;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the auto-configured {@link IqdbVectorStore}, under {@value #PREFIX}.
 */
@ConfigurationProperties(IqdbVectorStoreProperties.PREFIX)
public class IqdbVectorStoreProperties {

  /** The property prefix. */
  public static final String PREFIX = "spring.ai.vectorstore.iqdb";

  /** The index kinds a property can name. */
  public enum IndexKind {
    /** Exact search over all vectors. */
    FLAT,
    /** Lucene's HNSW graph. */
    HNSW,
    /** iQDB's inverted-file index. */
    IVF
  }

  private Path path;
  private String collectionName = IqdbVectorStore.DEFAULT_COLLECTION;
  private Metric metric = Metric.COSINE;
  private IndexKind index = IndexKind.HNSW;
  private int dimensions;
  private String contentFieldName = IqdbVectorStore.DEFAULT_CONTENT_FIELD;

  /** Creates the defaults. */
  public IqdbVectorStoreProperties() {}

  /**
   * The database directory, created if missing. Default: none, and the database is held in memory
   * and lost when the application stops.
   *
   * @return the directory or {@code null}
   */
  public Path getPath() {
    return path;
  }

  /**
   * Sets the database directory.
   *
   * @param path the directory
   */
  public void setPath(Path path) {
    this.path = path;
  }

  /**
   * The collection name. Default {@value IqdbVectorStore#DEFAULT_COLLECTION}.
   *
   * @return the name
   */
  public String getCollectionName() {
    return collectionName;
  }

  /**
   * Sets the collection name.
   *
   * @param collectionName the name
   */
  public void setCollectionName(String collectionName) {
    this.collectionName = collectionName;
  }

  /**
   * The metric of a new collection. Default {@code COSINE}.
   *
   * @return the metric
   */
  public Metric getMetric() {
    return metric;
  }

  /**
   * Sets the metric.
   *
   * @param metric the metric
   */
  public void setMetric(Metric metric) {
    this.metric = metric;
  }

  /**
   * The index of a new collection, with its default parameters. Default {@code HNSW}.
   *
   * @return the index kind
   */
  public IndexKind getIndex() {
    return index;
  }

  /**
   * Sets the index kind.
   *
   * @param index the index kind
   */
  public void setIndex(IndexKind index) {
    this.index = index;
  }

  /**
   * The vector dimension. Default 0: the embedding model's.
   *
   * @return the dimension, or 0
   */
  public int getDimensions() {
    return dimensions;
  }

  /**
   * Sets the vector dimension.
   *
   * @param dimensions the dimension, or 0
   */
  public void setDimensions(int dimensions) {
    this.dimensions = dimensions;
  }

  /**
   * The payload field holding the document text. Default {@value
   * IqdbVectorStore#DEFAULT_CONTENT_FIELD}.
   *
   * @return the field name
   */
  public String getContentFieldName() {
    return contentFieldName;
  }

  /**
   * Sets the payload field holding the document text.
   *
   * @param contentFieldName the field name
   */
  public void setContentFieldName(String contentFieldName) {
    this.contentFieldName = contentFieldName;
  }
}
