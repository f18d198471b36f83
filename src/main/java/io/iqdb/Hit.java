package io.iqdb;

import java.util.Arrays;
import java.util.Objects;

/**
 * One search result.
 *
 * @param id the record id
 * @param score the score, higher is better: for a vector search its formula depends on the {@link
 *     Metric}; for a text search it is the BM25 score; for a hybrid search the fused score (see
 *     {@link SearchRequest#text(String)})
 * @param payload the record's payload ({@link Payload#empty()} when payloads were not requested)
 * @param vector the record's vector when {@link SearchRequest#includeVectors(boolean)} was set,
 *     otherwise {@code null}
 * @param text the record's text when payloads were requested ({@link
 *     SearchRequest#includePayload(boolean)}) and the record has one, otherwise {@code null}
 */
public record Hit(String id, float score, Payload payload, float[] vector, String text) {

  /**
   * Validates.
   *
   * @param id the record id
   * @param score the score
   * @param payload the payload
   * @param vector the vector, or {@code null}
   * @param text the text, or {@code null}
   */
  public Hit {
    if (id == null) {
      throw new InvalidIdException("id must not be null");
    }
    if (payload == null) {
      throw new PayloadException("payload must not be null (use Payload.empty())");
    }
  }

  /**
   * A hit without text.
   *
   * @param id the record id
   * @param score the score
   * @param payload the payload
   * @param vector the vector, or {@code null}
   */
  public Hit(String id, float score, Payload payload, float[] vector) {
    this(id, score, payload, vector, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hit h
        && Objects.equals(id, h.id)
        && Float.compare(score, h.score) == 0
        && Objects.equals(payload, h.payload)
        && Arrays.equals(vector, h.vector)
        && Objects.equals(text, h.text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, score, payload, Arrays.hashCode(vector), text);
  }

  @Override
  public String toString() {
    return "Hit[id=" + id + ", score=" + score + ", payload=" + payload + "]";
  }
}
