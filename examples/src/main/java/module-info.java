/** The iQDB quick start as a named module: all it needs is {@code requires io.iqdb}. */
module io.iqdb.examples {
  requires io.iqdb;
}
