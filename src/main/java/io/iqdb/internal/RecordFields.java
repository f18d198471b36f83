package io.iqdb.internal;

import io.iqdb.Payload;
import java.io.IOException;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.util.BytesRef;

/** Reads a record's id, payload, text and vector back from one segment. */
final class RecordFields {
  private RecordFields() {}

  static String id(LeafReader reader, int doc) throws IOException {
    return id(reader.getBinaryDocValues(Schema.ID), doc);
  }

  /**
   * The id of {@code doc} from a segment's id doc values ({@code null} if the segment has none),
   * which must not be past {@code doc}: reading several docs in increasing order shares one.
   */
  static String id(BinaryDocValues ids, int doc) throws IOException {
    if (ids == null || !ids.advanceExact(doc)) {
      throw new IllegalStateException("document " + doc + " has no id");
    }
    return ids.binaryValue().utf8ToString();
  }

  static Payload payload(LeafReader reader, int doc) throws IOException {
    return payload(reader.getBinaryDocValues(Schema.PAYLOAD), doc);
  }

  /** The payload of {@code doc}, like {@link #id(BinaryDocValues, int)}; empty if it has none. */
  static Payload payload(BinaryDocValues payloads, int doc) throws IOException {
    if (payloads == null || !payloads.advanceExact(doc)) {
      return Payload.empty();
    }
    BytesRef b = payloads.binaryValue();
    return PayloadCodec.decode(b.bytes, b.offset, b.length);
  }

  static PayloadCodec.Decoded payloadAndText(LeafReader reader, int doc) throws IOException {
    return payloadAndText(reader.getBinaryDocValues(Schema.PAYLOAD), doc);
  }

  /** The payload and text of {@code doc}, like {@link #payload(BinaryDocValues, int)}. */
  static PayloadCodec.Decoded payloadAndText(BinaryDocValues payloads, int doc) throws IOException {
    if (payloads == null || !payloads.advanceExact(doc)) {
      return new PayloadCodec.Decoded(Payload.empty(), null);
    }
    BytesRef b = payloads.binaryValue();
    return PayloadCodec.decodeWithText(b.bytes, b.offset, b.length);
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
