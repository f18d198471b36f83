package io.iqdb.codecs.flat;

import io.iqdb.codecs.IqdbCodec;
import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * A Lucene flat vector format under an iQDB name, searched exhaustively by {@link
 * FlatSearchReader}. Writes exactly the delegate's files.
 */
abstract sealed class FlatSearchFormat extends KnnVectorsFormat
    permits IqdbFlatVectorsFormat, IqdbQuantizedFlatVectorsFormat {

  /** The flat storage: its files are this format's files. */
  final FlatVectorsFormat flat;

  FlatSearchFormat(String name, FlatVectorsFormat flat) {
    super(name);
    this.flat = flat;
  }

  @Override
  public final KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return flat.fieldsWriter(state);
  }

  @Override
  public final KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return new FlatSearchReader(flat.fieldsReader(state), state.fieldInfos);
  }

  @Override
  public final int getMaxDimensions(String fieldName) {
    return IqdbCodec.MAX_DIMENSIONS;
  }
}
