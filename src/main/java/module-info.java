/** iQDB: an embedded vector database on Apache Lucene. Only {@code io.iqdb} is exported. */
module io.iqdb {
  requires transitive org.apache.lucene.core;
  requires org.apache.lucene.backward_codecs;
  requires io.iqdb.codecs;

  exports io.iqdb;
}
