package io.iqdb.codecs.flat;

import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;

/**
 * Exact nearest-neighbour search over float32 vectors: every accepted vector is scored, in blocks,
 * with Lucene's SIMD flat scorer.
 *
 * <p>Files: exactly those of {@link Lucene99FlatVectorsFormat} ({@code .vec} vector data and {@code
 * .vemf} metadata, documented there); this format adds none. Its name ({@value #NAME}) is recorded
 * per field so that segments are read back by this class and searched exhaustively.
 */
public final class IqdbFlatVectorsFormat extends FlatSearchFormat {

  /** The SPI name, with its version. */
  public static final String NAME = "IqdbFlat100";

  /** The format (it has no parameters). */
  public IqdbFlatVectorsFormat() {
    super(NAME, new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer()));
  }

  @Override
  public String toString() {
    return NAME + "(flat=" + flat + ")";
  }
}
