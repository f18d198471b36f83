package io.iqdb.codecs.ivf;

import io.iqdb.codecs.IqdbCodec;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.DataInput;

/**
 * iQDB's inverted-file (IVF) vector format. Each segment clusters a float field's vectors with
 * k-means into lists; a query ranks the lists by centroid, scans the nearest ones and returns the
 * best vectors found. Byte vector fields are stored but searched exhaustively.
 *
 * <h2>Indexing</h2>
 *
 * <p>Raw vectors are written by {@link Lucene99FlatVectorsFormat}, which serves {@code
 * getFloatVectorValues}, merges and full-precision rescoring. Per float field and segment, {@code
 * nlist} centroids are trained by k-means (squared L2, k-means++ seeding, 8 Lloyd iterations) on a
 * sample of at most 32 vectors per centroid, kept balanced by a cluster size cap (3 times the mean)
 * and empty cluster splitting. {@code nlist} is the configured count, capped at the number of
 * vectors, or by default {@code round(sqrt(n))}, capped at {@code n / 8} and at least 1. Above 32
 * centroids, training is hierarchical: {@code round(sqrt(nlist))} coarse centroids, trained on
 * their own share of the sample, partition it; each part gets fine centroids in proportion to its
 * size (largest remainder, at least one, at most one per point), trained on that part alone, and 2
 * global iterations over all fine centroids let points change parts, each point compared with the
 * 16 centroids nearest to its own. Every vector goes to the list of its nearest centroid, found
 * exactly but with the centroids grouped by a small k-means so that the triangle inequality rules
 * most of them out. For large segments the distance computations run on an executor: the one given
 * to the constructor, or by default the merge scheduler's intra-merge executor during a merge and
 * the indexing thread during a flush; the result does not depend on the executor. Merged segments start one-level k-means from
 * the merging segments' centroids, when they have any (4 Lloyd iterations; above 32 centroids, all
 * but the first compare each sample vector with the 16 centroids nearest to its own), and look for
 * each vector's list only among the 16 new centroids nearest to its previous list's. With {@link
 * VectorSimilarityFunction#COSINE}, clustering and codes use the L2-normalized vectors.
 *
 * <h2>Calibration</h2>
 *
 * <p>When a segment is written, after its lists and raw vectors are complete, each float field's
 * recall@10 is measured for every probe count from 1 (about 12% apart above 8) up to the first
 * that reaches 0.999, with {@link io.iqdb.codecs.RecallCalibrator}: 100 held-out vectors of the
 * segment as queries, exact ground truth, and the segment's own search (codes, oversampling and
 * rescoring included), which answers every probe count from one scan per query. A query with a
 * target recall and no probe count ({@link IvfSearchStrategy#IvfSearchStrategy(int, float,
 * double)}) probes the fewest lists that reached it.
 *
 * <h2>Search</h2>
 *
 * <p>Lists are ranked by squared L2 distance from the (normalized, for cosine) query to their
 * centroid, or by inner product for {@link VectorSimilarityFunction#MAXIMUM_INNER_PRODUCT}. The
 * nearest {@code probes} lists are scanned ({@link IvfSearchStrategy}: a count, or the calibrated
 * count for a target recall; for segments without calibration and queries with neither, {@code max(4,
 * ceil(sqrt(nlist) / 2))}, all lists if fewer, twice that for maximum inner product: 8 of 245 lists
 * on Fashion-MNIST, recall@10 0.99). Accept docs (filters, deletions) are checked inside the lists;
 * when they accept a share {@code a} of the vectors (their cost over the vector count), more lists
 * are scanned, nearest first, until {@code sqrt(a)} times as many vectors as the first {@code
 * probes} lists hold, and at least {@code k} (times the oversampling, for codes), were accepted: a
 * filter's nearest matches lie further out than the nearest vectors. Float32 lists are scored
 * exactly with Lucene's SIMD flat scorer. Quantized lists are scored on their residual codes (see
 * {@code ResidualCodec}); the best {@code k * oversample} (default: {@link
 * io.iqdb.codecs.Oversampling#ivf}) are rescored against the raw vectors, so returned scores are
 * always exact.
 * Each scanned accepted vector counts as one visit; scanning stops at the collector's visit limit
 * (Lucene then falls back to exact search).
 *
 * <h2>Files</h2>
 *
 * <p>All numbers are little-endian, as written by Lucene's {@code DataOutput}; {@code VInt} and
 * {@code VLong} are Lucene's variable-length encodings. Each file starts with {@code
 * CodecUtil.writeIndexHeader} (codec name, version, segment id, segment suffix) and ends with
 * {@code CodecUtil.writeFooter} (CRC32 checksum). Besides the flat format's {@code .vec} and {@code
 * .vemf} files:
 *
 * <h3>{@code .ivm}: metadata (codec name {@value #META_CODEC_NAME})</h3>
 *
 * <p>Read whole when the segment opens, checksum verified. Per field, then {@code Int32 -1}:
 *
 * <ul>
 *   <li>{@code Int32} field number;
 *   <li>{@code Int32} similarity: 0 EUCLIDEAN, 1 DOT_PRODUCT, 2 COSINE, 3 MAXIMUM_INNER_PRODUCT;
 *   <li>{@code Int32} vector encoding: 0 FLOAT32, 1 BYTE (byte fields have no lists);
 *   <li>{@code VInt} dimension {@code D}; {@code VInt} vector count {@code n};
 *   <li>{@code Byte} code bits {@code b}: 32 (float, no codes), 8, 7, 4 or 1;
 *   <li>{@code VInt} list count {@code L};
 *   <li>{@code VLong} offset and {@code VLong} length of the field's lists in {@code .ivl};
 *   <li>{@code L x D} centroids, each component an {@code Int32} holding float bits;
 *   <li>{@code L x VInt} list sizes (they add up to {@code n}).
 * </ul>
 *
 * <p>Version 1 and later, after the {@code Int32 -1}: {@code VInt} the number of recall curves,
 * then per curve {@code Int32} field number and a {@link io.iqdb.codecs.RecallCurve} (probe count
 * to recall@10; layout in that class). Float fields with lists have one. Version 0 files end at
 * the {@code -1} and are still read (their segments use the default probe count).
 *
 * <h3>{@code .ivl}: posting lists (codec name {@value #LISTS_CODEC_NAME})</h3>
 *
 * <p>Per field, its lists back to back in list order; list {@code j} starts at the field's offset
 * plus the sizes of lists {@code 0..j-1} times the bytes per vector ({@code 4} for float32, {@code
 * 20 + C} otherwise). A list of {@code m} vectors holds, in blocks of one kind each:
 *
 * <ul>
 *   <li>{@code m x Int32} vector ordinals (index into the flat format's vectors), increasing;
 *   <li>quantized only: {@code m x Float32} lower interval {@code l}, {@code m x Float32} upper
 *       interval {@code u}, {@code m x Float32} correction ({@code |r|^2} for EUCLIDEAN, {@code <c,
 *       r>} otherwise), {@code m x Int32} sum of the code's components;
 *   <li>quantized only: {@code m x C} bytes of residual codes, {@code C} = {@code D} for 8 and 7
 *       bits, {@code ceil(D / 2)} for 4 bits, {@code ceil(D / 64) * 8} for 1 bit.
 * </ul>
 */
