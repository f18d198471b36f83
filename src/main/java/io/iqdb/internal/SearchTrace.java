package io.iqdb.internal;

import io.iqdb.SearchExplanation;
import io.iqdb.SearchExplanation.KnobSource;
import io.iqdb.SearchExplanation.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;

/**
 * What one search did, collected while it runs and turned into a {@link SearchExplanation}.
 * Segments may be searched on several threads at once (Lucene's task executor): the methods are
 * synchronized. A segment searched twice (Lucene's fallback from the graph to exact scoring, or a
 * second round when the tail shadowed hits) adds up its counts and times; its plan is the last one.
 */
final class SearchTrace {
  /** One segment's account, filled in place. */
  static final class Leaf {
    final String segment;
    int vectors;
    long filterMatches = -1;
    Plan plan;
    String reason = "";
    int ef;
    int probes;
    KnobSource knobSource = KnobSource.NONE;
    long scored;
    long rescored;
    long nanos;

    Leaf(String segment) {
      this.segment = segment;
    }

    void because(String why) {
      reason = reason.isEmpty() ? why : reason + "; then " + why;
    }
  }

  private final Map<Integer, Leaf> leaves = new TreeMap<>();
  private int tailRecords;

  /** The account of a segment, created on first use. */
  synchronized Leaf leaf(LeafReaderContext ctx) {
    return leaves.computeIfAbsent(ctx.ord, o -> new Leaf(segmentName(ctx)));
  }

  /** Runs {@code update} on a segment's account under the trace's lock. */
  synchronized void update(LeafReaderContext ctx, java.util.function.Consumer<Leaf> update) {
    update.accept(leaf(ctx));
  }

  synchronized void tailRecords(int n) {
    tailRecords = n;
  }

  synchronized SearchExplanation toExplanation(long nanos) {
    List<SearchExplanation.Segment> out = new ArrayList<>(leaves.size());
    for (Leaf l : leaves.values()) {
      out.add(new SearchExplanation.Segment(
          l.segment, l.vectors, l.filterMatches, l.plan, l.reason, l.ef, l.probes, l.knobSource, l.scored,
          l.rescored, l.nanos));
    }
    return new SearchExplanation(out, tailRecords, nanos);
  }

  private static String segmentName(LeafReaderContext ctx) {
    return FilterLeafReader.unwrap(ctx.reader()) instanceof SegmentReader sr ? sr.getSegmentName() : "leaf" + ctx.ord;
  }
}
