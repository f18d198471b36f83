package io.iqdb;

/**
 * How vectors are compared. Every search returns hits best first, by a score in which higher is
 * better. The scores are Lucene's, so that exact and approximate search, and raw Lucene queries over
 * the same index, agree.
 */
public enum Metric {
  /**
   * Cosine similarity. Score: {@code (1 + cos(q, v)) / 2}, in [0, 1]. Zero vectors are rejected.
   * Vectors are stored as given; {@code get} returns them unchanged.
   */
  COSINE,
  /**
   * Euclidean distance. Score: {@code 1 / (1 + ||q - v||²)}, in (0, 1]; the nearest vector scores
   * highest.
   */
  L2,
  /**
   * Dot product of unit-length vectors (faster than {@link #COSINE} when the vectors are already
   * normalized). Score: {@code (1 + q·v) / 2}. Stored and query vectors must have length 1 within
   * 1e-3 relative error, or {@link InvalidVectorException} is thrown.
   */
  DOT,
  /**
   * Maximum inner product of unnormalized vectors. Score: {@code q·v + 1} when {@code q·v >= 0},
   * else {@code 1 / (1 - q·v)}: positive and increasing with the inner product.
   */
  MAX_INNER_PRODUCT
}
