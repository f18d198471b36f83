package io.iqdb;

import java.util.Arrays;
import java.util.Objects;

/**
 * A stored record: the caller's id, a vector, a payload and an optional text.
 *
 * @param id the record id
 * @param vector the vector (not copied: do not modify it after passing it in)
 * @param payload the payload, {@link Payload#empty()} if none
 * @param text the record's text, indexed for BM25 (see {@link SearchRequest#text(String)}), or
 *     {@code null} if it has none
 */
public record VectorRecord(String id, float[] vector, Payload payload, String text) {

  /**
   * Normalizes a null payload to the empty one.
   *
   * @param id the record id
   * @param vector the vector
   * @param payload the payload or {@code null}
   * @param text the text or {@code null}
   */
  public VectorRecord {
    if (id == null) {
      throw new InvalidIdException("id must not be null");
    }
    if (vector == null) {
      throw new InvalidVectorException("vector must not be null");
    }
    payload = payload == null ? Payload.empty() : payload;
  }

  /**
   * A record without text.
   *
   * @param id the record id
   * @param vector the vector
   * @param payload the payload or {@code null}
   */
  public VectorRecord(String id, float[] vector, Payload payload) {
    this(id, vector, payload, null);
  }

  /**
   * A record with an empty payload.
   *
   * @param id the id
   * @param vector the vector
   * @return the record
   */
  public static VectorRecord of(String id, float[] vector) {
    return new VectorRecord(id, vector, Payload.empty(), null);
  }

  /**
   * A record with a payload.
   *
   * @param id the id
   * @param vector the vector
   * @param payload the payload
   * @return the record
   */
  public static VectorRecord of(String id, float[] vector, Payload payload) {
    return new VectorRecord(id, vector, payload, null);
  }

  /**
   * A record with a payload and a text.
   *
   * @param id the id
   * @param vector the vector
   * @param payload the payload, or {@code null} for none
   * @param text the text (at most {@value VectorCollection#MAX_TEXT_BYTES} UTF-8 bytes, checked on
   *     write), or {@code null} for none
   * @return the record
   */
  public static VectorRecord of(String id, float[] vector, Payload payload, String text) {
    return new VectorRecord(id, vector, payload, text);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VectorRecord r
        && Objects.equals(id, r.id)
        && Arrays.equals(vector, r.vector)
        && payload.equals(r.payload)
        && Objects.equals(text, r.text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, Arrays.hashCode(vector), payload, text);
  }

  @Override
  public String toString() {
    return "VectorRecord[id=" + id + ", dim=" + (vector == null ? 0 : vector.length) + ", payload=" + payload
        + (text == null ? "" : ", text=" + text.length() + " chars") + "]";
  }
}
