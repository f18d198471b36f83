package io.iqdb.codecs.ivf;

import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.quantization.OptimizedScalarQuantizer;

/**
 * Scalar codes of residuals (vector minus its list's centroid) and the estimate of a query's score
 * from them.
 *
 * <p>A document residual {@code r} is quantized to {@code b}-bit codes {@code d} on an interval
 * {@code [l, u]} (its min and max for 8, 7 and 4 bits, Lucene's {@link OptimizedScalarQuantizer}
 * interval for 1 bit): {@code r[i] ~ l + s * d[i]}, {@code s = (u - l) / (2^b - 1)}. At query time
 * the query residual {@code q' = q - c} is quantized per list to codes {@code e} on its own min-max
 * interval {@code [lq, uq]} with step {@code sq}. Then
 *
 * <pre>
 *   &lt;q', r&gt; ~ D*l*lq + l*sq*sum(e) + lq*s*sum(d) + s*sq*&lt;e, d&gt;
 * </pre>
 *
 * where {@code <e, d>} is an integer dot product computed with Lucene's SIMD {@link VectorUtil}
 * kernels, and {@code D} the dimension. For L2, {@code |q - x|^2 = |q'|^2 + |r|^2 - 2<q', r>}, with
 * {@code |r|^2} stored per vector; for inner products, {@code <q, x> = <q', r> + <q, c> + <c, r>},
 * with {@code <c, r>} stored per vector.
 *
 * <p>Code layouts: 8 bits, one unsigned byte per dimension (query 8 bits); 7 bits, one byte per
 * dimension (query 7 bits); 4 bits, two dimensions per byte, {@code packed[i] = d[i] << 4 | d[i +
 * P]} with {@code P} the packed length (query 4 bits unpacked); 1 bit, eight dimensions per byte,
 * most significant bit first (query 4 bits, transposed into bit planes). Dimensions are padded with
 * zero codes to a multiple of 2 (4 bits) or 64 (1 bit).
 */
final class ResidualCodec {

  final int bits;
  final int dims;
  final int paddedDims;
  final int codeBytes;
  private final int queryBits;
  // 2 interval refinements instead of Lucene's 5: the same recall@10 on Fashion-MNIST (0.962 at
  // 6 probes), a tenth less build time
  private final OptimizedScalarQuantizer quantizer =
      new OptimizedScalarQuantizer(VectorSimilarityFunction.EUCLIDEAN, 0.1f, 2);

  ResidualCodec(int bits, int dims) {
    this.bits = bits;
    this.dims = dims;
    switch (bits) {
      case 8, 7 -> {
        paddedDims = dims;
        codeBytes = dims;
        queryBits = bits;
      }
      case 4 -> {
        paddedDims = (dims + 1) & ~1;
        codeBytes = paddedDims / 2;
        queryBits = 4;
      }
      case 1 -> {
        paddedDims = (dims + 63) & ~63;
        codeBytes = paddedDims / 8;
        queryBits = 4;
      }
      default -> throw new IllegalArgumentException("unsupported code bits: " + bits);
    }
  }

  /** Per-vector terms stored beside its code. */
  record Terms(float lower, float upper, float correction, int componentSum) {}

