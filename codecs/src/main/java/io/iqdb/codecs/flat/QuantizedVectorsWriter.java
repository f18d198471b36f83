package io.iqdb.codecs.flat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatFieldVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.codecs.hnsw.FlatVectorsWriter;
import org.apache.lucene.codecs.lucene95.OrdToDocDISIReaderConfiguration;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsReader;
import org.apache.lucene.index.DocsWithFieldSet;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.RamUsageEstimator;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.quantization.OptimizedScalarQuantizer;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Writes the files of Lucene's {@code Lucene104ScalarQuantizedVectorsFormat} ({@code .veq} codes
 * and corrective terms, {@code .vemq} metadata; raw vectors through Lucene's flat writer), so that
 * Lucene's own reader reads them, with one difference: the centroid of a COSINE field.
 *
 * <p>Lucene's writer (10.6) sets the centroid of a COSINE field to the mean of the segment's unit
 * vectors, normalized. When that mean is the zero vector (a segment holding {@code v} and {@code
 * -v}, or any set of directions that cancel) {@code VectorUtil.l2normalize} throws "Cannot normalize
 * a zero-length vector" during a flush or merge: an aborting failure that makes the index writer's
 * exception tragic. The centroid is only the reference point codes are taken from (a score is
 * corrected by the dot products with it), so any unit vector is correct; Lucene's quantizer and
 * query scorer require a unit one for COSINE. This writer uses the normalized mean when it has a
 * usable length and otherwise the direction of the segment's first vector.
 *
 * <p>The other similarities keep the plain mean, as in Lucene. Merges recompute the centroid from
 * the merged live vectors (Lucene reuses the segments' centroids when nothing was deleted; either
 * is a valid centroid) and return no prepared merge scorer, so an HNSW merge scores through the
 * reader of the merged segment ({@code getRandomVectorScorerSupplierForMerge}).
 */
final class QuantizedVectorsWriter extends FlatVectorsWriter {

  /** The codec names and version of Lucene's format, whose reader reads these files. */
  static final String META_CODEC = "Lucene104ScalarQuantizedVectorsFormatMeta";

  static final String DATA_CODEC = "Lucene104ScalarQuantizedVectorsFormatData";
  static final int VERSION = 0;
  static final String META_EXTENSION = "vemq";
  static final String DATA_EXTENSION = "veq";
  private static final int DIRECT_MONOTONIC_BLOCK_SHIFT = 16;

  /**
   * A mean direction shorter than this (squared) is treated as no direction: cancelling vectors
   * leave rounding noise, whose normalization would be an arbitrary, imprecise unit vector.
   */
  static final float MIN_CENTROID_SQUARED_NORM = 1e-12f;

  private static final long SHALLOW_SIZE =
      RamUsageEstimator.shallowSizeOfInstance(QuantizedVectorsWriter.class);

  private final SegmentWriteState state;
  private final ScalarEncoding encoding;
  private final FlatVectorsWriter raw;
  private final List<FieldWriter> fields = new ArrayList<>();
  private IndexOutput meta;
  private IndexOutput data;
  private boolean finished;

