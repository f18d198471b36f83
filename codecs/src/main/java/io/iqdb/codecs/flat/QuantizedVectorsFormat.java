package io.iqdb.codecs.flat;

import io.iqdb.codecs.IqdbCodec;
import java.io.IOException;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorScorer;
import org.apache.lucene.codecs.lucene104.Lucene104ScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Lucene's scalar-quantized flat storage ({@link Lucene104ScalarQuantizedVectorsFormat}: the same
 * files, read by Lucene's reader) written by {@link QuantizedVectorsWriter}, which gives a COSINE
 * field a valid centroid when its vectors' directions cancel out (Lucene 10.6's writer then fails
 * the flush or merge, which is tragic for the index writer). Used as the flat storage of iQDB's
 * quantized flat and HNSW formats.
 */
public final class QuantizedVectorsFormat extends FlatVectorsFormat {

  private static final FlatVectorsFormat RAW =
      new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());
  private static final Lucene104ScalarQuantizedVectorScorer SCORER =
      new Lucene104ScalarQuantizedVectorScorer(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());

  private final ScalarEncoding encoding;
  private final Lucene104ScalarQuantizedVectorsFormat lucene;

  /**
   * A format writing codes of the given encoding.
   *
   * @param encoding the scalar encoding of new segments; segments of any encoding are read
   */
  public QuantizedVectorsFormat(ScalarEncoding encoding) {
    super(Lucene104ScalarQuantizedVectorsFormat.NAME);
    this.encoding = encoding;
    this.lucene = new Lucene104ScalarQuantizedVectorsFormat(encoding);
  }

  @Override
  public FlatVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    // Lucene 10.6's own format adds a no-reuse hint to the raw file's context; no directory in
    // lucene-core reads that hint, and the type does not exist in Lucene 10.5, which OpenSearch 3.9
    // runs these formats on (iqdb-opensearch): the raw writer gets the segment's context as is.
    return new QuantizedVectorsWriter(state, encoding, RAW.fieldsWriter(state), SCORER);
  }

  @Override
  public FlatVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return lucene.fieldsReader(state);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return IqdbCodec.MAX_DIMENSIONS;
  }

  @Override
  public String toString() {
    return "QuantizedVectorsFormat(encoding=" + encoding + ", files of " + lucene + ")";
  }
}
