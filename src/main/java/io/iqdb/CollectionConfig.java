package io.iqdb;

/**
 * The fixed configuration of a collection, stored in the database catalog and identical after
 * reopening. Build one with {@link #builder(int, Metric)}.
 *
 * @param dimension the vector dimension, 1..{@value #MAX_DIMENSION}
 * @param metric the similarity metric
 * @param index the vector index
 * @param durability this collection's durability, or {@code null} to use the database's default
 * @param commitPolicy when this collection commits by itself, or {@code null} to use the
 *     database's default
 */
public record CollectionConfig(
    int dimension, Metric metric, IndexSpec index, Durability durability, CommitPolicy commitPolicy) {

  /** The largest vector dimension accepted (the codec's limit). */
  public static final int MAX_DIMENSION = io.iqdb.codecs.IqdbCodec.MAX_DIMENSIONS;

  /**
   * Validates.
   *
   * @param dimension the vector dimension
   * @param metric the metric
   * @param index the index
   * @param durability the durability or {@code null}
   * @param commitPolicy the commit policy or {@code null}
   */
  public CollectionConfig {
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new InvalidArgumentException(
          "dimension must be in [1, " + MAX_DIMENSION + "]; dimension=" + dimension);
    }
    if (metric == null) {
      throw new InvalidArgumentException("metric must not be null");
    }
    if (index == null) {
      throw new InvalidArgumentException("index must not be null");
    }
  }

  /**
   * A configuration with the database's commit policy.
   *
   * @param dimension the vector dimension
   * @param metric the metric
   * @param index the index
   * @param durability the durability or {@code null}
   */
  public CollectionConfig(int dimension, Metric metric, IndexSpec index, Durability durability) {
    this(dimension, metric, index, durability, null);
  }

  /**
   * Starts a configuration.
   *
   * @param dimension the vector dimension, 1..{@value #MAX_DIMENSION}
   * @param metric the similarity metric
   * @return a builder with index {@link IndexSpec#hnsw()} and the database's durability
   */
  public static Builder builder(int dimension, Metric metric) {
    return new Builder(dimension, metric);
  }

  /** Builds a {@link CollectionConfig}. */
  public static final class Builder {
    private final int dimension;
    private final Metric metric;
    private IndexSpec index = IndexSpec.hnsw();
    private Durability durability;
    private CommitPolicy commitPolicy;

    private Builder(int dimension, Metric metric) {
      if (metric == null) {
        throw new InvalidArgumentException("metric must not be null");
      }
      this.dimension = dimension;
      this.metric = metric;
    }

    /**
     * Sets the index. Default: {@link IndexSpec#hnsw()}.
     *
     * @param index the index
     * @return this builder
     */
    public Builder index(IndexSpec index) {
      if (index == null) {
        throw new InvalidArgumentException("index must not be null");
      }
      this.index = index;
      return this;
    }

    /**
     * Overrides the database's durability for this collection. Default, and with {@code null}: the
     * database's.
     *
     * @param durability the durability
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = durability;
      return this;
    }

    /**
     * Overrides the database's commit policy for this collection. Default, and with {@code null}:
     * the database's.
     *
     * @param commitPolicy the policy
     * @return this builder
     */
    public Builder commitPolicy(CommitPolicy commitPolicy) {
      this.commitPolicy = commitPolicy;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     * @throws InvalidArgumentException if a value is out of range
     */
    public CollectionConfig build() {
      return new CollectionConfig(dimension, metric, index, durability, commitPolicy);
    }
  }
}
