package io.iqdb.codecs.dedup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.IORunnable;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.RamUsageEstimator;
import io.iqdb.codecs.RecallCalibrator;
import io.iqdb.codecs.RecallCurve;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.util.hnsw.HnswGraph;

/**
 * Writes {@link DedupVectorsFormat}: each field's distinct vectors go to the inner format's writer
 * as documents {@code 0..distinct-1} as they arrive (so the inner graph is built incrementally, as
 * Lucene's own writer does), and the document-to-ordinal mapping is written at flush. A merge
 * feeds the merged segment's live documents through the same path, which also collapses
 * duplicates across the merged segments, and writes everything in {@link #finish()}.
 */
final class DedupVectorsWriter extends KnnVectorsWriter {

  private final org.apache.lucene.index.SegmentWriteState state;
  private final KnnVectorsWriter inner;
  private final String innerName;
  private final KnnVectorsFormat innerFormat;
  private final List<FieldWriter<?>> fields = new ArrayList<>();
  /** Fields merged by the inner writer itself, as {field number, vector count}. */
  private final List<int[]> identityMerged = new ArrayList<>();
  /** Per merge: see {@link #distinctCounts}; null until the first merged field. */
  private Map<Integer, Integer> distinctCounts;
  private IndexOutput out;
  private boolean flushed;
  private boolean finished;
  private boolean innerClosed;
  /** The index sort's map of a flush, applied to the mapping when it is written. */
  private Sorter.DocMap sortMap;

  DedupVectorsWriter(org.apache.lucene.index.SegmentWriteState state, KnnVectorsFormat innerFormat)
      throws IOException {
    this.state = state;
    this.innerName = innerFormat.getName();
    this.innerFormat = innerFormat;
    // fail at once (not at read time) if the inner format cannot be found again by its name
    KnnVectorsFormat.forName(innerName);
    this.inner = innerFormat.fieldsWriter(state);
  }

  @Override
  public KnnFieldVectorsWriter<?> addField(FieldInfo fieldInfo) throws IOException {
    KnnFieldVectorsWriter<?> innerField = inner.addField(fieldInfo);
    FieldWriter<?> field =
        switch (fieldInfo.getVectorEncoding()) {
          case FLOAT32 -> new FieldWriter<float[]>(fieldInfo, innerField, FLOATS);
          case BYTE -> new FieldWriter<byte[]>(fieldInfo, innerField, BYTES);
        };
    fields.add(field);
    return field;
  }

