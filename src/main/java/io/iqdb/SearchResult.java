package io.iqdb;

import java.util.List;
import java.util.Optional;

/**
 * Hits with, when the request asked for it ({@link SearchRequest#explain(boolean)}), what the
 * search did to find them.
 *
 * @param hits the hits, best first
 * @param explanation what was done, or {@code null} if the request did not ask
 */
public record SearchResult(List<Hit> hits, SearchExplanation explanation) {

  /**
   * Copies the hit list.
   *
   * @param hits the hits
   * @param explanation the explanation, or {@code null}
   */
  public SearchResult {
    if (hits == null) {
      throw new InvalidArgumentException("hits must not be null");
    }
    hits = List.copyOf(hits);
  }

  /**
   * The explanation, if the request asked for one.
   *
   * @return the explanation
   */
  public Optional<SearchExplanation> explained() {
    return Optional.ofNullable(explanation);
  }
}
