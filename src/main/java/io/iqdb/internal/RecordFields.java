package io.iqdb.internal;

import io.iqdb.Payload;
import java.io.IOException;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.util.BytesRef;

/** Reads a record's id, payload and vector back from one segment. */
final class RecordFields {
  private RecordFields() {}

  static String id(LeafReader reader, int doc) throws IOException {
    BytesRef b = binary(reader, Schema.ID, doc);
    if (b == null) {
      throw new IllegalStateException("document " + doc + " has no id");
    }
    return b.utf8ToString();
  }

  static Payload payload(LeafReader reader, int doc) throws IOException {
    BytesRef b = binary(reader, Schema.PAYLOAD, doc);
    return b == null ? Payload.empty() : PayloadCodec.decode(b.bytes, b.offset, b.length);
  }

  private static BytesRef binary(LeafReader reader, String field, int doc) throws IOException {
    BinaryDocValues values = reader.getBinaryDocValues(field);
    return values != null && values.advanceExact(doc) ? values.binaryValue() : null;
  }

  /** The full-precision vector of a document, copied. */
  static float[] vector(LeafReader reader, int doc) throws IOException {
    FloatVectorValues values = reader.getFloatVectorValues(Schema.VECTOR);
    KnnVectorValues.DocIndexIterator it = values.iterator();
    if (it.advance(doc) != doc) {
      throw new IllegalStateException("document " + doc + " has no vector");
    }
    return values.vectorValue(it.index()).clone();
  }
}
