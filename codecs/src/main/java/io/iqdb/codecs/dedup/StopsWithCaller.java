package io.iqdb.codecs.dedup;

import org.apache.lucene.search.KnnCollector;

/**
 * A reader's own collector for a graph search made on behalf of a caller's collector: it stops
 * when either does. The caller's collector may stop a search the reader's own budget would let go
 * on: a timeout (Lucene's {@code TimeLimitingKnnCollectorManager}) or a planner that gives up on
 * the graph (see {@link io.iqdb.codecs.FilterCheckingCollector}).
 */
final class StopsWithCaller extends KnnCollector.Decorator {
  private final KnnCollector caller;

  StopsWithCaller(KnnCollector own, KnnCollector caller) {
    super(own);
    this.caller = caller;
  }

  @Override
  public boolean earlyTerminated() {
    return collector.earlyTerminated() || caller.earlyTerminated();
  }
}