  /**
   * Encodes a vector's residual.
   *
   * @param vector the (normalized if cosine) vector, not modified
   * @param centroid its list's centroid
   * @param innerProduct whether the correction is {@code <c, r>} (else {@code |r|^2})
   * @param scratch dims floats
   * @param unpacked paddedDims bytes
   * @param code codeBytes bytes, receives the code
   * @return the corrective terms
   */
  Terms encode(
      float[] vector,
      float[] centroid,
      boolean innerProduct,
      float[] scratch,
      byte[] unpacked,
      byte[] code) {
    float lower;
    float upper;
    float correction;
    int componentSum;
    if (bits >= 4) {
      // min-max intervals cost one pass, unlike the optimized ones, and rescoring absorbs the
      // small loss at 4 bits and more (same recall@10 on Fashion-MNIST, a third less build time)
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < dims; i++) {
        float r = vector[i] - centroid[i];
        scratch[i] = r;
        min = Math.min(min, r);
        max = Math.max(max, r);
      }
      float step = (max - min) / ((1 << bits) - 1);
      float inv = step == 0f ? 0f : 1f / step;
      int sum = 0;
      for (int i = 0; i < dims; i++) {
        int e = Math.round((scratch[i] - min) * inv);
        unpacked[i] = (byte) e;
        sum += e;
      }
      lower = min;
      upper = max;
      componentSum = sum;
      correction =
          innerProduct
              ? VectorUtil.dotProduct(centroid, scratch)
              : VectorUtil.dotProduct(scratch, scratch);
    } else {
      System.arraycopy(vector, 0, scratch, 0, dims);
      java.util.Arrays.fill(unpacked, (byte) 0);
      OptimizedScalarQuantizer.QuantizationResult result =
          quantizer.scalarQuantize(scratch, unpacked, (byte) bits, centroid);
      // scratch now holds the residual
      lower = result.lowerInterval();
      upper = result.upperInterval();
      componentSum = result.quantizedComponentSum();
      correction =
          innerProduct ? VectorUtil.dotProduct(centroid, scratch) : result.additionalCorrection();
    }
    switch (bits) {
      case 8, 7 -> System.arraycopy(unpacked, 0, code, 0, codeBytes);
      case 4 -> {
        for (int i = 0; i < codeBytes; i++) {
          code[i] = (byte) ((unpacked[i] << 4) | unpacked[i + codeBytes]);
        }
      }
      default -> OptimizedScalarQuantizer.packAsBinary(unpacked, code);
    }
    return new Terms(lower, upper, correction, componentSum);
  }

  /** A query prepared against one list's centroid. */
  final class Query {
    private final byte[] unpacked = new byte[paddedDims];
    private final byte[] packed = bits == 1 ? new byte[4 * codeBytes] : unpacked;
    private final float[] residual = new float[dims];
    private float lower;
    private float step;
    private int componentSum;
    private float residualNorm2;
    private float queryDotCentroid;

    /**
     * Prepares the query residual against a centroid.
     *
     * @param query the (normalized if cosine) query
     * @param centroid the list's centroid
     * @param queryDotCentroid {@code <q, c>} (used for inner products)
     */
    void prepare(float[] query, float[] centroid, float queryDotCentroid) {
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      float norm2 = 0;
      for (int i = 0; i < dims; i++) {
        float r = query[i] - centroid[i];
        residual[i] = r;
        norm2 += r * r;
        min = Math.min(min, r);
        max = Math.max(max, r);
      }
      int levels = (1 << queryBits) - 1;
      float s = (max - min) / levels;
      if (s == 0f) {
        s = 1f;
      }
      float inv = 1f / s;
      int sum = 0;
      for (int i = 0; i < dims; i++) {
        int e = Math.round((residual[i] - min) * inv);
        if (e > levels) {
          e = levels;
        }
        unpacked[i] = (byte) e;
        sum += e;
      }
      if (bits == 1) {
        OptimizedScalarQuantizer.transposeHalfByte(unpacked, packed);
      }
      this.lower = min;
      this.step = s;
      this.componentSum = sum;
      this.residualNorm2 = norm2;
      this.queryDotCentroid = queryDotCentroid;
    }

    /**
     * Estimates the score of one document code: the negated squared distance for L2, the inner
     * product otherwise. Higher is better.
     */
    float estimate(
        byte[] code,
        float docLower,
        float docUpper,
        float docCorrection,
        int docComponentSum,
        boolean innerProduct) {
      long dot =
          switch (bits) {
            case 8 -> VectorUtil.uint8DotProduct(unpacked, code);
            case 7 -> VectorUtil.dotProduct(unpacked, code);
            case 4 -> VectorUtil.int4DotProductSinglePacked(unpacked, code);
            default -> VectorUtil.int4BitDotProduct(packed, code);
          };
      float docStep = (docUpper - docLower) / ((1 << bits) - 1);
      float ip =
          dims * docLower * lower
              + docLower * step * componentSum
              + lower * docStep * docComponentSum
              + docStep * step * dot;
      if (innerProduct) {
        return ip + queryDotCentroid + docCorrection;
      }
      return -(residualNorm2 + docCorrection - 2 * ip);
    }
  }
}
