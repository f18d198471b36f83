package io.iqdb.codecs.dedup;

import io.iqdb.codecs.IqdbCodec;
import java.io.IOException;
import java.util.Objects;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * A vector format that indexes each distinct vector of a segment once: documents whose vectors are
 * bit-for-bit equal share one node of the inner format's graph. Lucene's HNSW graph connects
 * poorly when many nodes hold one vector (they are all at distance zero from each other, so
 * neighbour selection keeps one of them and prunes the region); with one node per distinct vector
 * that failure cannot occur, and the graph and its vector file are smaller.
 *
 * <p>The inner format (Lucene's HNSW, float or scalar-quantized) sees a dense ordinal space: the
 * distinct vectors of a field, numbered in the order they were first added, indexed as documents
 * {@code 0..distinct-1}. This format maps ordinals to documents: readers see every document with
 * its own vector, searches return every accepted document that shares a collected ordinal, with the
 * ordinal's score, and merges rebuild the graph from the distinct vectors of the merged segment
 * (duplicates across segments collapse too). A merge whose vectors are all distinct is left to the
 * inner format, which starts from the largest segment's graph; the resulting field needs no
 * mapping (identity mode below).
 *
 * <p>Files: the inner format's files (named by its own extensions, under this format's segment
 * suffix) and one mapping file, {@code .vdup}, little-endian:
 *
 * <ul>
 *   <li>{@code IndexHeader} ({@code CodecUtil.writeIndexHeader}: codec name {@value #CODEC_NAME},
 *       version, segment id, segment suffix)
 *   <li>{@code InnerFormatName}: string, the SPI name of the inner format that wrote the graph
 *   <li>{@code FieldCount}: vint
 *   <li>per field:
 *       <ul>
 *         <li>{@code FieldNumber}: vint
 *         <li>{@code DocCount}: vint, documents with a vector (N)
 *         <li>{@code OrdCount}: vint, distinct vectors (U, at most N), the inner field's size
 *         <li>{@code Mode}: byte. 1 (identity): U = N and the inner format's documents are the
 *             real ones (no duplicates, and either documents 0..N-1 at flush or a merge that found
 *             no duplicates and let the inner format merge), nothing follows. 0 (mapped): N pairs
 *             follow, by increasing document: {@code DocDelta} (vint, the document minus the
 *             previous one, the first minus -1) and {@code Ord} (vint, in [0, U))
 *         <li>version 1 and later: {@code HasCurve}: byte, 1 if a {@link io.iqdb.codecs.RecallCurve}
 *             follows (float fields with vectors), else 0; the curve maps {@code ef} to the
 *             recall@10 measured on the graph (layout in {@link io.iqdb.codecs.RecallCurve})
 *       </ul>
 *   <li>{@code Footer} ({@code CodecUtil.writeFooter}: CRC32)
 * </ul>
 *
 * <p>Calibration (version 1): after the inner format has written and closed its files, the writer
 * opens them with the inner format's reader and measures each float field's recall curve with
 * {@link io.iqdb.codecs.RecallCalibrator} (held-out vectors of the segment as queries, exact
 * ground truth, {@code ef} from 10 up until recall@10 reaches 0.999). A search whose strategy is
 * a {@link TargetRecallStrategy} searches each segment with the {@code ef} its curve gives for the
 * target; any other search is unchanged. Version 0 files (no curves) are still read; their
 * segments search with the strategy's fallback {@code ef}.
 *
 * <p>The reader loads the mapping of mapped fields on heap (about 12 bytes per document plus 4 per
 * distinct vector) and verifies the file's checksum at open.
 */
public final class DedupVectorsFormat extends KnnVectorsFormat {

  /** The SPI name recorded in every segment written by this format. */
  public static final String NAME = "IqdbDedup100";

  /** The header codec name of the mapping file. */
  public static final String CODEC_NAME = "IqdbDedupMap";

  static final String EXTENSION = "vdup";
  static final byte MODE_MAPPED = 0;
  static final byte MODE_IDENTITY = 1;
  static final int VERSION_START = 0;
  /** Adds each field's recall curve. */
  static final int VERSION_CALIBRATED = 1;
  static final int VERSION_CURRENT = VERSION_CALIBRATED;

  private final KnnVectorsFormat inner;

  /**
   * The SPI constructor. Readers need no configuration (the inner format is named in the mapping
   * file); writing through this instance uses Lucene's HNSW with its default parameters.
   */
  public DedupVectorsFormat() {
    this(new Lucene99HnswVectorsFormat());
  }

  /**
   * A format deduplicating vectors in front of {@code inner}.
   *
   * @param inner the graph format given the distinct vectors; it must be registered through SPI
   *     under its {@link KnnVectorsFormat#getName() name}, so that segments can be read back
   */
  public DedupVectorsFormat(KnnVectorsFormat inner) {
    super(NAME);
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return new DedupVectorsWriter(state, inner);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return DedupVectorsReader.open(state);
  }

  /**
   * Whether a reader of this format scores the search hits of a quantized field at full precision:
   * true for segments whose inner format is Lucene's scalar-quantized HNSW, whose candidates are
   * rescored against the raw vectors inside the reader. A caller that rescores quantized hits
   * itself can skip such segments.
   *
   * @param reader a segment's reader of a field of this format
   * @return true if {@code reader} is this format's and rescores its quantized fields' hits
   */
  public static boolean rescoresHits(KnnVectorsReader reader) {
    return reader instanceof DedupVectorsReader dedup && dedup.rescoresHits();
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return IqdbCodec.MAX_DIMENSIONS;
  }

  @Override
  public String toString() {
    return NAME + "(inner=" + inner + ")";
  }
}
