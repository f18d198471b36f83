package io.iqdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.iqdb.Hit;
import io.iqdb.Payload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's recall is tie-aware: a copy of a true neighbour is not a miss. */
class DemoRecallTest {
  private static Hit hit(String id, float score) {
    return new Hit(id, score, Payload.empty(), null);
  }

  @Test
  void aHitScoringAsWellAsTheLastTrueNeighbourCounts() {
    List<Hit> truth = List.of(hit("a", 0.9f), hit("b", 0.5f));
    assertEquals(1.0, DemoCommand.recall(List.of(hit("b", 0.5f), hit("a", 0.9f)), truth));
    // "b2" is a copy of "b": same score, another id
    assertEquals(1.0, DemoCommand.recall(List.of(hit("a", 0.9f), hit("b2", 0.5f)), truth));
    assertEquals(0.5, DemoCommand.recall(List.of(hit("a", 0.9f), hit("c", 0.4f)), truth));
    // only the first truth.size() hits count
    assertEquals(0.5, DemoCommand.recall(List.of(hit("c", 0.4f), hit("a", 0.9f), hit("b", 0.5f)), truth));
  }
}
