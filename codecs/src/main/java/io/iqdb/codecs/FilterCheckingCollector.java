package io.iqdb.codecs;

import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.util.Bits;

/**
 * A collector that counts the filter checks of the graph search it collects for. When the
 * collector handed to the dedup format's {@code search} is one, the format passes the bits its
 * graph search checks (one per graph node: the node's vector has at least one accepted document)
 * through {@link #watch} before the search starts. A subclass can then stop the search from its
 * {@code earlyTerminated()}, from {@link #checks()} and {@link #passes()}: for example once they
 * show that the filter avoids the query's neighbourhood. The format's own inner collectors consult
 * the caller's {@code earlyTerminated()} between candidates, as Lucene's graph searcher does. Other
 * formats do not call {@link #watch}: their checks stay uncounted.
 */
public abstract class FilterCheckingCollector extends KnnCollector.Decorator {
  private long checks;
  private long passes;

  /**
   * A collector counting the checks of the searches it collects for.
   *
   * @param collector the collector to decorate
   */
  protected FilterCheckingCollector(KnnCollector collector) {
    super(collector);
  }

  /**
   * The bits to check instead of {@code accepted}: the same answers, counted.
   *
   * @param accepted the bits the graph search would check, never {@code null}
   * @return bits answering as {@code accepted} does
   */
  public final Bits watch(Bits accepted) {
    return new Bits() {
      @Override
      public boolean get(int index) {
        checks++;
        if (accepted.get(index)) {
          passes++;
          return true;
        }
        return false;
      }

      @Override
      public int length() {
        return accepted.length();
      }
    };
  }

  /**
   * The filter checks the graph search made so far.
   *
   * @return the count of checks
   */
  public final long checks() {
    return checks;
  }

  /**
   * How many of {@link #checks()} passed.
   *
   * @return the count of checks that passed
   */
  public final long passes() {
    return passes;
  }
}
