package io.iqdb;

/**
 * How an index stores the vectors it searches. Full-precision vectors are always kept as well: they
 * serve {@code get}, exact search, and the rescoring of quantized candidates, so recall survives
 * quantization when {@link SearchRequest#oversample(float) oversampling} is used.
 */
public enum Quantization {
  /**
   * 32-bit floats: no quantization; 4 bytes per dimension. The default of flat and HNSW indices
   * ({@link IndexSpec#ivf()} defaults to {@link #INT8}).
   */
  NONE,
  /** Scalar quantization to 8 bits per dimension (about 4x smaller than float32). */
  INT8,
  /** Scalar quantization to 7 bits per dimension. */
  INT7,
  /** Scalar quantization to 4 bits per dimension (about 8x smaller than float32). */
  INT4,
  /** One bit per dimension (about 32x smaller than float32); needs oversampling for good recall. */
  BIT1
}
