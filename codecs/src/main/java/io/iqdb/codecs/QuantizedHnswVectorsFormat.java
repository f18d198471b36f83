package io.iqdb.codecs;

import io.iqdb.codecs.flat.QuantizedVectorsFormat;
import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Lucene's {@link Lucene104HnswScalarQuantizedVectorsFormat} under its own name (segments are read
 * by Lucene's class through SPI), written with {@link QuantizedVectorsFormat} as the quantized
 * flat storage under the graph, so that a COSINE segment whose vectors' directions cancel out
 * flushes and merges (see {@code QuantizedVectorsWriter}). The graph writer and every parameter are
 * Lucene's defaults for that format (one merge worker, tiny-segment threshold 100); it accepts up to
 * {@link IqdbCodec#MAX_DIMENSIONS} dimensions.
 */
final class QuantizedHnswVectorsFormat extends KnnVectorsFormat {

  /** Lucene's tiny-segment threshold default: below it, a segment gets no graph. */
  private static final int TINY_SEGMENTS_THRESHOLD = 100;

  private final int m;
  private final int beamWidth;
  private final QuantizedVectorsFormat flat;
  private final Lucene104HnswScalarQuantizedVectorsFormat lucene;

  QuantizedHnswVectorsFormat(ScalarEncoding encoding, int m, int beamWidth) {
    super(Lucene104HnswScalarQuantizedVectorsFormat.NAME);
    this.m = m;
    this.beamWidth = beamWidth;
    this.flat = new QuantizedVectorsFormat(encoding);
    this.lucene = new Lucene104HnswScalarQuantizedVectorsFormat(encoding, m, beamWidth);
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return new Lucene99HnswVectorsWriter(
        state, m, beamWidth, flat, flat.fieldsWriter(state), 1, null, TINY_SEGMENTS_THRESHOLD);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return lucene.fieldsReader(state);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return IqdbCodec.MAX_DIMENSIONS;
  }

  @Override
  public String toString() {
    return lucene.toString();
  }
}
