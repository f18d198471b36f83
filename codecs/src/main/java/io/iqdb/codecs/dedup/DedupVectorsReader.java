package io.iqdb.codecs.dedup;

import io.iqdb.codecs.Calibrated;
import io.iqdb.codecs.FilterCheckingCollector;
import io.iqdb.codecs.RecallCurve;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.util.hnsw.FloatHeap;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.search.knn.KnnSearchStrategy;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.BitSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * Reads {@link DedupVectorsFormat}: the inner format's reader over distinct vectors, presented in
 * document space. Vector values list every document with its vector; a search runs on the inner
 * graph with the ordinals of accepted documents and reports each accepted document of a collected
 * ordinal.
 */
final class DedupVectorsReader extends KnnVectorsReader
    implements HnswGraphProvider, Calibrated {

  /** Lucene's scorer of raw flat vectors, as the inner formats' readers use it. */
  private static final FlatVectorsScorer FLAT_SCORER = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();

  private final KnnVectorsReader inner;
  private final Map<Integer, DocOrdMap> maps;
  private final Map<Integer, RecallCurve> curves;
  private final SegmentReadState state;
  private final String fileName;

  private DedupVectorsReader(
      KnnVectorsReader inner,
      Map<Integer, DocOrdMap> maps,
      Map<Integer, RecallCurve> curves,
      SegmentReadState state,
      String name) {
    this.inner = inner;
    this.maps = maps;
    this.curves = curves;
    this.state = state;
    this.fileName = name;
  }

  static DedupVectorsReader open(SegmentReadState state) throws IOException {
    String name =
        IndexFileNames.segmentFileName(
            state.segmentInfo.name, state.segmentSuffix, DedupVectorsFormat.EXTENSION);
    Map<Integer, DocOrdMap> maps = new HashMap<>();
    Map<Integer, RecallCurve> curves = new HashMap<>();
    String innerName = null;
    try (ChecksumIndexInput in = state.directory.openChecksumInput(name)) {
      Throwable priorE = null;
      try {
        int version = CodecUtil.checkIndexHeader(
            in,
            DedupVectorsFormat.CODEC_NAME,
            DedupVectorsFormat.VERSION_START,
            DedupVectorsFormat.VERSION_CURRENT,
            state.segmentInfo.getId(),
            state.segmentSuffix);
        innerName = in.readString();
        int maxDoc = state.segmentInfo.maxDoc();
        int fieldCount = in.readVInt();
        for (int f = 0; f < fieldCount; f++) {
          int number = in.readVInt();
          FieldInfo info = state.fieldInfos.fieldInfo(number);
          if (info == null || info.hasVectorValues() == false) {
            throw new CorruptIndexException("no vector field with number " + number, in);
          }
          if (maps.put(number, DocOrdMap.read(in, maxDoc, in.toString())) != null) {
            throw new CorruptIndexException("field " + number + " listed twice", in);
          }
          if (version >= DedupVectorsFormat.VERSION_CALIBRATED) {
            byte hasCurve = in.readByte();
            if (hasCurve == 1) {
              curves.put(number, RecallCurve.read(in, in.toString()));
            } else if (hasCurve != 0) {
              throw new CorruptIndexException("invalid curve flag " + hasCurve, in);
            }
          }
        }
      } catch (Throwable t) {
        priorE = t;
      } finally {
        CodecUtil.checkFooter(in, priorE);
      }
    }
    KnnVectorsFormat innerFormat;
    try {
      innerFormat = KnnVectorsFormat.forName(innerName);
    } catch (IllegalArgumentException e) {
      throw new CorruptIndexException("unknown inner vector format " + innerName, name, e);
    }
    // Quantized graphs are read by a reader that rescores their candidates at full precision.
    KnnVectorsReader inner =
        innerName.equals(Lucene104HnswScalarQuantizedVectorsFormat.NAME)
            ? RescoringHnswReader.open(state)
            : innerFormat.fieldsReader(state);
    boolean success = false;
    try {
      for (Map.Entry<Integer, DocOrdMap> e : maps.entrySet()) {
        FieldInfo info = state.fieldInfos.fieldInfo(e.getKey());
        KnnVectorValues values =
            info.getVectorEncoding() == VectorEncoding.FLOAT32
                ? inner.getFloatVectorValues(info.name)
                : inner.getByteVectorValues(info.name);
        int size = values == null ? 0 : values.size();
        if (size != e.getValue().ordCount()) {
          throw new CorruptIndexException(
              "field " + info.name + ": " + e.getValue().ordCount() + " ords mapped, inner format "
                  + innerName + " has " + size + " vectors",
              name);
        }
      }
      success = true;
      return new DedupVectorsReader(inner, maps, curves, state, name);
    } finally {
      if (success == false) {
        IOUtils.closeWhileHandlingException(inner);
      }
    }
  }

  @Override
  public void checkIntegrity() throws IOException {
    inner.checkIntegrity();
    try (IndexInput in = state.directory.openInput(fileName, IOContext.READONCE)) {
      CodecUtil.checksumEntireFile(in);
    }
  }

  private DocOrdMap map(String field) {
    FieldInfo info = state.fieldInfos.fieldInfo(field);
    DocOrdMap map = info == null ? null : maps.get(info.number);
    if (map == null) {
      throw new IllegalStateException("field \"" + field + "\" has no vectors in this segment");
    }
    return map;
  }

  @Override
  public FloatVectorValues getFloatVectorValues(String field) throws IOException {
    FloatVectorValues values = inner.getFloatVectorValues(field); // validates field and encoding
    if (values == null || map(field).identity) {
      return values;
    }
    return new DocFloatValues(values, map(field), similarity(field));
  }

  @Override
  public ByteVectorValues getByteVectorValues(String field) throws IOException {
    ByteVectorValues values = inner.getByteVectorValues(field);
    if (values == null || map(field).identity) {
      return values;
    }
    return new DocByteValues(values, map(field), similarity(field));
  }

  /**
   * The inner graph of a field without a mapping, whose nodes are then the field's documents in
   * order, so a merge can start from it; null for a mapped field (a merge then skips this segment
   * as a starting graph).
   */
  @Override
  public HnswGraph getGraph(String field) throws IOException {
    if (map(field).identity && inner instanceof HnswGraphProvider provider) {
      return provider.getGraph(field);
    }
    return null;
  }

  /** Whether the inner reader rescores quantized candidates at full precision. */
  boolean rescoresHits() {
    return inner instanceof RescoringHnswReader;
  }

  /** Whether a field of this segment is stored without a mapping; for tests. */
  boolean isIdentity(String field) {
    return map(field).identity;
  }

  /** The number of distinct vectors (graph nodes) of a field in this segment; for tests. */
  int distinctVectors(String field) {
    return map(field).ordCount();
  }

  private VectorSimilarityFunction similarity(String field) {
    return state.fieldInfos.fieldInfo(field).getVectorSimilarityFunction();
  }

  @Override
  public RecallCurve recallCurve(String field) {
    FieldInfo info = state.fieldInfos.fieldInfo(field);
    return info == null ? null : curves.get(info.number);
  }

  @Override
  public void search(String field, float[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    FilterCheckingCollector checks = collector instanceof FilterCheckingCollector c ? c : null;
    TargetRecallStrategy strategy = TargetRecallStrategy.of(collector.getSearchStrategy());
    if (strategy == null) {
      searchFloat(field, target, collector, acceptDocs, checks);
      return;
    }
    // The graph search's beam is its collector's size: search with this segment's own ef in a
    // collector of that size, then hand the results to the query's collector. Visits count
    // against the query's limit, so a filtered search still falls back to exact search.
    // never fewer than the query asked for: a quantized index's caller rescores that many
    int ef = strategy.ef(recallCurve(field), collector.k());
    if (ef == collector.k()) {
      searchFloat(field, target, collector, acceptDocs, checks);
      return;
    }
    if (inner instanceof RescoringHnswReader) {
      // that reader gathers k() candidates in a queue of its own and hands on only their rescored
      // hits: asked for ef, it can hand them to the query's collector, which keeps the best
      searchFloat(field, target, new WiderBeam(collector, ef), acceptDocs, checks);
      return;
    }
    long budget = Math.max(0, collector.visitLimit() - collector.visitedCount());
    TopKnnCollector own =
        new TopKnnCollector(
            ef, (int) Math.min(Integer.MAX_VALUE, budget), collector.getSearchStrategy());
    searchFloat(field, target, new StopsWithCaller(own, collector), acceptDocs, checks);
    collector.incVisitedCount((int) Math.min(Integer.MAX_VALUE, own.visitedCount()));
    for (ScoreDoc hit : own.topDocs().scoreDocs) {
      collector.collect(hit.doc, hit.score);
    }
  }

  private void searchFloat(
      String field, float[] target, KnnCollector collector, AcceptDocs acceptDocs, FilterCheckingCollector checks)
      throws IOException {
    DocOrdMap map = map(field);
    if (map.identity) {
      inner.search(field, target, collector, watched(acceptDocs, checks));
      return;
    }
    Bits docBits = acceptDocs.bits();
    inner.search(
        field,
        target,
        new DocCollector(collector, map, docBits, innerStrategy(collector.getSearchStrategy(), map)),
        watched(ordAccept(map, docBits), checks));
  }

  @Override
  public void search(String field, byte[] target, KnnCollector collector, AcceptDocs acceptDocs)
      throws IOException {
    FilterCheckingCollector checks = collector instanceof FilterCheckingCollector c ? c : null;
    DocOrdMap map = map(field);
    if (map.identity) {
      inner.search(field, target, collector, watched(acceptDocs, checks));
      return;
    }
    Bits docBits = acceptDocs.bits();
    inner.search(
        field,
        target,
        new DocCollector(collector, map, docBits, innerStrategy(collector.getSearchStrategy(), map)),
        watched(ordAccept(map, docBits), checks));
  }

  /** What the graph search checks, shown to {@code checks} when there is one and a filter to check. */
  private static AcceptDocs watched(AcceptDocs accept, FilterCheckingCollector checks) {
    if (checks == null) {
      return accept;
    }
    return new AcceptDocs() {
      @Override
      public Bits bits() throws IOException {
        Bits bits = accept.bits();
        return bits == null ? null : checks.watch(bits);
      }

      @Override
      public DocIdSetIterator iterator() throws IOException {
        return accept.iterator();
      }

      @Override
      public int cost() throws IOException {
        return accept.cost();
      }
    };
  }

  /**
   * The search strategy for the inner graph. A seeded search (Lucene's {@code
   * SeededKnnVectorQuery}, and the second, re-entering pass of every multi-segment kNN query) names
   * its entry points as ordinals of the vector values this format presents, one per document; the
   * graph's nodes are the distinct vectors. So each seed is mapped to its vector's inner ordinal,
   * once per vector.
   */
  private static KnnSearchStrategy innerStrategy(KnnSearchStrategy strategy, DocOrdMap map)
      throws IOException {
    if (!(strategy instanceof KnnSearchStrategy.Seeded seeded)
        || seeded.numberOfEntryPoints() <= 0) {
      return strategy;
    }
    FixedBitSet ords = new FixedBitSet(map.ordCount());
    DocIdSetIterator seeds = seeded.entryPoints();
    for (int i = 0; i < seeded.numberOfEntryPoints(); i++) {
      int position = seeds.nextDoc();
      if (position == DocIdSetIterator.NO_MORE_DOCS) {
        break;
      }
      ords.set(map.ordOfDoc[position]);
    }
    int count = ords.cardinality();
    return count == 0
        ? seeded.originalStrategy()
        : new KnnSearchStrategy.Seeded(new BitSetIterator(ords, count), count, seeded.originalStrategy());
  }

  /** The query's collector, asking a graph search for {@code ef} candidates instead of its k. */
  private static final class WiderBeam extends KnnCollector.Decorator {
    private final int ef;

    WiderBeam(KnnCollector collector, int ef) {
      super(collector);
      this.ef = ef;
    }

    @Override
    public int k() {
      return ef;
    }
  }

  /** The ordinals to search: those with at least one accepted document. */
  private static AcceptDocs ordAccept(DocOrdMap map, Bits docBits) {
    if (docBits == null) {
      return AcceptDocs.fromLiveDocs(null, map.ordCount());
    }
    int[] cardinality = new int[1];
    FixedBitSet ords = map.acceptedOrds(docBits, cardinality);
    int cost = cardinality[0];
    return new AcceptDocs() {
      @Override
      public Bits bits() {
        return ords;
      }

      @Override
      public DocIdSetIterator iterator() {
        return new BitSetIterator(ords, cost);
      }

      @Override
      public int cost() {
        return cost;
      }
    };
  }

  /**
   * Turns each collected ordinal into its accepted documents, all with the ordinal's score.
   *
   * <p>The graph search stops when no candidate can beat {@link #minCompetitiveSimilarity()}. The
   * wrapped collector's threshold rises after k documents, which may be k copies of a few vectors;
   * the search would then explore fewer distinct vectors than it does on data without duplicates.
   * So the threshold is also held down to the k-th best distinct vector's score: the graph is
   * searched exactly as deep as it would be for the same vectors without their copies.
   */
  private static final class DocCollector extends KnnCollector.Decorator {
    private final DocOrdMap map;
    private final Bits docBits;
    private final KnnSearchStrategy strategy; // seeds mapped to inner ordinals
    private final FloatHeap ordScores; // the best ordinals' scores, the k-th best on top
    private final int k;

    DocCollector(KnnCollector collector, DocOrdMap map, Bits docBits, KnnSearchStrategy strategy) {
      super(collector);
      this.map = map;
      this.docBits = docBits;
      this.strategy = strategy;
      this.k = Math.max(1, collector.k());
      this.ordScores = new FloatHeap(k);
    }

    @Override
    public KnnSearchStrategy getSearchStrategy() {
      return strategy;
    }

    @Override
    public boolean collect(int ord, float similarity) {
      ordScores.offer(similarity);
      boolean collected = false;
      for (int i = map.ordStart[ord], end = map.ordStart[ord + 1]; i < end; i++) {
        int doc = map.ordDocs[i];
        if (docBits == null || docBits.get(doc)) {
          collected |= collector.collect(doc, similarity);
        }
      }
      return collected;
    }

    @Override
    public float minCompetitiveSimilarity() {
      float ordinals = ordScores.size() < k ? Float.NEGATIVE_INFINITY : ordScores.peek();
      return Math.min(ordinals, collector.minCompetitiveSimilarity());
    }
  }

  @Override
  public Map<String, Long> getOffHeapByteSize(FieldInfo fieldInfo) {
    return inner.getOffHeapByteSize(fieldInfo);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }

  /** Iterates a field's documents; the index is the document's position. */
  private static KnnVectorValues.DocIndexIterator docIterator(int[] docs) {
    return new KnnVectorValues.DocIndexIterator() {
      private int index = -1;
      private int doc = -1;

      @Override
      public int index() {
        return index;
      }

      @Override
      public int docID() {
        return doc;
      }

      @Override
      public int nextDoc() {
        index++;
        doc = index < docs.length ? docs[index] : NO_MORE_DOCS;
        return doc;
      }

      @Override
      public int advance(int target) {
        // a filter advances this iterator once per match, mostly by a few documents: gallop from
        // here, then search the last step (every record has a vector, so docs[i] is often i)
        int from = Math.max(index + 1, 0);
        int step = 1;
        int to = from;
        while (to < docs.length && docs[to] < target) {
          from = to + 1;
          to += step;
          step <<= 1;
        }
        int i = java.util.Arrays.binarySearch(docs, from, Math.min(to + 1, docs.length), target);
        index = i >= 0 ? i : -i - 1;
        doc = index < docs.length ? docs[index] : NO_MORE_DOCS;
        return doc;
      }

      @Override
      public long cost() {
        return docs.length;
      }
    };
  }

  /**
   * A scorer over every document of a field, scoring each document's own vector: {@code byOrd}
   * (Lucene's flat scorer over the inner ordinals, which reads the mapped file in place) scores the
   * ordinals the map gives, one batch per call when an exact search asks for {@link
   * VectorScorer#bulk}.
   */
  private static VectorScorer scorer(DocOrdMap map, RandomVectorScorer byOrd) {
    RandomVectorScorer byPosition =
        new RandomVectorScorer() {
          private int[] ords = new int[0];

          @Override
          public float score(int position) throws IOException {
            return byOrd.score(map.ordOfDoc[position]);
          }

          @Override
          public float bulkScore(int[] positions, float[] scores, int count) throws IOException {
            ords = ArrayUtil.growNoCopy(ords, count);
            for (int i = 0; i < count; i++) {
              ords[i] = map.ordOfDoc[positions[i]];
            }
            return byOrd.bulkScore(ords, scores, count);
          }

          @Override
          public int maxOrd() {
            return map.docs.length;
          }

          @Override
          public int ordToDoc(int position) {
            return map.docs[position];
          }
        };
    KnnVectorValues.DocIndexIterator it = docIterator(map.docs);
    return new VectorScorer() {
      @Override
      public float score() throws IOException {
        return byPosition.score(it.index());
      }

      @Override
      public DocIdSetIterator iterator() {
        return it;
      }

      @Override
      public Bulk bulk(DocIdSetIterator matchingDocs) {
        return Bulk.fromRandomScorerSparse(byPosition, it, matchingDocs);
      }
    };
  }

  /** Float vectors in document space: position i is the i-th document with a vector. */
  private static final class DocFloatValues extends FloatVectorValues {
    private final FloatVectorValues inner;
    private final DocOrdMap map;
    private final VectorSimilarityFunction similarity;
    private DocIndexIterator iterator;

    DocFloatValues(FloatVectorValues inner, DocOrdMap map, VectorSimilarityFunction similarity) {
      this.inner = inner;
      this.map = map;
      this.similarity = similarity;
    }

    @Override
    public float[] vectorValue(int ord) throws IOException {
      return inner.vectorValue(map.ordOfDoc[ord]);
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public int size() {
      return map.docs.length;
    }

    @Override
    public int ordToDoc(int ord) {
      return map.docs[ord];
    }

    /** Lucene's values hand out one iterator per instance; callers rely on that. */
    @Override
    public DocIndexIterator iterator() {
      if (iterator == null) {
        iterator = docIterator(map.docs);
      }
      return iterator;
    }

    @Override
    public DocFloatValues copy() throws IOException {
      if (map.docs.length == 0) {
        return this;
      }
      return new DocFloatValues(inner.copy(), map, similarity);
    }

    @Override
    public VectorScorer scorer(float[] target) throws IOException {
      if (map.docs.length == 0) {
        return null;
      }
      return DedupVectorsReader.scorer(
          map, FLAT_SCORER.getRandomVectorScorer(similarity, inner.copy(), target));
    }
  }

  /** Byte vectors in document space: position i is the i-th document with a vector. */
  private static final class DocByteValues extends ByteVectorValues {
    private final ByteVectorValues inner;
    private final DocOrdMap map;
    private final VectorSimilarityFunction similarity;
    private DocIndexIterator iterator;

    DocByteValues(ByteVectorValues inner, DocOrdMap map, VectorSimilarityFunction similarity) {
      this.inner = inner;
      this.map = map;
      this.similarity = similarity;
    }

    @Override
    public byte[] vectorValue(int ord) throws IOException {
      return inner.vectorValue(map.ordOfDoc[ord]);
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public int size() {
      return map.docs.length;
    }

    @Override
    public int ordToDoc(int ord) {
      return map.docs[ord];
    }

    /** Lucene's values hand out one iterator per instance; callers rely on that. */
    @Override
    public DocIndexIterator iterator() {
      if (iterator == null) {
        iterator = docIterator(map.docs);
      }
      return iterator;
    }

    @Override
    public DocByteValues copy() throws IOException {
      if (map.docs.length == 0) {
        return this;
      }
      return new DocByteValues(inner.copy(), map, similarity);
    }

    @Override
    public VectorScorer scorer(byte[] target) throws IOException {
      if (map.docs.length == 0) {
        return null;
      }
      return DedupVectorsReader.scorer(
          map, FLAT_SCORER.getRandomVectorScorer(similarity, inner.copy(), target));
    }
  }
}