  QuantizedVectorsWriter(
      SegmentWriteState state, ScalarEncoding encoding, FlatVectorsWriter raw, FlatVectorsScorer scorer)
      throws IOException {
    super(scorer);
    this.state = state;
    this.encoding = encoding;
    this.raw = raw;
    boolean success = false;
    try {
      meta = state.directory.createOutput(fileName(state, META_EXTENSION), state.context);
      data = state.directory.createOutput(fileName(state, DATA_EXTENSION), state.context);
      CodecUtil.writeIndexHeader(meta, META_CODEC, VERSION, state.segmentInfo.getId(), state.segmentSuffix);
      CodecUtil.writeIndexHeader(data, DATA_CODEC, VERSION, state.segmentInfo.getId(), state.segmentSuffix);
      success = true;
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(this);
      }
    }
  }

  private static String fileName(SegmentWriteState state, String extension) {
    return IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
  }

  @Override
  public FlatFieldVectorsWriter<?> addField(FieldInfo fieldInfo) throws IOException {
    FlatFieldVectorsWriter<?> rawField = raw.addField(fieldInfo);
    if (fieldInfo.getVectorEncoding() != VectorEncoding.FLOAT32) {
      return rawField; // byte vectors are stored raw only, as in Lucene's format
    }
    @SuppressWarnings("unchecked")
    FieldWriter field = new FieldWriter(fieldInfo, (FlatFieldVectorsWriter<float[]>) rawField);
    fields.add(field);
    return field;
  }

  @Override
  public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
    raw.flush(maxDoc, sortMap);
    for (FieldWriter field : fields) {
      List<float[]> vectors = field.getVectors();
      VectorSimilarityFunction similarity = field.fieldInfo.getVectorSimilarityFunction();
      float[] centroid = new float[field.fieldInfo.getVectorDimension()];
      float[] scratch = new float[centroid.length];
      for (float[] v : vectors) {
        accumulate(centroid, prepare(v, similarity, scratch));
      }
      float[] first = vectors.isEmpty() ? null : prepare(vectors.get(0), similarity, new float[centroid.length]);
      finishCentroid(centroid, vectors.size(), similarity, first);

      DocsWithFieldSet docs = field.getDocsWithFieldSet();
      int[] newToOld = null;
      if (sortMap != null) {
        newToOld = new int[docs.cardinality()];
        DocsWithFieldSet sorted = new DocsWithFieldSet();
        KnnVectorsWriter.mapOldOrdToNewOrd(docs, sortMap, null, newToOld, sorted);
        docs = sorted;
      }
      long offset = data.alignFilePointer(Float.BYTES);
      Quantizer q = new Quantizer(field.fieldInfo, centroid);
      for (int ord = 0; ord < vectors.size(); ord++) {
        q.write(vectors.get(newToOld == null ? ord : newToOld[ord]));
      }
      writeMeta(field.fieldInfo, maxDoc, offset, data.getFilePointer() - offset, centroid, docs);
      field.finish();
    }
  }

  @Override
  public void mergeOneFlatVectorField(FieldInfo fieldInfo, MergeState mergeState) throws IOException {
    raw.mergeOneFlatVectorField(fieldInfo, mergeState);
    if (fieldInfo.getVectorEncoding() != VectorEncoding.FLOAT32) {
      return;
    }
    VectorSimilarityFunction similarity = fieldInfo.getVectorSimilarityFunction();
    float[] centroid = new float[fieldInfo.getVectorDimension()];
    float[] scratch = new float[centroid.length];
    float[] first = null;
    int count = 0;
    FloatVectorValues merged = MergedVectorValues.mergeFloatVectorValues(fieldInfo, mergeState);
    KnnVectorValues.DocIndexIterator it = merged.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      float[] v = prepare(merged.vectorValue(it.index()), similarity, scratch);
      if (first == null) {
        first = v.clone();
      }
      accumulate(centroid, v);
      count++;
    }
    finishCentroid(centroid, count, similarity, first);

    long offset = data.alignFilePointer(Float.BYTES);
    Quantizer q = new Quantizer(fieldInfo, centroid);
    DocsWithFieldSet docs = new DocsWithFieldSet();
    merged = MergedVectorValues.mergeFloatVectorValues(fieldInfo, mergeState);
    it = merged.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      q.write(merged.vectorValue(it.index()));
      docs.add(doc);
    }
    writeMeta(fieldInfo, state.segmentInfo.maxDoc(), offset, data.getFilePointer() - offset, centroid, docs);
  }

  /** The vector as it is quantized: unit length for COSINE, in {@code scratch}. */
  private static float[] prepare(float[] v, VectorSimilarityFunction similarity, float[] scratch) {
    if (similarity != VectorSimilarityFunction.COSINE) {
      System.arraycopy(v, 0, scratch, 0, v.length);
      return scratch;
    }
    // Divides by the float norm as Lucene's writer does, so a flush writes the same codes.
    float norm = (float) Math.sqrt(VectorUtil.dotProduct(v, v));
    for (int i = 0; i < v.length; i++) {
      scratch[i] = norm == 0 ? 0 : v[i] / norm; // a zero vector adds nothing to the mean
    }
    return scratch;
  }

  private static void accumulate(float[] sum, float[] v) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += v[i];
    }
  }

  /**
   * Turns the sum of {@code count} prepared vectors into the centroid, in place: the mean, and for
   * COSINE a unit vector, the mean's direction if it has one and else {@code first}'s.
   */
  static void finishCentroid(float[] sum, int count, VectorSimilarityFunction similarity, float[] first) {
    if (count == 0) {
      return; // no vector to quantize; Lucene's format records no centroid then
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= count;
    }
    if (similarity != VectorSimilarityFunction.COSINE) {
      return;
    }
    float squaredNorm = VectorUtil.dotProduct(sum, sum);
    if (!(squaredNorm >= MIN_CENTROID_SQUARED_NORM) || !Float.isFinite(squaredNorm)) {
      System.arraycopy(first, 0, sum, 0, sum.length);
      squaredNorm = VectorUtil.dotProduct(sum, sum);
      if (!(squaredNorm > 0) || !Float.isFinite(squaredNorm)) {
        // Only zero vectors, which COSINE cannot score: any unit vector serves.
        java.util.Arrays.fill(sum, 0);
        sum[0] = 1;
        return;
      }
    }
    VectorUtil.l2normalize(sum);
  }

  /** Quantizes vectors against one centroid and appends codes and corrective terms to the data. */
  private final class Quantizer {
    private final VectorSimilarityFunction similarity;
    private final float[] centroid;
    private final OptimizedScalarQuantizer quantizer;
    private final float[] scratch;
    private final byte[] codes;
    private final byte[] packed;

    Quantizer(FieldInfo fieldInfo, float[] centroid) {
      this.similarity = fieldInfo.getVectorSimilarityFunction();
      this.centroid = centroid;
      this.quantizer = new OptimizedScalarQuantizer(similarity);
      int dimension = fieldInfo.getVectorDimension();
      this.scratch = new float[dimension];
      this.codes = new byte[encoding.getDiscreteDimensions(dimension)];
      this.packed =
          switch (encoding) {
            case UNSIGNED_BYTE, SEVEN_BIT -> codes;
            case PACKED_NIBBLE, SINGLE_BIT_QUERY_NIBBLE, DIBIT_QUERY_NIBBLE ->
                new byte[encoding.getDocPackedLength(codes.length)];
          };
    }

    void write(float[] vector) throws IOException {
      // The quantizer subtracts the centroid in place: it gets a copy.
      OptimizedScalarQuantizer.QuantizationResult r =
          quantizer.scalarQuantize(prepare(vector, similarity, scratch), codes, encoding.getBits(), centroid);
      switch (encoding) {
        case UNSIGNED_BYTE, SEVEN_BIT -> {}
        case PACKED_NIBBLE -> packNibbles(codes, packed);
        case SINGLE_BIT_QUERY_NIBBLE -> OptimizedScalarQuantizer.packAsBinary(codes, packed);
        case DIBIT_QUERY_NIBBLE -> OptimizedScalarQuantizer.transposeDibit(codes, packed);
      }
      data.writeBytes(packed, packed.length);
      data.writeInt(Float.floatToIntBits(r.lowerInterval()));
      data.writeInt(Float.floatToIntBits(r.upperInterval()));
      data.writeInt(Float.floatToIntBits(r.additionalCorrection()));
      data.writeInt(r.quantizedComponentSum());
    }
  }

  /**
   * One field's entry of the {@code .vemq} file, as Lucene's reader parses it: field number,
   * vector encoding and similarity (Lucene's ids), dimension, data offset and length, count, and
   * for a non-empty field the scalar encoding's wire number, the centroid (little-endian floats)
   * and its squared norm; then the ord-to-doc mapping.
   */
  private void writeMeta(
      FieldInfo field, int maxDoc, long offset, long length, float[] centroid, DocsWithFieldSet docs)
      throws IOException {
    meta.writeInt(field.number);
    meta.writeInt(field.getVectorEncoding().ordinal()); // Lucene's id: VectorEncoding.values()[id]
    meta.writeInt(Lucene99HnswVectorsReader.SIMILARITY_FUNCTIONS.indexOf(field.getVectorSimilarityFunction()));
    meta.writeVInt(field.getVectorDimension());
    meta.writeVLong(offset);
    meta.writeVLong(length);
    int count = docs.cardinality();
    meta.writeVInt(count);
    if (count > 0) {
      meta.writeVInt(encoding.getWireNumber());
      for (float c : centroid) {
        meta.writeInt(Float.floatToIntBits(c)); // DataOutput is little-endian, as readFloats expects
      }
      meta.writeInt(Float.floatToIntBits(VectorUtil.dotProduct(centroid, centroid)));
    }
    OrdToDocDISIReaderConfiguration.writeStoredMeta(DIRECT_MONOTONIC_BLOCK_SHIFT, meta, data, count, maxDoc, docs);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("already finished");
    }
    finished = true;
    raw.finish();
    meta.writeInt(-1); // end of fields
    CodecUtil.writeFooter(meta);
    CodecUtil.writeFooter(data);
  }

  @Override
  public void close() throws IOException {
    IOUtils.close(meta, data, raw);
  }

  @Override
  public long ramBytesUsed() {
    return SHALLOW_SIZE + raw.ramBytesUsed() + fields.size() * FieldWriter.SHALLOW_SIZE;
  }

  /** A float field: its vectors are the raw writer's, quantized at flush. */
  private static final class FieldWriter extends FlatFieldVectorsWriter<float[]> {
    static final long SHALLOW_SIZE = RamUsageEstimator.shallowSizeOfInstance(FieldWriter.class);

    final FieldInfo fieldInfo;
    private final FlatFieldVectorsWriter<float[]> raw;
    private boolean finished;

    FieldWriter(FieldInfo fieldInfo, FlatFieldVectorsWriter<float[]> raw) {
      this.fieldInfo = fieldInfo;
      this.raw = raw;
    }

    @Override
    public void addValue(int docID, float[] vectorValue) throws IOException {
      raw.addValue(docID, vectorValue);
    }

    @Override
    public float[] copyValue(float[] vectorValue) {
      return raw.copyValue(vectorValue);
    }

    @Override
    public List<float[]> getVectors() {
      return raw.getVectors();
    }

    @Override
    public DocsWithFieldSet getDocsWithFieldSet() {
      return raw.getDocsWithFieldSet();
    }

    @Override
    public void finish() {
      finished = true;
    }

    @Override
    public boolean isFinished() {
      return finished && raw.isFinished();
    }

    @Override
    public long ramBytesUsed() {
      return SHALLOW_SIZE + raw.ramBytesUsed();
    }
  }

  /**
   * Packs 4-bit codes two per byte as Lucene's reader unpacks them: byte {@code i} holds code
   * {@code i} in its high nibble and code {@code packed.length + i} in its low nibble. Lucene's own
   * helper is public only from 10.6; OpenSearch 3.9 runs these formats on Lucene 10.5.
   */
  static void packNibbles(byte[] codes, byte[] packed) {
    for (int i = 0; i < packed.length; i++) {
      packed[i] = (byte) (codes[i] << 4 | codes[packed.length + i]);
    }
  }
}
