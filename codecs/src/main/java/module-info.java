/** The iQDB Lucene codec: flat, IVF and HNSW vector formats chosen per field. */
module io.iqdb.codecs {
  requires transitive org.apache.lucene.core;

  exports io.iqdb.codecs;

  provides org.apache.lucene.codecs.Codec with
      io.iqdb.codecs.IqdbCodec;
}
