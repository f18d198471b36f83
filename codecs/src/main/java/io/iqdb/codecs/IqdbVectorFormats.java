package io.iqdb.codecs;

import io.iqdb.codecs.dedup.DedupVectorsFormat;
import io.iqdb.codecs.flat.IqdbFlatVectorsFormat;
import io.iqdb.codecs.flat.IqdbQuantizedFlatVectorsFormat;
import io.iqdb.codecs.flat.QuantizedVectorsFormat;
import io.iqdb.codecs.ivf.IvfVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * The vector formats iQDB offers, by kind and quantization. Every format returned here accepts
 * vectors of up to {@link IqdbCodec#MAX_DIMENSIONS} dimensions.
 *
 * <p>{@code bits} selects the stored precision of the searched codes: {@code 32} keeps float32 (no
 * quantization), {@code 8} and {@code 7} are scalar int8/int7 codes, {@code 4} packs two codes per
 * byte and {@code 1} is a binary code scored against a 4-bit query. Raw float vectors are always
 * kept, so {@code LeafReader#getFloatVectorValues} returns the exact vectors written for every
 * variant, and the flat and IVF formats rescore their best quantized candidates against them.
 */
public final class IqdbVectorFormats {

  /**
   * The smallest HNSW {@code m} accepted. Lucene accepts 1, which leaves every node above the
   * bottom layer a single neighbour: a chain, not a navigable graph.
   */
  public static final int MIN_HNSW_M = 2;

  /** The largest HNSW {@code m} accepted (Lucene's limit). */
  public static final int MAX_HNSW_M = Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN;

  /** The largest HNSW beam width accepted (Lucene's limit). */
  public static final int MAX_HNSW_BEAM_WIDTH = Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH;

  /** The largest IVF list count accepted. */
  public static final int MAX_IVF_LISTS = IvfVectorsFormat.MAX_LISTS;

  private IqdbVectorFormats() {}

  /**
   * An exact (brute force) format over Lucene's flat vector storage.
   *
   * @param bits 32, 8, 7, 4 or 1
   * @return the format
   * @throws IllegalArgumentException if {@code bits} is not supported
   */
  public static KnnVectorsFormat flat(int bits) {
    if (bits == 32) {
      return new IqdbFlatVectorsFormat();
    }
    return new IqdbQuantizedFlatVectorsFormat(bits);
  }

  /**
   * Lucene's HNSW graph ({@code Lucene99HnswVectorsFormat} for float32, {@code
   * Lucene104HnswScalarQuantizedVectorsFormat} for quantized variants, its files written with
   * iQDB's quantized flat writer, see {@link QuantizedVectorsFormat}) over the distinct vectors of
   * each segment: {@link DedupVectorsFormat} gives documents with bit-for-bit equal vectors one
   * graph node, which Lucene's graph otherwise connects poorly. Segments written before this
   * format record Lucene's own format name and are still read by it.
   *
   * @param m the maximum number of connections per node, in [{@value #MIN_HNSW_M}, {@value
   *     #MAX_HNSW_M}]
   * @param beamWidth the candidate list size while building the graph, in [1, {@value
   *     #MAX_HNSW_BEAM_WIDTH}]
   * @param bits 32, 8, 7, 4 or 1
   * @return the format
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public static KnnVectorsFormat hnsw(int m, int beamWidth, int bits) {
    if (m < MIN_HNSW_M || m > MAX_HNSW_M) {
      throw new IllegalArgumentException(
          "m must be in [" + MIN_HNSW_M + ", " + MAX_HNSW_M + "]; m=" + m);
    }
    if (beamWidth < 1 || beamWidth > MAX_HNSW_BEAM_WIDTH) {
      throw new IllegalArgumentException(
          "beamWidth must be in [1, " + MAX_HNSW_BEAM_WIDTH + "]; beamWidth=" + beamWidth);
    }
    if (bits == 32) {
      return new DedupVectorsFormat(new Lucene99HnswVectorsFormat(m, beamWidth));
    }
    return new DedupVectorsFormat(new QuantizedHnswVectorsFormat(encoding(bits), m, beamWidth));
  }

  /**
   * iQDB's inverted-file format: vectors clustered into lists per segment, queries probing the
   * nearest lists.
   *
   * @param lists the number of lists per segment, in [1, {@value #MAX_IVF_LISTS}], or 0 to derive
   *     it from the segment's size
   * @param bits 32, 8, 7, 4 or 1
   * @return the format
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public static KnnVectorsFormat ivf(int lists, int bits) {
    return new IvfVectorsFormat(lists, bits);
  }

  /**
   * The inverted-file format with its k-means on an executor (see {@link
   * IvfVectorsFormat#IvfVectorsFormat(int, int, java.util.concurrent.Executor)}).
   *
   * @param lists the number of lists per segment, in [1, {@value #MAX_IVF_LISTS}], or 0 to derive
   *     it from the segment's size
   * @param bits 32, 8, 7, 4 or 1
   * @param executor runs k-means at flush and merge; null for the default (the indexing thread at
   *     flush, the merge scheduler's intra-merge executor at merge)
   * @return the format
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public static KnnVectorsFormat ivf(int lists, int bits, java.util.concurrent.Executor executor) {
    return new IvfVectorsFormat(lists, bits, executor);
  }

  /**
   * Whether a segment's search hits on a quantized HNSW field already carry full-precision scores
   * (see {@link DedupVectorsFormat#rescoresHits}), so that a caller rescoring quantized hits can
   * skip the segment. False when it cannot tell (a segment written in Lucene's own quantized HNSW
   * format before the dedup format, a reader that is not a codec reader): then rescore.
   *
   * @param reader a segment's reader
   * @param field the vector field
   * @return true if the segment's hits on {@code field} are scored against the raw vectors
   */
  public static boolean rescoresHits(LeafReader reader, String field) {
    if (FilterLeafReader.unwrap(reader) instanceof CodecReader codec
        && codec.getVectorReader() instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
      KnnVectorsReader fieldReader = perField.getFieldReader(field);
      return fieldReader != null && DedupVectorsFormat.rescoresHits(fieldReader);
    }
    return false;
  }

  /**
   * Lucene's scalar encoding for a bit count.
   *
   * @param bits 8, 7, 4 or 1
   * @return the encoding
   * @throws IllegalArgumentException if {@code bits} is not one of those
   */
  public static ScalarEncoding encoding(int bits) {
    return switch (bits) {
      case 8 -> ScalarEncoding.UNSIGNED_BYTE;
      case 7 -> ScalarEncoding.SEVEN_BIT;
      case 4 -> ScalarEncoding.PACKED_NIBBLE;
      case 1 -> ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE;
      default ->
          throw new IllegalArgumentException("bits must be one of 32, 8, 7, 4, 1; bits=" + bits);
    };
  }
}
