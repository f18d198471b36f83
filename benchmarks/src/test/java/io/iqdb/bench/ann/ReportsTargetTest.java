package io.iqdb.bench.ann;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ANN report's table of target-recall points beside the peers at no less recall. */
class ReportsTargetTest {

  private static ResultRow row(String system, String parameter, int value, double recall, double qps1) {
    return new ResultRow("d", system, parameter, value, recall, qps1, qps1, 1, 1, 1, 1, 1, 1, 1, 1, "ok");
  }

  @Test
  void eachTargetPointMeetsEachPeersFastestPointAtNoLessRecall() {
    List<ResultRow> rows = List.of(
        row("iqdb-hnsw-target", "target/1000", 950, 0.96, 3000),
        row("iqdb-hnsw-target", "target/1000", 990, 0.991, 1000),
        row("lucene-hnsw", "ef", 20, 0.95, 4000), // faster but below 0.96: not comparable
        row("lucene-hnsw", "ef", 40, 0.97, 2000),
        row("lucene-hnsw", "ef", 80, 0.985, 1000),
        row("hnswlib", "ef", 40, 0.995, 1500));
    StringBuilder md = new StringBuilder();
    Reports.appendTargets(md, rows);
    String text = md.toString();
    assertTrue(text.contains("| iqdb-hnsw-target | 0.95 | 0.9600 | 3000 | ef=40: 1.50 | ef=40: 2.00 |"), text);
    // lucene-hnsw never reaches 0.991
    assertTrue(text.contains("| iqdb-hnsw-target | 0.99 | 0.9910 | 1000 | - | ef=40: 0.67 |"), text);
  }

  @Test
  void parsesWhatItWrites() {
    ResultRow r = new ResultRow("d", "faiss-ivf", "nprobe", 8, 0.9612, 1234.5, 2345.6, 2, 10.5, 99.5, 1.25, 1,
        12.5, -1, 3.5, "ok");
    assertEquals(r.csv(), ResultRow.parse(r.csv()).csv());
    assertEquals("failed: x, y", ResultRow.parse(ResultRow.failed("d", "s", "failed: x, y").csv()).status());
  }

  @Test
  void writesNothingWithoutTargetSystems() {
    StringBuilder md = new StringBuilder();
    Reports.appendTargets(md, List.of(row("lucene-hnsw", "ef", 20, 0.95, 4000)));
    assertEquals("", md.toString());
  }
}
