package io.iqdb.codecs;

/**
 * The default oversampling of every quantized format, in one table: how many candidates, per hit
 * wanted, are ranked on their codes and then rescored against the full-precision vectors. Narrower
 * codes rank less faithfully and need more candidates. A query overrides the default with the
 * format's search strategy ({@code FlatSearchStrategy}, {@code IvfSearchStrategy}).
 *
 * <table>
 * <caption>Default oversampling by format and code bits</caption>
 * <tr><th>bits</th><th>flat</th><th>IVF</th><th>HNSW (candidates asked by the caller)</th></tr>
 * <tr><td>32 (float)</td><td>none</td><td>none</td><td>1</td></tr>
 * <tr><td>8, 7</td><td>3</td><td>2</td><td>2</td></tr>
 * <tr><td>4</td><td>5</td><td>4</td><td>3</td></tr>
 * <tr><td>1</td><td>20</td><td>20</td><td>5</td></tr>
 * </table>
 *
 * <p>IVF needs fewer candidates than flat search at 8 and 4 bits because it codes residuals from
 * the list's centroid, which are smaller than the vectors. With 1-bit codes, 10 reaches only
 * recall@10 0.92 on Fashion-MNIST and 20 reaches 0.96. The quantized HNSW reader of the dedup
 * format rescores every candidate it is asked for (Lucene's own quantized HNSW reader does not), so
 * the HNSW factor is for the caller, which asks the graph for {@code k * oversample} hits and keeps
 * the best {@code k}.
 */
public final class Oversampling {

  private Oversampling() {}

  /**
   * The default oversampling of the quantized flat format.
   *
   * @param bits code bits per dimension: 8, 7, 4 or 1
   * @return candidates rescored per hit wanted
   * @throws IllegalArgumentException for any other value
   */
  public static float flat(int bits) {
    return switch (bits) {
      case 8, 7 -> 3f;
      case 4 -> 5f;
      case 1 -> 20f;
      default -> throw unsupported(bits, "8, 7, 4, 1");
    };
  }

  /**
   * The default oversampling of the quantized IVF format.
   *
   * @param bits code bits per dimension: 8, 7, 4 or 1
   * @return candidates rescored per hit wanted
   * @throws IllegalArgumentException for any other value
   */
  public static float ivf(int bits) {
    return switch (bits) {
      case 8, 7 -> 2f;
      case 4 -> 4f;
      case 1 -> 20f;
      default -> throw unsupported(bits, "8, 7, 4, 1");
    };
  }

  /**
   * The default oversampling for a caller rescoring Lucene's HNSW formats.
   *
   * @param bits code bits per dimension: 32 (no quantization), 8, 7, 4 or 1
   * @return hits asked of the graph per hit wanted
   * @throws IllegalArgumentException for any other value
   */
  public static float hnsw(int bits) {
    return switch (bits) {
      case 32 -> 1f;
      case 8, 7 -> 2f;
      case 4 -> 3f;
      case 1 -> 5f;
      default -> throw unsupported(bits, "32, 8, 7, 4, 1");
    };
  }

  private static IllegalArgumentException unsupported(int bits, String supported) {
    return new IllegalArgumentException("bits must be one of " + supported + "; bits=" + bits);
  }
}
