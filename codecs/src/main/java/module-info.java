/**
 * The iQDB Lucene codec: flat, IVF and HNSW (with duplicate vectors collapsed) vector formats
 * chosen per field.
 */
module io.iqdb.codecs {
  requires transitive org.apache.lucene.core;

  exports io.iqdb.codecs;
  exports io.iqdb.codecs.dedup;
  exports io.iqdb.codecs.flat;
  exports io.iqdb.codecs.ivf;

  provides org.apache.lucene.codecs.Codec with
      io.iqdb.codecs.IqdbCodec;
  provides org.apache.lucene.codecs.KnnVectorsFormat with
      io.iqdb.codecs.flat.IqdbFlatVectorsFormat,
      io.iqdb.codecs.flat.IqdbQuantizedFlatVectorsFormat,
      io.iqdb.codecs.ivf.IvfVectorsFormat,
      io.iqdb.codecs.dedup.DedupVectorsFormat;
}
