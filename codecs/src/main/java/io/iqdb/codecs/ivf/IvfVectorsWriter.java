package io.iqdb.codecs.ivf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnFieldVectorsWriter;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatFieldVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorsWriter;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.Sorter;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.IORunnable;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.VectorUtil;
import io.iqdb.codecs.RecallCalibrator;
import io.iqdb.codecs.RecallCurve;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * Writes IVF segments: raw vectors through the flat writer, then per float field the centroids
 * (meta file) and the posting lists (lists file), as specified in {@link IvfVectorsFormat}.
 */
final class IvfVectorsWriter extends KnnVectorsWriter {

  /** Lloyd iterations from scratch and from merged segments' centroids. */
  static final int ITERATIONS = 8;

  static final int WARM_ITERATIONS = 4;

  /** Codes of one list held on heap before writing; larger lists are encoded twice. */
  static final long MAX_BUFFERED_CODE_BYTES = 16 << 20;

  private final SegmentWriteState state;
  private final FlatVectorsFormat flatFormat;
  private final FlatVectorsWriter flatWriter;
  private final int configuredLists;
  private final int bits;
  private final Executor executor;
  private final List<Field> fields = new ArrayList<>();
  private IndexOutput meta;
  private IndexOutput lists;
  private FlatVectorsReader mergedFlatReader;
  private boolean flatWriterClosed;
  private boolean finished;

  private record Field(FieldInfo info, FlatFieldVectorsWriter<?> flat) {}

  /** Float fields with lists, calibrated in {@link #finish()} once their files are complete. */
  private final List<Written> written = new ArrayList<>();

  private record Written(FieldInfo info, IvfVectorsReader.FieldEntry entry) {}

