package io.iqdb.codecs.flat;

import io.iqdb.codecs.IqdbVectorFormats;
import org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorsFormat;

/**
 * Exact search over scalar-quantized codes with full-precision rescoring: every accepted vector is
 * scored on its code (Lucene's SIMD quantized scorer), the best {@code k * oversample} are rescored
 * against the raw float32 vectors, and the k best of those are returned.
 *
 * <p>The default oversampling is {@link io.iqdb.codecs.Oversampling#flat}'s; a query overrides it with a {@link FlatSearchStrategy}. Byte vector fields are searched exactly.
 *
 * <p>Files: exactly those of {@link Lucene104ScalarQuantizedVectorsFormat} (raw vectors in {@code
 * .vec}/{@code .vemf}, codes and their corrective terms in {@code .veq}/{@code .vemq}, documented
 * there, including the encoding of each field); this format adds none. The encoding is read per
 * field from those files, so the SPI constructor reads every variant. They are written by {@link
 * QuantizedVectorsFormat}, which differs from Lucene's writer only in the centroid it gives a
 * COSINE field whose directions cancel out.
 */
public final class IqdbQuantizedFlatVectorsFormat extends FlatSearchFormat {

  /** The SPI name, with its version. */
  public static final String NAME = "IqdbFlatQuantized100";

  private final int bits;

  /** The SPI constructor: 8-bit codes when writing; any encoding when reading. */
  public IqdbQuantizedFlatVectorsFormat() {
    this(8);
  }

  /**
   * A quantized flat format.
   *
   * @param bits 8, 7, 4 or 1
   * @throws IllegalArgumentException for any other value
   */
  public IqdbQuantizedFlatVectorsFormat(int bits) {
    super(NAME, new QuantizedVectorsFormat(IqdbVectorFormats.encoding(bits)));
    this.bits = bits;
  }

  @Override
  public String toString() {
    return NAME + "(bits=" + bits + ", flat=" + flat + ")";
  }
}
