package io.iqdb;

import java.util.List;

/**
 * What a search did, segment by segment: returned by {@link VectorCollection#searchResult} when the
 * request asked for it with {@link SearchRequest#explain(boolean)}.
 *
 * <p>A collection's index is made of segments (Lucene's); each is searched on its own and the best
 * hits of all are merged. The planner chooses per segment between scoring every record that
 * matches the filter ({@link Plan#EXACT}) and the segment's approximate index, from the filter's
 * match count, the segment's size, the dimension and the quantization (see the README, "Query
 * planning"). Records written since the last refresh are searched exactly beside the segments
 * ({@link #tailRecords}).
 *
 * @param segments one entry per segment searched, in index order; empty for a pure text search
 * @param tailRecords records written since the last refresh that were searched exactly in memory
 * @param nanos wall time of the whole search, in nanoseconds
 */
public record SearchExplanation(List<Segment> segments, int tailRecords, long nanos) {

  /**
   * Copies the segment list.
   *
   * @param segments the segments
   * @param tailRecords the records searched in memory
   * @param nanos the search time
   */
  public SearchExplanation {
    if (segments == null) {
      throw new InvalidArgumentException("segments must not be null");
    }
    segments = List.copyOf(segments);
  }

  /** How one segment was searched. */
  public enum Plan {
    /** Every matching record scored at full precision, by the database. */
    EXACT,
    /** Lucene's HNSW graph (with its filtered-search strategy when there is a filter). */
    HNSW,
    /** iQDB's IVF index, the filter applied inside the posting lists. */
    IVF,
    /** The flat index's own scan (exact, or quantized codes rescored). */
    FLAT
  }

  /** Where the {@code ef} or {@code probes} of a segment's search came from. */
  public enum KnobSource {
    /** The plan has no such knob ({@link Plan#EXACT}, {@link Plan#FLAT}). */
    NONE,
    /** The built-in default. */
    DEFAULT,
    /** Set on the request ({@link SearchRequest#ef(int)}, {@link SearchRequest#probes(int)}). */
    REQUESTED,
    /** Calibrated for the segment when it was written, to reach a target recall. */
    CALIBRATED,
    /** Raised above the default or calibrated value because a filter rejects most records. */
    WIDENED_FOR_FILTER
  }

  /**
   * How one segment was searched.
   *
   * @param segment the segment's name (Lucene's, e.g. {@code _3})
   * @param vectors the segment's vector count, deleted records included
   * @param filterMatches live records matching the filter, or -1 without a filter (every live record
   *     is a candidate)
   * @param plan what was done
   * @param reason why, in words: the planner's estimates, or Lucene's own fallback rule
   * @param ef HNSW's candidate list size, 0 if the plan has none
   * @param probes IVF's probed lists, 0 if the plan has none or the codec chose them (see {@code
   *     knobSource})
   * @param knobSource where {@code ef} or {@code probes} came from
   * @param vectorsScored vectors compared with the query (for HNSW and IVF the codec's visited
   *     count, which for quantized indexes counts code comparisons)
   * @param candidatesRescored candidates the database rescored against full-precision vectors
   *     (quantized HNSW; IVF and flat indexes rescore inside the codec and report 0 here)
   * @param nanos time spent on the segment, in nanoseconds
   */
  public record Segment(
      String segment,
      int vectors,
      long filterMatches,
      Plan plan,
      String reason,
      int ef,
      int probes,
      KnobSource knobSource,
      long vectorsScored,
      long candidatesRescored,
      long nanos) {

    /**
     * Checks the references.
     *
     * @param segment the segment's name
     * @param vectors the vector count
     * @param filterMatches the filter's matches, or -1
     * @param plan the plan
     * @param reason the reason
     * @param ef the ef, or 0
     * @param probes the probes, or 0
     * @param knobSource where ef or probes came from
     * @param vectorsScored the vectors scored
     * @param candidatesRescored the candidates rescored
     * @param nanos the time
     */
    public Segment {
      if (segment == null || plan == null || reason == null || knobSource == null) {
        throw new InvalidArgumentException((segment == null ? "segment" : plan == null ? "plan"
            : reason == null ? "reason" : "knobSource") + " must not be null");
      }
    }
  }

  /**
   * The explanation as text, one line per segment, as the CLI prints it.
   *
   * @return the text
   */
  public String format() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(java.util.Locale.ROOT, "search: %.3f ms, %d segment(s), %d in-memory record(s)%n",
        nanos / 1e6, segments.size(), tailRecords));
    for (Segment s : segments) {
      out.append(String.format(java.util.Locale.ROOT, "  %s: %s, vectors=%d", s.segment(), s.plan(), s.vectors()));
      if (s.filterMatches() >= 0) {
        out.append(", filter matches=").append(s.filterMatches());
      }
      if (s.ef() > 0) {
        out.append(", ef=").append(s.ef()).append(" (").append(s.knobSource()).append(')');
      } else if (s.plan() == Plan.IVF) {
        out.append(", probes=").append(s.probes() > 0 ? String.valueOf(s.probes()) : "codec")
            .append(" (").append(s.knobSource()).append(')');
      }
      out.append(String.format(java.util.Locale.ROOT, ", scored=%d, rescored=%d, %.3f ms%n    why: %s%n",
          s.vectorsScored(), s.candidatesRescored(), s.nanos() / 1e6, s.reason()));
    }
    return out.toString();
  }
}
