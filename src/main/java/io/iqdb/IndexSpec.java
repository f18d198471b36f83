package io.iqdb;

import io.iqdb.codecs.IqdbVectorFormats;

/**
 * The vector index of a collection. Every index keeps the full-precision vectors too, so exact
 * search ({@link SearchRequest#exact(boolean)}) and {@code get} work on all of them.
 *
 * <ul>
 *   <li>{@link #flat()}: exact brute-force search. Best for small or heavily filtered collections.
 *   <li>{@link #hnsw()}: Lucene's HNSW graph. Fast approximate search, slower to build.
 *   <li>{@link #ivf()}: iQDB's inverted-file index: vectors clustered around centroids; a query
 *       probes the closest clusters. Fast to build, fast to search.
 * </ul>
 */
public sealed interface IndexSpec permits IndexSpec.Flat, IndexSpec.Hnsw, IndexSpec.Ivf {

  /** The largest HNSW {@code m} accepted (Lucene's limit). */
  int MAX_HNSW_M = IqdbVectorFormats.MAX_HNSW_M;
  /** The largest HNSW beam width accepted (Lucene's limit). */
  int MAX_HNSW_BEAM_WIDTH = IqdbVectorFormats.MAX_HNSW_BEAM_WIDTH;

  /**
   * The quantization of the vectors this index searches.
   *
   * @return the quantization; {@link Quantization#NONE} by default
   */
  Quantization quantization();

  /**
   * Exact search, full precision.
   *
   * @return a flat index spec
   */
  static Flat flat() {
    return new Flat(Quantization.NONE);
  }

  /**
   * Exact search over quantized vectors, rescored at full precision.
   *
   * @param quantization the quantization of the scanned vectors
   * @return a flat index spec
   */
  static Flat flat(Quantization quantization) {
    return new Flat(quantization);
  }

  /**
   * HNSW with Lucene's defaults: {@code m = 16}, {@code beamWidth = 100}, full precision.
   *
   * @return an HNSW index spec
   */
  static Hnsw hnsw() {
    return new Hnsw(Hnsw.DEFAULT_M, Hnsw.DEFAULT_BEAM_WIDTH, Quantization.NONE);
  }

  /**
   * HNSW with the given graph parameters, full precision.
   *
   * @param m the maximum number of neighbours per node, {@value IqdbVectorFormats#MIN_HNSW_M}..{@value
   *     #MAX_HNSW_M}
   * @param beamWidth the candidate list size while building, 1..{@value #MAX_HNSW_BEAM_WIDTH}
   * @return an HNSW index spec
   */
  static Hnsw hnsw(int m, int beamWidth) {
    return new Hnsw(m, beamWidth, Quantization.NONE);
  }

  /**
   * IVF with defaults: list count chosen per segment from its size (about the square root of the
   * segment's vector count), lists scanned as {@link Quantization#INT8} codes of the residuals.
   * The best candidates are rescored against the full-precision vectors, which are kept too, so
   * scores are exact; int8 lists scan about 2.5x faster than float lists at the same recall for
   * about 25% more disk. Use {@code ivf().withQuantization(Quantization.NONE)} for float lists.
   *
   * @return an IVF index spec
   */
  static Ivf ivf() {
    return new Ivf(0, Quantization.INT8);
  }

  /**
   * Exact (brute-force) search.
   *
   * @param quantization the quantization of the scanned vectors; {@link Quantization#NONE} scans
   *     full-precision vectors
   */
  record Flat(Quantization quantization) implements IndexSpec {
    /**
     * Validates.
     *
     * @param quantization the quantization
     */
    public Flat {
      if (quantization == null) {
        throw new InvalidArgumentException("quantization must not be null");
      }
    }
  }

  /**
   * Lucene's HNSW graph.
   *
   * @param m the maximum number of neighbours per node (default {@value #DEFAULT_M})
   * @param beamWidth the candidate list size while building (default {@value #DEFAULT_BEAM_WIDTH})
   * @param quantization the quantization of the graph's vectors (default NONE)
   */
  record Hnsw(int m, int beamWidth, Quantization quantization) implements IndexSpec {
    /** The default {@code m}. */
    public static final int DEFAULT_M = 16;
    /** The default beam width. */
    public static final int DEFAULT_BEAM_WIDTH = 100;

    /**
     * Validates.
     *
     * @param m the maximum number of neighbours per node
     * @param beamWidth the candidate list size while building
     * @param quantization the quantization
     */
    public Hnsw {
      if (m < IqdbVectorFormats.MIN_HNSW_M || m > MAX_HNSW_M) {
        throw new InvalidArgumentException(
            "HNSW m must be in [" + IqdbVectorFormats.MIN_HNSW_M + ", " + MAX_HNSW_M + "]; m=" + m);
      }
      if (beamWidth < 1 || beamWidth > MAX_HNSW_BEAM_WIDTH) {
        throw new InvalidArgumentException(
            "HNSW beamWidth must be in [1, " + MAX_HNSW_BEAM_WIDTH + "]; beamWidth=" + beamWidth);
      }
      if (quantization == null) {
        throw new InvalidArgumentException("quantization must not be null");
      }
    }

    /**
     * This spec with another quantization.
     *
     * @param quantization the quantization
     * @return a new spec
     */
    public Hnsw withQuantization(Quantization quantization) {
      return new Hnsw(m, beamWidth, quantization);
    }
  }

  /**
   * iQDB's inverted-file index.
   *
   * @param lists the number of lists (centroids) per segment; 0 (the default) chooses it from the
   *     segment size
   * @param quantization the quantization of the posting-list codes (default INT8 from {@link
   *     IndexSpec#ivf()})
   */
  record Ivf(int lists, Quantization quantization) implements IndexSpec {
    /** The largest list count accepted. */
    public static final int MAX_LISTS = IqdbVectorFormats.MAX_IVF_LISTS;

    /**
     * Validates.
     *
     * @param lists the number of lists, 0 for automatic
     * @param quantization the quantization
     */
    public Ivf {
      if (lists < 0 || lists > MAX_LISTS) {
        throw new InvalidArgumentException("IVF lists must be in [0, " + MAX_LISTS + "]; lists=" + lists);
      }
      if (quantization == null) {
        throw new InvalidArgumentException("quantization must not be null");
      }
    }

    /**
     * This spec with another list count.
     *
     * @param n the list count, 0 for automatic
     * @return a new spec
     */
    public Ivf withLists(int n) {
      return new Ivf(n, quantization);
    }

    /**
     * This spec with another quantization.
     *
     * @param quantization the quantization
     * @return a new spec
     */
    public Ivf withQuantization(Quantization quantization) {
      return new Ivf(lists, quantization);
    }
  }
}
