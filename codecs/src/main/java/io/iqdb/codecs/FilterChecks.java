package io.iqdb.codecs;

import org.apache.lucene.util.Bits;

/**
 * A collector that wants to see the filter checks of the graph search it collects for. When the
 * collector handed to the dedup format's {@code search} implements this, the format passes the
 * bits its graph search checks (one per graph node: the node's vector has at least one accepted
 * document) through {@link #watch} before the search starts. The collector can then stop the
 * search from its {@code earlyTerminated()}, for example once the checks show that the filter
 * avoids the query's neighbourhood; the format's own inner collectors consult the caller's
 * {@code earlyTerminated()} between candidates, as Lucene's graph searcher does.
 */
public interface FilterChecks {

  /**
   * The bits to check instead of {@code accepted}: the same answers, seen by the collector.
   *
   * @param accepted the bits the graph search would check, never {@code null}
   * @return bits answering as {@code accepted} does
   */
  Bits watch(Bits accepted);
}
