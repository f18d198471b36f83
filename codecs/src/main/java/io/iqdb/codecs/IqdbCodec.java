package io.iqdb.codecs;

import java.util.function.Function;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;

/**
 * iQDB's codec: Lucene's current codec with the vector format chosen per field. The name carries
 * the format version ({@value #NAME}); Lucene records it in every segment and finds this class
 * through SPI when reading.
 *
 * <p>Reading needs no configuration: each field's vector format name is stored in the segment and
 * resolved through {@link KnnVectorsFormat#forName}. Writing uses the function given to the
 * constructor.
 */
public final class IqdbCodec extends FilterCodec {

  /** The codec name, with its version. */
  public static final String NAME = "Iqdb100";

  private final KnnVectorsFormat knnVectorsFormat;

  /** The SPI constructor: Lucene's HNSW for every vector field. Used for reading. */
  public IqdbCodec() {
    this(field -> new Lucene99HnswVectorsFormat());
  }

  /**
   * A codec choosing each vector field's format.
   *
   * @param formatForField the format of each vector field, by field name
   */
  public IqdbCodec(Function<String, KnnVectorsFormat> formatForField) {
    super(NAME, new Lucene104Codec());
    this.knnVectorsFormat =
        new PerFieldKnnVectorsFormat() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return formatForField.apply(field);
          }

          // IndexingChain asks the codec's format, not the field's: pass the question on, so
          // each format's own limit (DedupVectorsFormat's, IvfVectorsFormat's) applies
          @Override
          public int getMaxDimensions(String fieldName) {
            return formatForField.apply(fieldName).getMaxDimensions(fieldName);
          }
        };
  }

  /**
   * The largest vector dimension any iQDB format accepts: real embedding models go to 3072, while
   * Lucene's own formats stop at 1024.
   */
  public static final int MAX_DIMENSIONS = 4096;

  @Override
  public KnnVectorsFormat knnVectorsFormat() {
    return knnVectorsFormat;
  }
}
