package io.iqdb.codecs.ivf;

import io.iqdb.codecs.Calibrated;
import io.iqdb.codecs.RecallCurve;
import io.iqdb.codecs.flat.ExactSearch;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.DataAccessHint;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * Reads IVF segments (layout in {@link IvfVectorsFormat}): centroids and list sizes on heap,
 * posting lists memory-mapped, raw vectors through the flat reader.
 */
final class IvfVectorsReader extends KnnVectorsReader implements Calibrated {

  private final FlatVectorsReader flat;
  private final IndexInput lists;
  private final Map<String, FieldEntry> fields = new HashMap<>();

  /** What the meta file says about one field. */
  record FieldEntry(
      VectorSimilarityFunction similarity,
      VectorEncoding encoding,
      int dims,
      int size,
      int bits,
      float[][] centroids,
      int[] listSizes,
      long[] listOffsets,
      long listsOffset,
      long listsLength,
      ResidualCodec codec,
      RecallCurve curve) {

    /**
     * The entry of a field whose lists lie back to back from {@code listsOffset} (the list offsets
     * follow from the sizes), without a recall curve.
     */
    static FieldEntry of(
        VectorSimilarityFunction similarity,
        VectorEncoding encoding,
        int dims,
        int size,
        int bits,
        float[][] centroids,
        int[] listSizes,
        long listsOffset,
        long listsLength) {
      ResidualCodec codec =
          bits == 32 || centroids.length == 0 ? null : new ResidualCodec(bits, dims);
      long bytesPerVector = bytesPerVector(codec);
      long[] listOffsets = new long[listSizes.length];
      long total = 0;
      for (int j = 0; j < listSizes.length; j++) {
        listOffsets[j] = listsOffset + total * bytesPerVector;
        total += listSizes[j];
      }
      return new FieldEntry(
          similarity, encoding, dims, size, bits, centroids, listSizes, listOffsets, listsOffset,
          listsLength, codec, null);
    }

    /** A vector's bytes in a list: its ordinal, and with codes its four terms and its code. */
    static long bytesPerVector(ResidualCodec codec) {
      return codec == null ? Integer.BYTES : Integer.BYTES + 16L + codec.codeBytes;
    }

    /** This entry with a recall curve. */
    FieldEntry withCurve(RecallCurve curve) {
      return new FieldEntry(
          similarity, encoding, dims, size, bits, centroids, listSizes, listOffsets, listsOffset,
          listsLength, codec, curve);
    }
  }

