package io.iqdb.opensearch;

import io.iqdb.codecs.IqdbCodec;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.MapperService;

/**
 * OpenSearch's codec of an index with each {@code iqdb_vector} field's vectors written in the
 * field's iQDB format. Everything else (postings, stored fields, doc values, and OpenSearch's
 * per-field postings choices) is the wrapped codec's.
 *
 * <p>Segments carry the name {@value IqdbCodec#NAME}, so they are read back by {@link IqdbCodec}
 * through Lucene's SPI, as iQDB's own indices are: that codec wraps {@code Lucene104Codec}, whose
 * formats read what OpenSearch's default codecs write (their stored-fields mode is recorded in
 * each segment, per-field postings and doc-values formats by name). Hence the plugin wraps only
 * codecs of that family ({@link #wraps(Codec)}).
 */
final class IqdbOpenSearchCodec extends FilterCodec {

  /** The codec name the wrapped codec must have for segments to read back through IqdbCodec. */
  static final String WRAPPED_NAME = "Lucene104";

  private final KnnVectorsFormat knnVectorsFormat;

  IqdbOpenSearchCodec(Codec delegate, MapperService mapperService) {
    super(IqdbCodec.NAME, delegate);
    KnnVectorsFormat fallback = new Lucene99HnswVectorsFormat();
    this.knnVectorsFormat =
        new PerFieldKnnVectorsFormat() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            MappedFieldType type = mapperService == null ? null : mapperService.fieldType(field);
            return type instanceof IqdbVectorFieldType t ? t.format() : fallback;
          }

          // IndexingChain asks the codec's format for the limit: iQDB's formats accept up to
          // IqdbCodec.MAX_DIMENSIONS, Lucene's 1024.
          @Override
          public int getMaxDimensions(String field) {
            return getKnnVectorsFormatForField(field).getMaxDimensions(field);
          }
        };
  }

  /** Whether segments written through a wrap of this codec read back through IqdbCodec. */
  static boolean wraps(Codec codec) {
    return WRAPPED_NAME.equals(codec.getName());
  }

  @Override
  public KnnVectorsFormat knnVectorsFormat() {
    return knnVectorsFormat;
  }
}
