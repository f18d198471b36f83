package io.iqdb;

import java.util.Arrays;
import java.util.Objects;

/**
 * A stored record: the caller's id, a vector and a payload.
 *
 * @param id the record id
 * @param vector the vector (not copied: do not modify it after passing it in)
 * @param payload the payload, {@link Payload#empty()} if none
 */
public record VectorRecord(String id, float[] vector, Payload payload) {

  /**
   * Normalizes a null payload to the empty one.
   *
   * @param id the record id
   * @param vector the vector
   * @param payload the payload or {@code null}
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
   * A record with an empty payload.
   *
   * @param id the id
   * @param vector the vector
   * @return the record
   */
  public static VectorRecord of(String id, float[] vector) {
    return new VectorRecord(id, vector, Payload.empty());
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
    return new VectorRecord(id, vector, payload);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VectorRecord r
        && Objects.equals(id, r.id)
        && Arrays.equals(vector, r.vector)
        && payload.equals(r.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, Arrays.hashCode(vector), payload);
  }

  @Override
  public String toString() {
    return "VectorRecord[id=" + id + ", dim=" + (vector == null ? 0 : vector.length) + ", payload=" + payload + "]";
  }
}