  @Override
  @SuppressWarnings("unchecked")
  public IORunnable mergeOneField(FieldInfo fieldInfo, MergeState mergeState) throws IOException {
    if (distinctCounts == null) {
      distinctCounts = distinctCounts(mergeState);
    }
    Integer count = distinctCounts.get(fieldInfo.number);
    if (count != null) {
      // no duplicates: Lucene's own merge, which starts from the largest segment's graph (see
      // DedupVectorsReader#getGraph), and an identity mapping
      identityMerged.add(new int[] {fieldInfo.number, count});
      return inner.mergeOneField(fieldInfo, mergeState);
    }
    // the merged view applies deletions and the index sort (MergeState.docMaps) and visits
    // documents in increasing new doc id
    KnnVectorValues merged = merged(fieldInfo, mergeState);
    FieldWriter<Object> field = (FieldWriter<Object>) addField(fieldInfo);
    KnnVectorValues.DocIndexIterator it = merged.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      mergeState.checkAborted();
      Object v =
          merged instanceof FloatVectorValues f
              ? f.vectorValue(it.index())
              : ((ByteVectorValues) merged).vectorValue(it.index());
      field.addValue(doc, v);
    }
    return null;
  }

  /**
   * Decides once per merge: if no vector field of the merged segment has duplicates, each field's
   * vector count by field number, and every field is merged by the inner writer; otherwise an
   * empty map, and every field goes through deduplication. Mixing the two in one merge would call
   * the inner writer's flush after its merge, which Lucene's quantized writer does not allow.
   */
  private Map<Integer, Integer> distinctCounts(MergeState mergeState) throws IOException {
    Map<Integer, Integer> counts = new HashMap<>();
    for (FieldInfo info : mergeState.mergeFieldInfos) {
      if (info.hasVectorValues() == false) {
        continue;
      }
      int count = distinctOrMinusOne(merged(info, mergeState));
      if (count < 0) {
        return Map.of();
      }
      counts.put(info.number, count);
    }
    return counts;
  }

  private static KnnVectorValues merged(FieldInfo fieldInfo, MergeState mergeState)
      throws IOException {
    return switch (fieldInfo.getVectorEncoding()) {
      case FLOAT32 -> MergedVectorValues.mergeFloatVectorValues(fieldInfo, mergeState);
      case BYTE -> MergedVectorValues.mergeByteVectorValues(fieldInfo, mergeState);
    };
  }

  /**
   * The number of vectors if no two are equal, else -1. Compares 64-bit hashes only: distinct
   * hashes prove distinct vectors; a collision (or a real duplicate) sends the field down the
   * deduplicating path, which compares contents.
   */
  private static int distinctOrMinusOne(KnnVectorValues values) throws IOException {
    long[] hashes = new long[16];
    int n = 0;
    KnnVectorValues.DocIndexIterator it = values.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      long h = 1125899906842597L;
      if (values instanceof FloatVectorValues f) {
        for (float x : f.vectorValue(it.index())) {
          h = 31 * h + Float.floatToIntBits(x);
          h ^= h >>> 29;
        }
      } else {
        for (byte x : ((ByteVectorValues) values).vectorValue(it.index())) {
          h = 31 * h + x;
          h ^= h >>> 29;
        }
      }
      if (n == hashes.length) {
        hashes = ArrayUtil.grow(hashes, n + 1);
      }
      hashes[n++] = h;
    }
    Arrays.sort(hashes, 0, n);
    for (int i = 1; i < n; i++) {
      if (hashes[i] == hashes[i - 1]) {
        return -1;
      }
    }
    return n;
  }

  @Override
  public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
    flushInner();
    this.sortMap = sortMap;
  }

  private void flushInner() throws IOException {
    if (flushed) {
      throw new IllegalStateException("already flushed");
    }
    flushed = true;
    // every ordinal of every field is below this bound; with one field it makes the inner
    // field dense, so the inner format needs no doc id set
    int ordBound = 0;
    for (FieldWriter<?> field : fields) {
      ordBound = Math.max(ordBound, field.ords());
    }
    inner.flush(ordBound, null);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("already finished");
    }
    finished = true;
    if (flushed == false) {
      // a merge: mergeOneField fed the fields, nothing is written yet
      flushInner();
    }
    inner.finish();
    // the graph files must be complete and closed before they can be searched for calibration
    inner.close();
    innerClosed = true;
    Map<Integer, RecallCurve> curves = calibrate();
    String name =
        IndexFileNames.segmentFileName(
            state.segmentInfo.name, state.segmentSuffix, DedupVectorsFormat.EXTENSION);
    out = state.directory.createOutput(name, state.context);
    CodecUtil.writeIndexHeader(
        out,
        DedupVectorsFormat.CODEC_NAME,
        DedupVectorsFormat.VERSION_CURRENT,
        state.segmentInfo.getId(),
        state.segmentSuffix);
    out.writeString(innerName);
    out.writeVInt(fields.size() + identityMerged.size());
    for (FieldWriter<?> field : fields) {
      field.writeMapping(out, sortMap);
      writeCurve(out, curves.get(field.fieldInfo.number));
    }
    for (int[] field : identityMerged) {
      out.writeVInt(field[0]);
      out.writeVInt(field[1]);
      out.writeVInt(field[1]);
      out.writeByte(DedupVectorsFormat.MODE_IDENTITY);
      writeCurve(out, curves.get(field[0]));
    }
    CodecUtil.writeFooter(out);
  }

  private static void writeCurve(IndexOutput out, RecallCurve curve) throws IOException {
    if (curve == null) {
      out.writeByte((byte) 0);
    } else {
      out.writeByte((byte) 1);
      curve.write(out);
    }
  }

  /**
   * The calibration search of a field: through the graph without the held-out query's own node
   * ({@link HeldOutGraphSearch}) when the inner reader exposes its graph, else the inner reader's
   * own search with one slot more than {@code ef} for the query's own vector.
   */
  private static RecallCalibrator.Search search(
      KnnVectorsReader reader, FieldInfo info, FloatVectorValues values, int maxDoc)
      throws IOException {
    HnswGraph graph =
        reader instanceof HnswGraphProvider provider ? provider.getGraph(info.name) : null;
    if (graph != null && graph.size() == values.size()) {
      HeldOutGraphSearch heldOut =
          new HeldOutGraphSearch(graph, values.copy(), info.getVectorSimilarityFunction());
      return (query, ef, self) -> heldOut.search(query, ef, self);
    }
    // the inner field's documents are 0..distinct-1 after a flush or a deduplicating merge, the
    // merged documents after an identity merge: map them back to ordinals
    int[] docToOrd = new int[maxDoc];
    KnnVectorValues.DocIndexIterator it = values.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      docToOrd[doc] = it.index();
    }
    AcceptDocs all = AcceptDocs.fromLiveDocs(null, maxDoc);
    return (query, ef, self) -> {
      TopKnnCollector collector =
          new TopKnnCollector(ef + 1, Integer.MAX_VALUE, KnnSearchStrategy.Hnsw.DEFAULT);
      reader.search(info.name, query, collector, all);
      ScoreDoc[] docs = collector.topDocs().scoreDocs;
      int[] ords = new int[docs.length];
      for (int i = 0; i < docs.length; i++) {
        ords[i] = docToOrd[docs[i].doc];
      }
      return ords;
    };
  }

  /**
   * Measures each float field's recall curve on the graph just written, searched through the
   * inner format's own reader (ordinal space: one node per distinct vector), by field number;
   * recall is counted over documents, each vector weighing its copies.
   */
  private Map<Integer, RecallCurve> calibrate() throws IOException {
    Map<Integer, RecallCurve> curves = new HashMap<>();
    List<FieldInfo> infos = new ArrayList<>();
    // recall is measured over documents: each distinct vector weighs as many as it stands for
    // (identity-merged fields have no copies)
    Map<Integer, int[]> copies = new HashMap<>();
    for (FieldWriter<?> field : fields) {
      infos.add(field.fieldInfo);
      copies.put(field.fieldInfo.number, field.copies());
    }
    for (int[] field : identityMerged) {
      infos.add(state.fieldInfos.fieldInfo(field[0]));
    }
    infos.removeIf(info -> info.getVectorEncoding() != VectorEncoding.FLOAT32);
    if (infos.isEmpty()) {
      return curves;
    }
    int maxDoc = state.segmentInfo.maxDoc();
    // at flush, Lucene gives vector writers no field infos (they are not final yet)
    FieldInfos fieldInfos = state.fieldInfos;
    if (fieldInfos == null) {
      fieldInfos =
          new FieldInfos(fields.stream().map(f -> f.fieldInfo).toArray(FieldInfo[]::new));
    }
    try (KnnVectorsReader reader =
        innerFormat.fieldsReader(
            new SegmentReadState(
                state.directory,
                state.segmentInfo,
                fieldInfos,
                IOContext.DEFAULT,
                state.segmentSuffix))) {
      for (FieldInfo info : infos) {
        FloatVectorValues values = reader.getFloatVectorValues(info.name);
        if (values == null || values.size() == 0) {
          continue;
        }
        RecallCurve curve =
            RecallCalibrator.calibrate(
                values,
                info.getVectorSimilarityFunction(),
                RecallCalibrator.efGrid(),
                RecallCalibrator.HNSW_QUERIES,
                search(reader, info, values, maxDoc),
                copies.get(info.number),
                31L * info.number + values.size(),
                "HNSW segment " + state.segmentInfo.name + " field " + info.name);
        if (curve != null) {
          curves.put(info.number, curve);
        }
      }
    }
    return curves;
  }

  @Override
  public void close() throws IOException {
    if (innerClosed) {
      IOUtils.close(out);
    } else {
      IOUtils.close(out, inner);
    }
  }

  @Override
  public long ramBytesUsed() {
    long bytes = inner.ramBytesUsed();
    for (FieldWriter<?> field : fields) {
      bytes += field.ownBytes();
    }
    return bytes;
  }

  /** How the writer copies, hashes and compares one vector type. */
  private interface VectorOps<T> {
    T copy(T v);

    VectorKey key(T v);

    long bytes(T v);
  }

  /** A vector's content as a hash map key: bit-for-bit equality. */
  private record VectorKey(Object array, int hash) {
    @Override
    public boolean equals(Object o) {
      if (o instanceof VectorKey k && k.hash == hash) {
        return array instanceof float[] f
            ? Arrays.equals(f, (float[]) k.array)
            : Arrays.equals((byte[]) array, (byte[]) k.array);
      }
      return false;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  // Arrays.equals(float[], float[]) compares floatToIntBits, i.e. the bits written to disk:
  // 0.0 and -0.0 are different vectors, as they are for the inner format
  private static final VectorOps<float[]> FLOATS =
      new VectorOps<>() {
        @Override
        public float[] copy(float[] v) {
          return v.clone();
        }

        @Override
        public VectorKey key(float[] v) {
          return new VectorKey(v, Arrays.hashCode(v));
        }

        @Override
        public long bytes(float[] v) {
          return RamUsageEstimator.sizeOf(v);
        }
      };

  private static final VectorOps<byte[]> BYTES =
      new VectorOps<>() {
        @Override
        public byte[] copy(byte[] v) {
          return v.clone();
        }

        @Override
        public VectorKey key(byte[] v) {
          return new VectorKey(v, Arrays.hashCode(v));
        }

        @Override
        public long bytes(byte[] v) {
          return RamUsageEstimator.sizeOf(v);
        }
      };

  /** Buffers one field's mapping and passes its distinct vectors on to the inner writer. */
  private static final class FieldWriter<T> extends KnnFieldVectorsWriter<T> {
    private static final long ENTRY_BYTES = 64; // HashMap node, key record, boxed Integer

    private final FieldInfo fieldInfo;
    private final KnnFieldVectorsWriter<T> inner;
    private final VectorOps<T> ops;
    private final Map<VectorKey, Integer> ordOfVector = new HashMap<>();
    private int[] docs = new int[16];
    private int[] ordOfDoc = new int[16];
    private int count;
    private int lastDoc = -1;
    private long vectorBytes;

    @SuppressWarnings("unchecked")
    FieldWriter(FieldInfo fieldInfo, KnnFieldVectorsWriter<?> inner, VectorOps<T> ops) {
      this.fieldInfo = fieldInfo;
      this.inner = (KnnFieldVectorsWriter<T>) inner;
      this.ops = ops;
    }

    int ords() {
      return ordOfVector.size();
    }

    /** How many documents each ordinal (distinct vector) stands for. */
    int[] copies() {
      int[] copies = new int[ords()];
      for (int i = 0; i < count; i++) {
        copies[ordOfDoc[i]]++;
      }
      return copies;
    }

    @Override
    public void addValue(int docID, T vectorValue) throws IOException {
      if (docID <= lastDoc) {
        throw new IllegalArgumentException(
            "VectorValuesField \""
                + fieldInfo.name
                + "\" appears more than once in this document (only one value is allowed per"
                + " field)");
      }
      lastDoc = docID;
      VectorKey probe = ops.key(vectorValue);
      Integer ord = ordOfVector.get(probe);
      if (ord == null) {
        ord = ordOfVector.size();
        T copy = ops.copy(vectorValue);
        ordOfVector.put(new VectorKey(copy, probe.hash()), ord);
        vectorBytes += ops.bytes(copy) + ENTRY_BYTES;
        inner.addValue(ord, vectorValue);
      }
      if (count == docs.length) {
        docs = ArrayUtil.grow(docs, count + 1);
        ordOfDoc = ArrayUtil.growExact(ordOfDoc, docs.length);
      }
      docs[count] = docID;
      ordOfDoc[count] = ord;
      count++;
    }

    @Override
    public T copyValue(T vectorValue) {
      return ops.copy(vectorValue);
    }

    void writeMapping(IndexOutput out, Sorter.DocMap sortMap) throws IOException {
      int[] newDocs = docs;
      int[] newOrds = ordOfDoc;
      if (sortMap != null) {
        // order the (new doc, ord) pairs by new doc: sort packed longs, doc in the high half
        long[] pairs = new long[count];
        for (int i = 0; i < count; i++) {
          pairs[i] = ((long) sortMap.oldToNew(docs[i]) << 32) | ordOfDoc[i];
        }
        Arrays.sort(pairs);
        newDocs = new int[count];
        newOrds = new int[count];
        for (int i = 0; i < count; i++) {
          newDocs[i] = (int) (pairs[i] >>> 32);
          newOrds[i] = (int) pairs[i];
        }
      }
      out.writeVInt(fieldInfo.number);
      out.writeVInt(count);
      out.writeVInt(ords());
      // no duplicates, no sorting and documents 0..count-1: the inner format's documents are the
      // real ones, and readers pass everything through
      if (sortMap == null && ords() == count && (count == 0 || docs[count - 1] == count - 1)) {
        out.writeByte(DedupVectorsFormat.MODE_IDENTITY);
        return;
      }
      out.writeByte(DedupVectorsFormat.MODE_MAPPED);
      int previous = -1;
      for (int i = 0; i < count; i++) {
        out.writeVInt(newDocs[i] - previous);
        out.writeVInt(newOrds[i]);
        previous = newDocs[i];
      }
    }

    /** The heap this writer holds besides the inner field writer's. */
    long ownBytes() {
      return vectorBytes + RamUsageEstimator.sizeOf(docs) + RamUsageEstimator.sizeOf(ordOfDoc);
    }

    @Override
    public long ramBytesUsed() {
      return ownBytes() + inner.ramBytesUsed();
    }
  }
}
