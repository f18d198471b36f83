package io.iqdb.codecs.flat;

import io.iqdb.codecs.IqdbCodec;
import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Exact nearest-neighbour search over float32 vectors: every accepted vector is scored, in blocks,
 * with Lucene's SIMD flat scorer.
 *
 * <p>Files: exactly those of {@link Lucene99FlatVectorsFormat} ({@code .vec} vector data and {@code
 * .vemf} metadata, documented there); this format adds none. Its name ({@value #NAME}) is recorded
 * per field so that segments are read back by this class and searched exhaustively.
 */
public final class IqdbFlatVectorsFormat extends KnnVectorsFormat {

  /** The SPI name, with its version. */
  public static final String NAME = "IqdbFlat100";

  private final FlatVectorsFormat flat =
      new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());

  /** The format (it has no parameters). */
  public IqdbFlatVectorsFormat() {
    super(NAME);
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return flat.fieldsWriter(state);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return new FlatSearchReader(flat.fieldsReader(state), state.fieldInfos);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return IqdbCodec.MAX_DIMENSIONS;
  }

  @Override
  public String toString() {
    return NAME + "(flat=" + flat + ")";
  }
}
