package io.iqdb.codecs;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * A Lucene format under its own name, accepting up to {@link IqdbCodec#MAX_DIMENSIONS} dimensions.
 * Segments record the delegate's name, so they are read back by Lucene's own class through SPI;
 * only the dimension limit checked at indexing time differs.
 */
final class MaxDimensionsVectorsFormat extends KnnVectorsFormat {

  private final KnnVectorsFormat delegate;

  MaxDimensionsVectorsFormat(KnnVectorsFormat delegate) {
    super(delegate.getName());
    this.delegate = delegate;
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return delegate.fieldsWriter(state);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return delegate.fieldsReader(state);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return IqdbCodec.MAX_DIMENSIONS;
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