  IvfVectorsReader(SegmentReadState state, FlatVectorsFormat flatFormat) throws IOException {
    this.flat = flatFormat.fieldsReader(state);
    IndexInput listsInput = null;
    boolean success = false;
    try {
      int version = readMeta(state);
      String listsName =
          IndexFileNames.segmentFileName(
              state.segmentInfo.name, state.segmentSuffix, IvfVectorsFormat.LISTS_EXTENSION);
      listsInput =
          state.directory.openInput(listsName, state.context.withHints(DataAccessHint.RANDOM));
      CodecUtil.checkIndexHeader(
          listsInput,
          IvfVectorsFormat.LISTS_CODEC_NAME,
          version,
          version,
          state.segmentInfo.getId(),
          state.segmentSuffix);
      CodecUtil.retrieveChecksum(listsInput);
      long dataEnd = listsInput.length() - CodecUtil.footerLength();
      for (FieldEntry entry : fields.values()) {
        if (entry.listsOffset < 0 || entry.listsOffset + entry.listsLength > dataEnd) {
          throw new CorruptIndexException(
              "posting lists out of bounds: offset="
                  + entry.listsOffset
                  + ", length="
                  + entry.listsLength
                  + ", file length="
                  + listsInput.length(),
              listsInput);
        }
      }
      this.lists = listsInput;
      success = true;
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(flat, listsInput);
      }
    }
  }

  private int readMeta(SegmentReadState state) throws IOException {
    String metaName =
        IndexFileNames.segmentFileName(
            state.segmentInfo.name, state.segmentSuffix, IvfVectorsFormat.META_EXTENSION);
    int version = -1;
    try (ChecksumIndexInput meta = state.directory.openChecksumInput(metaName)) {
      Throwable prior = null;
      try {
        version =
            CodecUtil.checkIndexHeader(
                meta,
                IvfVectorsFormat.META_CODEC_NAME,
                IvfVectorsFormat.VERSION_START,
                IvfVectorsFormat.VERSION_CURRENT,
                state.segmentInfo.getId(),
                state.segmentSuffix);
        for (int number = meta.readInt(); number != -1; number = meta.readInt()) {
          FieldInfo info = state.fieldInfos.fieldInfo(number);
          if (info == null) {
            throw new CorruptIndexException("invalid field number: " + number, meta);
          }
          fields.put(info.name, readField(meta, info));
        }
        if (version >= IvfVectorsFormat.VERSION_CALIBRATED) {
          int curves = meta.readVInt();
          for (int c = 0; c < curves; c++) {
            int number = meta.readInt();
            FieldInfo info = state.fieldInfos.fieldInfo(number);
            FieldEntry entry = info == null ? null : fields.get(info.name);
            if (entry == null || entry.centroids.length == 0) {
              throw new CorruptIndexException("recall curve of field " + number + " without lists", meta);
            }
            fields.put(info.name, entry.withCurve(RecallCurve.read(meta, meta.toString())));
          }
        }
      } catch (Throwable t) {
        prior = t;
      } finally {
        CodecUtil.checkFooter(meta, prior);
      }
    }
    return version;
  }

  private static FieldEntry readField(ChecksumIndexInput meta, FieldInfo info) throws IOException {
    VectorSimilarityFunction similarity = IvfVectorsFormat.similarity(meta.readInt(), meta);
    int encodingCode = meta.readInt();
    VectorEncoding encoding =
        switch (encodingCode) {
          case 0 -> VectorEncoding.FLOAT32;
          case 1 -> VectorEncoding.BYTE;
          default ->
              throw new CorruptIndexException("invalid vector encoding: " + encodingCode, meta);
        };
    if (similarity != info.getVectorSimilarityFunction() || encoding != info.getVectorEncoding()) {
      throw new CorruptIndexException(
          "field \""
              + info.name
              + "\" has similarity "
              + similarity
              + " and encoding "
              + encoding
              + " but field infos say "
              + info.getVectorSimilarityFunction()
              + " and "
              + info.getVectorEncoding(),
          meta);
    }
    int dims = meta.readVInt();
    if (dims != info.getVectorDimension()) {
      throw new CorruptIndexException(
          "field \""
              + info.name
              + "\" has dimension "
              + dims
              + " but field infos say "
              + info.getVectorDimension(),
          meta);
    }
    int size = meta.readVInt();
    int bits = meta.readByte();
    if (bits != 32 && bits != 8 && bits != 7 && bits != 4 && bits != 1) {
      throw new CorruptIndexException("invalid code bits: " + bits, meta);
    }
    int numLists = meta.readVInt();
    if (numLists > size || (encoding == VectorEncoding.BYTE && numLists != 0)) {
      throw new CorruptIndexException(
          "invalid list count " + numLists + " for " + size + " vectors", meta);
    }
    long listsOffset = meta.readVLong();
    long listsLength = meta.readVLong();
    float[][] centroids = new float[numLists][dims];
    for (float[] centroid : centroids) {
      for (int d = 0; d < dims; d++) {
        centroid[d] = Float.intBitsToFloat(meta.readInt());
      }
    }
    int[] listSizes = new int[numLists];
    long total = 0;
    for (int j = 0; j < numLists; j++) {
      listSizes[j] = meta.readVInt();
      total += listSizes[j];
    }
    FieldEntry entry =
        FieldEntry.of(
            similarity, encoding, dims, size, bits, centroids, listSizes, listsOffset, listsLength);
    long bytesPerVector = FieldEntry.bytesPerVector(entry.codec());
    if ((numLists > 0 && total != size) || total * bytesPerVector != listsLength) {
      throw new CorruptIndexException(
          "list sizes add up to "
              + total
              + " vectors and "
              + total * bytesPerVector
              + " bytes, expected "
              + size
              + " vectors and "
              + listsLength
              + " bytes",
          meta);
    }
    return entry;
  }

  /** Receives the members of posting lists. */
  interface ListMembers {
    void accept(int list, int ord) throws IOException;
  }

  /**
   * Calls back with every (list, vector ordinal) pair of a field. Used by merges.
   *
   * @param field the field
   * @param members receives the pairs
   */
  void forEachListMember(String field, ListMembers members) throws IOException {
    FieldEntry entry = fields.get(field);
    if (entry == null) {
      return;
    }
    IndexInput in = lists.clone();
    int[] ords = new int[0];
    for (int list = 0; list < entry.listSizes.length; list++) {
      int n = entry.listSizes[list];
      if (ords.length < n) {
        ords = new int[n];
      }
      in.seek(entry.listOffsets[list]);
      in.readInts(ords, 0, n);
      for (int i = 0; i < n; i++) {
        if (ords[i] < 0 || ords[i] >= entry.size) {
          throw new CorruptIndexException(
              "invalid ordinal " + ords[i] + " in list " + list + " of " + entry.size, in);
        }
        members.accept(list, ords[i]);
      }
    }
  }

  /** The centroids of a field, or null. Used to warm-start merges. */
  float[][] centroids(String field) {
    FieldEntry entry = fields.get(field);
    return entry == null ? null : entry.centroids;
  }

  @Override
  public RecallCurve recallCurve(String field) {
    FieldEntry entry = fields.get(field);
    return entry == null ? null : entry.curve;
  }

  @Override
  public void checkIntegrity() throws IOException {
    flat.checkIntegrity();
    CodecUtil.checksumEntireFile(lists);
  }

  @Override
  public FloatVectorValues getFloatVectorValues(String field) throws IOException {
    return flat.getFloatVectorValues(field);
  }

  @Override
  public ByteVectorValues getByteVectorValues(String field) throws IOException {
    return flat.getByteVectorValues(field);
  }

  @Override
  public void search(String field, float[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    FieldEntry entry = fields.get(field);
    if (entry == null || entry.size == 0 || collector.k() == 0) {
      return;
    }
    RandomVectorScorer exact = flat.getRandomVectorScorer(field, target);
    if (exact == null) {
      return;
    }
    Bits acceptOrds = exact.getAcceptOrds(acceptDocs.bits());
    if (entry.centroids.length == 0) {
      ExactSearch.search(exact, collector, acceptDocs.bits());
      return;
    }
    IvfSearch search =
        new IvfSearch(
            entry,
            lists.clone(),
            exact,
            acceptOrds,
            acceptOrds == null ? 1f : Math.min(1f, acceptDocs.cost() / (float) entry.size()),
            collector,
            target);
    search.run();
  }

  @Override
  public void search(String field, byte[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    if (collector.k() == 0) {
      return;
    }
    RandomVectorScorer scorer = flat.getRandomVectorScorer(field, target);
    if (scorer != null) {
      ExactSearch.search(scorer, collector, acceptDocs.bits());
    }
  }

  @Override
  public Map<String, Long> getOffHeapByteSize(FieldInfo fieldInfo) {
    FieldEntry entry = fields.get(fieldInfo.name);
    Map<String, Long> raw = flat.getOffHeapByteSize(fieldInfo);
    if (entry == null) {
      return raw;
    }
    return KnnVectorsReader.mergeOffHeapByteSizeMaps(
        raw, Map.of(IvfVectorsFormat.LISTS_EXTENSION, entry.listsLength));
  }

  @Override
  public void close() throws IOException {
    IOUtils.close(flat, lists);
  }
}