public final class IvfVectorsFormat extends KnnVectorsFormat {

  /** The SPI name, with its version. */
  public static final String NAME = "IqdbIvf100";

  /** Codec name in the metadata file's header. */
  public static final String META_CODEC_NAME = "IqdbIvfMeta";

  /** Codec name in the lists file's header. */
  public static final String LISTS_CODEC_NAME = "IqdbIvfLists";

  static final String META_EXTENSION = "ivm";
  static final String LISTS_EXTENSION = "ivl";
  static final int VERSION_START = 0;
  /** Adds the recall curves after the fields of {@code .ivm}. */
  static final int VERSION_CALIBRATED = 1;
  static final int VERSION_CURRENT = VERSION_CALIBRATED;

  /** The largest configurable list count. */
  public static final int MAX_LISTS = 1 << 16;

  private final int lists;
  private final int bits;
  private final Executor executor;
  private final FlatVectorsFormat flat =
      new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());

  /** The SPI constructor: automatic list count, 8-bit codes. Reads every variant. */
  public IvfVectorsFormat() {
    this(0, 8);
  }

  /**
   * An IVF format.
   *
   * @param lists lists per segment, in [1, {@value #MAX_LISTS}], or 0 to derive it from the
   *     segment's size
   * @param bits 32 (float32, no codes), 8, 7, 4 or 1
   * @throws IllegalArgumentException if a value is out of range
   */
  public IvfVectorsFormat(int lists, int bits) {
    this(lists, bits, null);
  }

  /**
   * An IVF format whose k-means runs on an executor, as {@code Lucene99HnswVectorsFormat} takes one
   * for merging graphs. Clustering is the costliest step of writing a segment.
   *
   * @param lists lists per segment, in [1, {@value #MAX_LISTS}], or 0 to derive it from the
   *     segment's size
   * @param bits 32 (float32, no codes), 8, 7, 4 or 1
   * @param executor runs the k-means of flushes and merges; {@code null} (the default) clusters on
   *     the indexing thread at flush and on the merge scheduler's intra-merge executor ({@link
   *     org.apache.lucene.index.MergeScheduler#getIntraMergeExecutor}) at merge. Segments written
   *     are the same whatever the executor.
   * @throws IllegalArgumentException if a value is out of range
   */
  public IvfVectorsFormat(int lists, int bits, Executor executor) {
    super(NAME);
    if (lists < 0 || lists > MAX_LISTS) {
      throw new IllegalArgumentException(
          "lists must be 0 (automatic) or in [1, " + MAX_LISTS + "]; lists=" + lists);
    }
    if (bits != 32 && bits != 8 && bits != 7 && bits != 4 && bits != 1) {
      throw new IllegalArgumentException("bits must be one of 32, 8, 7, 4, 1; bits=" + bits);
    }
    this.lists = lists;
    this.bits = bits;
    this.executor = executor;
  }

  @Override
  public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
    return new IvfVectorsWriter(state, flat, lists, bits, executor);
  }

  @Override
  public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
    return new IvfVectorsReader(state, flat);
  }

  @Override
  public int getMaxDimensions(String fieldName) {
    return IqdbCodec.MAX_DIMENSIONS;
  }

  @Override
  public String toString() {
    return NAME + "(lists=" + (lists == 0 ? "auto" : lists) + ", bits=" + bits + ")";
  }

  /** Whether scores are inner products (codes store {@code <c, r>}) rather than L2. */
  static boolean innerProduct(VectorSimilarityFunction similarity) {
    return similarity != VectorSimilarityFunction.EUCLIDEAN;
  }

  static int similarityCode(VectorSimilarityFunction similarity) {
    return switch (similarity) {
      case EUCLIDEAN -> 0;
      case DOT_PRODUCT -> 1;
      case COSINE -> 2;
      case MAXIMUM_INNER_PRODUCT -> 3;
    };
  }

  static VectorSimilarityFunction similarity(int code, DataInput in) throws IOException {
    return switch (code) {
      case 0 -> VectorSimilarityFunction.EUCLIDEAN;
      case 1 -> VectorSimilarityFunction.DOT_PRODUCT;
      case 2 -> VectorSimilarityFunction.COSINE;
      case 3 -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
      default -> throw new CorruptIndexException("invalid similarity code: " + code, in);
    };
  }
}
