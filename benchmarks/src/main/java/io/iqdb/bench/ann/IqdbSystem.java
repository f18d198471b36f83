package io.iqdb.bench.ann;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Quantization;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * iQDB through its public API only: {@link Iqdb#builder()}, a collection with an {@link IndexSpec},
 * {@link VectorCollection#upsertAll} in batches, {@link VectorCollection#flush()}, then
 * {@link VectorCollection#compact(int) compact(1)} so that, like the peers, it searches one index
 * (all of it is build time). Ids are the decimal dataset positions.
 *
 * <p>Loading uses {@link Durability#none()}: the peers have no write-ahead log either, and
 * {@code flush()} makes the data durable at the end. The indexing buffer is raw Lucene's ({@link
 * LuceneHnswSystem#ramBufferMb()}), so that both build one segment. Searches ask for no payload.
 */
public final class IqdbSystem implements AnnSystem {

  /** How the swept value is passed to {@link SearchRequest}. */
  public enum Knob {
    /** No parameter: one point. */
    NONE("-"),
    /** {@link SearchRequest#exact(boolean) exact(true)}: one point. */
    EXACT("-"),
    /** {@link SearchRequest#ef(int)}. */
    EF("ef"),
    /** {@link SearchRequest#probes(int)}. */
    PROBES("probes"),
    /** {@link SearchRequest#targetRecall(double)}, the swept value in thousandths. */
    TARGET("target/1000");

    private final String label;

    Knob(String label) {
      this.label = label;
    }
  }

  private static final int BATCH = 1000;

  private final String name;
  private final IndexSpec index;
  private final Knob knob;
  private final List<Integer> sweep;
  private final float oversample;
  private final boolean inMemory;
  private Iqdb db;
  private VectorCollection collection;
  private boolean shared;
  private Path dir;

  /**
   * Creates the system.
   *
   * @param name the name in the results, e.g. {@code iqdb-hnsw}
   * @param index the index of the collection
   * @param knob which request parameter the sweep sets
   * @param sweep the values to measure (ignored for {@link Knob#NONE} and {@link Knob#EXACT})
   * @param oversample the oversampling factor passed with every search (0 for iQDB's default)
   */
  public IqdbSystem(String name, IndexSpec index, Knob knob, List<Integer> sweep, float oversample) {
    this(name, index, knob, sweep, oversample, false);
  }

  /**
   * Creates the system, on disk or in memory.
   *
   * @param name the name in the results, e.g. {@code iqdb-hnsw-mem}
   * @param index the index of the collection
   * @param knob which request parameter the sweep sets
   * @param sweep the values to measure (ignored for {@link Knob#NONE} and {@link Knob#EXACT})
   * @param oversample the oversampling factor passed with every search (0 for iQDB's default)
   * @param inMemory whether the database is {@link Iqdb.Builder#inMemory() in memory}
   */
  public IqdbSystem(String name, IndexSpec index, Knob knob, List<Integer> sweep, float oversample, boolean inMemory) {
    this.inMemory = inMemory;
    this.name = name;
    this.index = index;
    this.knob = knob;
    this.sweep = knob == Knob.NONE || knob == Knob.EXACT ? List.of(0) : List.copyOf(sweep);
    this.oversample = oversample;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String parameterName() {
    return knob.label;
  }

  @Override
  public List<Integer> sweep() {
    return sweep;
  }

  @Override
  public int buildThreads() {
    return 1;
  }

  @Override
  public String description() {
    return "iQDB " + (inMemory ? "in memory, " : "") + index + (oversample > 0 ? ", oversample=" + oversample : "")
        + (knob == Knob.EXACT ? ", exact(true)" : "") + (knob == Knob.TARGET ? ", targetRecall(value / 1000) only" : "")
        + ", upsertAll in batches of " + BATCH
        + " with Durability.none() and ramBufferMb as raw Lucene's, flush(), compact(1)";
  }

  @Override
  public void build(Dataset dataset, Path workDir) {
    dir = workDir;
    // The indexing buffer raw Lucene gets, so that both build their graphs (and IVF lists) in one
    // segment rather than merging several: the comparison is then of the same index.
    Iqdb.Builder builder = inMemory ? Iqdb.builder().inMemory() : Iqdb.builder().path(workDir);
    db = builder.durability(Durability.none()).ramBufferMb(LuceneHnswSystem.ramBufferMb()).open();
    collection = db.createCollection("bench",
        CollectionConfig.builder(dataset.dimension(), dataset.metric()).index(index).build());
    float[][] train = dataset.train();
    List<VectorRecord> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < train.length; i++) {
      batch.add(VectorRecord.of(Integer.toString(i), train[i]));
      if (batch.size() == BATCH || i == train.length - 1) {
        collection.upsertAll(batch);
        batch.clear();
      }
    }
    collection.flush();
    collection.compact(1);
    if (collection.count() != train.length) {
      throw new IllegalStateException("collection holds " + collection.count() + " records, expected " + train.length);
    }
  }

  @Override
  public int[] search(float[] query, int k, int parameter) {
    SearchRequest request = SearchRequest.of(query, k).includePayload(false);
    request = switch (knob) {
      case NONE -> request;
      case EXACT -> request.exact(true);
      case EF -> request.ef(parameter);
      case PROBES -> request.probes(parameter);
      case TARGET -> request.targetRecall(parameter / 1000.0);
    };
    if (oversample > 0) {
      request = request.oversample(oversample);
    }
    List<Hit> hits = collection.search(request);
    int[] ids = new int[hits.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = Integer.parseInt(hits.get(i).id());
    }
    return ids;
  }

  @Override
  public long sizeOnDisk() throws IOException {
    // In memory: the bytes the index holds in memory, which the disk size column then reports.
    return inMemory ? collection.stats().memoryBytes() : LuceneHnswSystem.directorySize(dir);
  }

  /**
   * A system that searches this one's built collection with another knob; closing it leaves the
   * collection open.
   *
   * @param otherKnob how the swept value is passed
   * @return the view
   */
  public IqdbSystem sharing(Knob otherKnob) {
    IqdbSystem view = new IqdbSystem(name + "-" + otherKnob.label, index, otherKnob, sweep, oversample, inMemory);
    view.collection = collection;
    view.dir = dir;
    view.shared = true;
    return view;
  }

  @Override
  public void close() {
    if (db != null && !shared) {
      db.close();
    }
  }

  /**
   * The iQDB systems searched by target recall only ({@code -target}), each with the index of the
   * system of the same name without the suffix in {@link #all}.
   *
   * @param m HNSW {@code M}
   * @param beamWidth HNSW build beam width
   * @param ivfLists IVF list count (0 lets iQDB choose)
   * @param targets target recalls in thousandths
   * @return the systems
   */
  public static List<IqdbSystem> targets(int m, int beamWidth, int ivfLists, List<Integer> targets) {
    IndexSpec.Hnsw hnsw = IndexSpec.hnsw(m, beamWidth);
    IndexSpec.Ivf ivf = IndexSpec.ivf().withLists(ivfLists).withQuantization(Quantization.NONE);
    return List.of(
        new IqdbSystem("iqdb-hnsw-target", hnsw, Knob.TARGET, targets, 0f),
        new IqdbSystem("iqdb-ivf-target", ivf, Knob.TARGET, targets, 0f),
        new IqdbSystem("iqdb-ivf-int8-target", ivf.withQuantization(Quantization.INT8), Knob.TARGET, targets, 0f));
  }

  /**
   * The iQDB systems of the comparison: flat (exact), IVF and HNSW, float and quantized, and some
   * of them in memory ({@code -mem}).
   *
   * @param m HNSW {@code M}, as for Lucene
   * @param beamWidth HNSW build beam width, as for Lucene
   * @param ivfLists IVF list count (0 lets iQDB choose)
   * @param efSweep values of {@code ef}
   * @param probeSweep values of {@code probes}
   * @return the systems, by name
   */
  public static List<IqdbSystem> all(int m, int beamWidth, int ivfLists, List<Integer> efSweep, List<Integer> probeSweep) {
    IndexSpec.Hnsw hnsw = IndexSpec.hnsw(m, beamWidth);
    IndexSpec.Ivf ivf = IndexSpec.ivf().withLists(ivfLists).withQuantization(Quantization.NONE);
    return List.of(
        new IqdbSystem("iqdb-flat", IndexSpec.flat(), Knob.EXACT, List.of(), 0f),
        new IqdbSystem("iqdb-flat-int8", IndexSpec.flat(Quantization.INT8), Knob.NONE, List.of(), 0f),
        new IqdbSystem("iqdb-ivf", ivf, Knob.PROBES, probeSweep, 0f),
        new IqdbSystem("iqdb-ivf-int8", ivf.withQuantization(Quantization.INT8), Knob.PROBES, probeSweep, 0f),
        new IqdbSystem("iqdb-hnsw", hnsw, Knob.EF, efSweep, 0f),
        new IqdbSystem("iqdb-hnsw-int8", hnsw.withQuantization(Quantization.INT8), Knob.EF, efSweep, 0f),
        new IqdbSystem("iqdb-hnsw-int4", hnsw.withQuantization(Quantization.INT4), Knob.EF, efSweep, 0f),
        new IqdbSystem("iqdb-flat-bit1", IndexSpec.flat(Quantization.BIT1), Knob.NONE, List.of(), 0f),
        new IqdbSystem("iqdb-ivf-bit1", ivf.withQuantization(Quantization.BIT1), Knob.PROBES, probeSweep, 0f),
        new IqdbSystem("iqdb-hnsw-bit1", hnsw.withQuantization(Quantization.BIT1), Knob.EF, efSweep, 0f),
        // The same databases held in memory (Iqdb.openInMemory()), to compare with those on disk.
        new IqdbSystem("iqdb-flat-mem", IndexSpec.flat(), Knob.EXACT, List.of(), 0f, true),
        new IqdbSystem("iqdb-ivf-mem", ivf, Knob.PROBES, probeSweep, 0f, true),
        new IqdbSystem("iqdb-ivf-int8-mem", ivf.withQuantization(Quantization.INT8), Knob.PROBES, probeSweep, 0f, true),
        new IqdbSystem("iqdb-hnsw-mem", hnsw, Knob.EF, efSweep, 0f, true));
  }
}
