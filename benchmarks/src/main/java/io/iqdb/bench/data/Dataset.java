package io.iqdb.bench.data;

import io.iqdb.Metric;

/**
 * A benchmark dataset: vectors to index, query vectors and the metric under which neighbours are
 * defined. Ids are the positions in {@link #train()}.
 *
 * @param name a file-name-safe name that identifies the data exactly (it includes size and seed,
 *     so cached ground truth is never reused for different data)
 * @param train the vectors to index
 * @param queries the query vectors
 * @param metric {@link Metric#L2} or {@link Metric#COSINE}
 */
public record Dataset(String name, float[][] train, float[][] queries, Metric metric) {

  /** Checks that the dataset is non-empty and that all vectors have one dimension. */
  public Dataset {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("dataset name must be file-name-safe; name=" + name);
    }
    if (train.length == 0 || queries.length == 0) {
      throw new IllegalArgumentException(
          "dataset " + name + " needs vectors and queries; train=" + train.length + " queries=" + queries.length);
    }
    if (queries[0].length != train[0].length) {
      throw new IllegalArgumentException("dataset " + name + ": query dimension " + queries[0].length
          + " differs from vector dimension " + train[0].length);
    }
  }

  /**
   * Returns the vector dimension.
   *
   * @return the length of every vector
   */
  public int dimension() {
    return train[0].length;
  }

  /**
   * Returns a copy of this dataset restricted to its first {@code n} queries.
   *
   * @param n the number of queries to keep; larger values keep all
   * @return a dataset sharing the training vectors
   */
  public Dataset withQueries(int n) {
    if (n >= queries.length) {
      return this;
    }
    return new Dataset(name, train, java.util.Arrays.copyOf(queries, n), metric);
  }
}