  /**
   * @param executor where k-means runs, or null: the indexing thread at flush, the merge
   *     scheduler's intra-merge executor at merge
   */
  IvfVectorsWriter(
      SegmentWriteState state,
      FlatVectorsFormat flatFormat,
      int configuredLists,
      int bits,
      Executor executor)
      throws IOException {
    this.state = state;
    this.flatFormat = flatFormat;
    this.configuredLists = configuredLists;
    this.bits = bits;
    this.executor = executor;
    this.flatWriter = flatFormat.fieldsWriter(state);
    boolean success = false;
    try {
      meta = state.directory.createOutput(fileName(IvfVectorsFormat.META_EXTENSION), state.context);
      lists =
          state.directory.createOutput(fileName(IvfVectorsFormat.LISTS_EXTENSION), state.context);
      CodecUtil.writeIndexHeader(
          meta,
          IvfVectorsFormat.META_CODEC_NAME,
          IvfVectorsFormat.VERSION_CURRENT,
          state.segmentInfo.getId(),
          state.segmentSuffix);
      CodecUtil.writeIndexHeader(
          lists,
          IvfVectorsFormat.LISTS_CODEC_NAME,
          IvfVectorsFormat.VERSION_CURRENT,
          state.segmentInfo.getId(),
          state.segmentSuffix);
      success = true;
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(this);
      }
    }
  }

  private String fileName(String extension) {
    return IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
  }

  @Override
  public KnnFieldVectorsWriter<?> addField(FieldInfo fieldInfo) throws IOException {
    FlatFieldVectorsWriter<?> flat = flatWriter.addField(fieldInfo);
    fields.add(new Field(fieldInfo, flat));
    return flat;
  }

  @Override
  public void flush(int maxDoc, Sorter.DocMap sortMap) throws IOException {
    flatWriter.flush(maxDoc, sortMap);
    Chunks chunks = executor == null ? Chunks.SEQUENTIAL : new Chunks(executor);
    for (Field field : fields) {
      int size = field.flat.getDocsWithFieldSet().cardinality();
      if (field.info.getVectorEncoding() != VectorEncoding.FLOAT32 || size == 0) {
        writeField(chunks, field.info, null, size, null);
        continue;
      }
      @SuppressWarnings("unchecked")
      List<float[]> vectors = (List<float[]>) field.flat.getVectors();
      int[] newToOld = null;
      if (sortMap != null) {
        newToOld = new int[size];
        mapOldOrdToNewOrd(field.flat.getDocsWithFieldSet(), sortMap, null, newToOld, null);
      }
      int[] ordMap = newToOld;
      KMeans.Vectors source =
          new KMeans.Vectors() {
            @Override
            public int size() {
              return size;
            }

            @Override
            public float[] vector(int ord) {
              return vectors.get(ordMap == null ? ord : ordMap[ord]);
            }

            @Override
            public KMeans.Vectors copy() {
              return this; // reads only
            }
          };
      writeField(chunks, field.info, source, size, null);
    }
  }

  @Override
  public IORunnable mergeOneField(FieldInfo fieldInfo, MergeState mergeState) throws IOException {
    flatWriter.mergeOneFlatVectorField(fieldInfo, mergeState);
    Chunks chunks =
        new Chunks(executor != null ? executor : mergeState.intraMergeTaskExecutor);
    return () -> {
      ensureMergedFlatReaderOpen();
      KnnVectorValues values =
          switch (fieldInfo.getVectorEncoding()) {
            case BYTE -> mergedFlatReader.getByteVectorValues(fieldInfo.name);
            case FLOAT32 -> mergedFlatReader.getFloatVectorValues(fieldInfo.name);
          };
      int size = values == null ? 0 : values.size();
      if (values instanceof FloatVectorValues floats && size > 0) {
        KMeans.Vectors source = fromValues(floats);
        writeField(chunks, fieldInfo, source, size, previous(fieldInfo, mergeState, floats));
      } else {
        writeField(chunks, fieldInfo, null, size, null);
      }
    };
  }

  /**
   * What the merging segments know: their centroids, to warm-start k-means, and for each merged
   * vector the centroid (index into those) of the list it was in, to spare most distance
   * computations when assigning it.
   */
  private record Previous(float[][] centroids, int[] hints) {}

  private static Previous previous(
      FieldInfo fieldInfo, MergeState mergeState, FloatVectorValues merged) throws IOException {
    int[] newDocToOrd = new int[mergeState.segmentInfo.maxDoc()];
    Arrays.fill(newDocToOrd, -1);
    KnnVectorValues.DocIndexIterator it = merged.iterator();
    for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
      newDocToOrd[doc] = it.index();
    }
    int[] hints = new int[merged.size()];
    Arrays.fill(hints, -1);
    List<float[]> all = new ArrayList<>();
    for (int i = 0; i < mergeState.knnVectorsReaders.length; i++) {
      KnnVectorsReader reader = mergeState.knnVectorsReaders[i];
      if (reader instanceof PerFieldKnnVectorsFormat.FieldsReader perField) {
        reader = perField.getFieldReader(fieldInfo.name);
      }
      if (!(reader instanceof IvfVectorsReader ivf)) {
        continue;
      }
      float[][] centroids = ivf.centroids(fieldInfo.name);
      if (centroids == null
          || centroids.length == 0
          || centroids[0].length != fieldInfo.getVectorDimension()) {
        continue;
      }
      int base = all.size();
      all.addAll(List.of(centroids));
      FloatVectorValues old = ivf.getFloatVectorValues(fieldInfo.name);
      Bits live = mergeState.liveDocs[i];
      MergeState.DocMap docMap = mergeState.docMaps[i];
      ivf.forEachListMember(
          fieldInfo.name,
          (list, ord) -> {
            int oldDoc = old.ordToDoc(ord);
            if (live != null && live.get(oldDoc) == false) {
              return;
            }
            int newDoc = docMap.get(oldDoc);
            if (newDoc >= 0 && newDoc < newDocToOrd.length && newDocToOrd[newDoc] >= 0) {
              hints[newDocToOrd[newDoc]] = base + list;
            }
          });
    }
    return new Previous(all.toArray(new float[0][]), hints);
  }

  private void ensureMergedFlatReaderOpen() throws IOException {
    if (mergedFlatReader == null) {
      flatWriter.finish();
      flatWriter.close();
      flatWriterClosed = true;
      // at flush, Lucene gives vector writers no field infos (they are not final yet)
      FieldInfos infos = state.fieldInfos;
      if (infos == null) {
        infos = new FieldInfos(fields.stream().map(Field::info).toArray(FieldInfo[]::new));
      }
      mergedFlatReader =
          flatFormat.fieldsReader(
              new SegmentReadState(
                  state.directory, state.segmentInfo, infos, state.context, state.segmentSuffix));
    }
  }

  /** The number of lists of a segment with {@code size} vectors. */
  static int listCount(int size, int configured) {
    if (size == 0) {
      return 0;
    }
    if (configured > 0) {
      return Math.min(configured, size);
    }
    return (int) Math.max(1, Math.min(size / 8, Math.round(Math.sqrt(size))));
  }

  private void writeField(
      Chunks chunks, FieldInfo info, KMeans.Vectors source, int size, Previous previous)
      throws IOException {
    VectorSimilarityFunction similarity = info.getVectorSimilarityFunction();
    boolean isFloat = info.getVectorEncoding() == VectorEncoding.FLOAT32;
    int dims = info.getVectorDimension();
    int numLists = isFloat ? listCount(size, configuredLists) : 0;
    KMeans.Vectors prepared = source;
    if (source != null && similarity == VectorSimilarityFunction.COSINE) {
      prepared = normalizing(source, dims);
    }
    float[][] centroids = new float[0][];
    int[] listSizes = new int[numLists];
    long listsOffset = lists.getFilePointer();
    if (numLists > 0) {
      float[][] warmStart = previous == null ? null : previous.centroids;
      int iterations =
          warmStart != null && warmStart.length >= numLists ? WARM_ITERATIONS : ITERATIONS;
      centroids =
          KMeans.train(chunks, prepared, numLists, warmStart, iterations, 0x1dbL * 31 + size);
      int[] listOf =
          previous == null
              ? ListAssigner.assign(chunks, prepared, centroids)
              : ListAssigner.assign(
                  chunks, prepared, centroids, previous.hints, previous.centroids);
      for (int ord = 0; ord < size; ord++) {
        listSizes[listOf[ord]]++;
      }
      int[][] members = new int[numLists][];
      for (int j = 0; j < numLists; j++) {
        members[j] = new int[listSizes[j]];
      }
      int[] fill = new int[numLists];
      for (int ord = 0; ord < size; ord++) {
        members[listOf[ord]][fill[listOf[ord]]++] = ord;
      }
      boolean innerProduct = IvfVectorsFormat.innerProduct(similarity);
      ResidualCodec codec = bits == 32 ? null : new ResidualCodec(bits, dims);
      for (int j = 0; j < numLists; j++) {
        writeList(members[j], centroids[j], prepared, codec, innerProduct);
      }
    }
    long listsLength = lists.getFilePointer() - listsOffset;

    meta.writeInt(info.number);
    meta.writeInt(IvfVectorsFormat.similarityCode(similarity));
    meta.writeInt(isFloat ? 0 : 1);
    meta.writeVInt(dims);
    meta.writeVInt(size);
    meta.writeByte((byte) bits);
    meta.writeVInt(numLists);
    meta.writeVLong(listsOffset);
    meta.writeVLong(listsLength);
    for (float[] centroid : centroids) {
      for (float x : centroid) {
        meta.writeInt(Float.floatToIntBits(x));
      }
    }
    for (int listSize : listSizes) {
      meta.writeVInt(listSize);
    }
    if (numLists > 0) {
      written.add(
          new Written(
              info,
              IvfVectorsReader.FieldEntry.of(
                  similarity,
                  info.getVectorEncoding(),
                  dims,
                  size,
                  bits,
                  centroids,
                  listSizes,
                  listsOffset,
                  listsLength)));
    }
  }

  private void writeList(
      int[] ords,
      float[] centroid,
      KMeans.Vectors vectors,
      ResidualCodec codec,
      boolean innerProduct)
      throws IOException {
    for (int ord : ords) {
      lists.writeInt(ord);
    }
    if (codec == null) {
      return;
    }
    int n = ords.length;
    float[] lower = new float[n];
    float[] upper = new float[n];
    float[] correction = new float[n];
    int[] componentSum = new int[n];
    // the terms precede the codes in the file: buffer the codes of ordinary lists, encode a huge
    // list twice rather than hold all its codes on heap
    boolean buffer = (long) n * codec.codeBytes <= MAX_BUFFERED_CODE_BYTES;
    byte[] codes = buffer ? new byte[n * codec.codeBytes] : null;
    float[] scratch = new float[codec.dims];
    byte[] unpacked = new byte[codec.paddedDims];
    byte[] code = new byte[codec.codeBytes];
    for (int i = 0; i < n; i++) {
      ResidualCodec.Terms terms =
          codec.encode(vectors.vector(ords[i]), centroid, innerProduct, scratch, unpacked, code);
      lower[i] = terms.lower();
      upper[i] = terms.upper();
      correction[i] = terms.correction();
      componentSum[i] = terms.componentSum();
      if (buffer) {
        System.arraycopy(code, 0, codes, i * codec.codeBytes, codec.codeBytes);
      }
    }
    for (float[] column : new float[][] {lower, upper, correction}) {
      for (float x : column) {
        lists.writeInt(Float.floatToIntBits(x));
      }
    }
    for (int s : componentSum) {
      lists.writeInt(s);
    }
    if (buffer) {
      lists.writeBytes(codes, codes.length);
      return;
    }
    for (int i = 0; i < n; i++) {
      codec.encode(vectors.vector(ords[i]), centroid, innerProduct, scratch, unpacked, code);
      lists.writeBytes(code, code.length);
    }
  }

  private static KMeans.Vectors fromValues(FloatVectorValues values) {
    return new KMeans.Vectors() {
      @Override
      public int size() {
        return values.size();
      }

      @Override
      public float[] vector(int ord) throws IOException {
        return values.vectorValue(ord);
      }

      @Override
      public KMeans.Vectors copy() throws IOException {
        return fromValues(values.copy());
      }
    };
  }

  private static KMeans.Vectors normalizing(KMeans.Vectors source, int dims) {
    float[] buffer = new float[dims];
    return new KMeans.Vectors() {
      @Override
      public int size() {
        return source.size();
      }

      @Override
      public float[] vector(int ord) throws IOException {
        System.arraycopy(source.vector(ord), 0, buffer, 0, dims);
        return VectorUtil.l2normalize(buffer, false);
      }

      @Override
      public KMeans.Vectors copy() throws IOException {
        return normalizing(source.copy(), dims);
      }
    };
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("already finished");
    }
    finished = true;
    CodecUtil.writeFooter(lists);
    meta.writeInt(-1);
    if (written.isEmpty()) {
      if (flatWriterClosed == false) {
        flatWriter.finish();
      }
      meta.writeVInt(0);
    } else {
      // the raw vectors and the lists must be complete and closed before they can be searched
      ensureMergedFlatReaderOpen();
      lists.close();
      lists = null;
      List<Written> curves = new ArrayList<>();
      try (IndexInput in =
          state.directory.openInput(
              fileName(IvfVectorsFormat.LISTS_EXTENSION), IOContext.DEFAULT)) {
        for (Written field : written) {
          RecallCurve curve = calibrate(field, in);
          if (curve != null) {
            curves.add(new Written(field.info, field.entry.withCurve(curve)));
          }
        }
      }
      meta.writeVInt(curves.size());
      for (Written field : curves) {
        meta.writeInt(field.info.number);
        field.entry.curve().write(meta);
      }
    }
    CodecUtil.writeFooter(meta);
  }

  /** Measures a field's recall against its probe count with the segment's own search. */
  private RecallCurve calibrate(Written field, IndexInput lists) throws IOException {
    String name = field.info.name;
    // the flat format's ordinals: those of the values and of the exact scorer alike
    FloatVectorValues values = mergedFlatReader.getFloatVectorValues(name);
    int[] grid = RecallCalibrator.probeGrid(field.entry.centroids().length);
    return RecallCalibrator.calibrateAll(
        values,
        field.info.getVectorSimilarityFunction(),
        grid,
        RecallCalibrator.IVF_QUERIES,
        // one scan per query answers every probe count of the grid (IvfSearch.calibrationRun);
        // one result more than k: the query's own vector is among them and is dropped
        (query, results) -> {
          RandomVectorScorer exact = mergedFlatReader.getRandomVectorScorer(name, query);
          TopKnnCollector unused = new TopKnnCollector(1, Integer.MAX_VALUE);
          new IvfSearch(field.entry, lists.clone(), exact, null, 1f, unused, query)
              .calibrationRun(grid, RecallCalibrator.K + 1, results);
        },
        31L * field.info.number + values.size(),
        "IVF segment " + state.segmentInfo.name + " field " + name);
  }

  @Override
  public long ramBytesUsed() {
    return flatWriter.ramBytesUsed();
  }

  @Override
  public void close() throws IOException {
    IOUtils.close(meta, lists, flatWriter, mergedFlatReader);
  }
}
