package io.iqdb.cli;

import io.iqdb.Payload;
import io.iqdb.VectorRecord;

/**
 * A record read from an input file, with where it came from for error messages.
 *
 * @param id the record id
 * @param vector the vector
 * @param payload the payload, never null
 * @param where "line 17" for text formats, "record 17" for binary ones (1-based)
 */
record InputRecord(String id, float[] vector, Payload payload, String where) {
  VectorRecord toRecord() {
    return new VectorRecord(id, vector, payload);
  }
}
