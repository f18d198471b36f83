package io.iqdb.bench.ann;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.iqdb.Metric;
import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * JVector's in-memory graph ({@link GraphIndexBuilder}, searched with {@link GraphSearcher}) on full
 * precision vectors.
 *
 * <p>JVector's {@code M} is the maximum degree of every node; Lucene's HNSW {@code M} allows
 * {@code 2M} neighbours on the base layer, so this system gets degree {@code 2M} to match it, with
 * the same build beam width and JVector's usual overflow 1.2 and alpha 1.2 (other settings are
 * the builder's defaults). The swept
 * parameter {@code ef} is the search's {@code rerankK}, the size of its result queue. The size on
 * disk is that of the graph written with {@link OnDiskGraphIndex#write} after the build (not timed),
 * but searches run on the in-memory graph.
 */
public final class JVectorSystem implements AnnSystem {

  private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

  private final int degree;
  private final int beamWidth;
  private final List<Integer> sweep;
  private RandomAccessVectorValues vectors;
  private VectorSimilarityFunction similarity;
  private ImmutableGraphIndex graph;
  private ThreadLocal<GraphSearcher> searchers;
  private Path workDir;

  /**
   * Creates the system.
   *
   * @param m Lucene-style HNSW {@code M}; the graph degree is {@code 2 * m}
   * @param beamWidth the build beam width
   * @param sweep the values of {@code ef} (rerankK) to measure
   */
  public JVectorSystem(int m, int beamWidth, List<Integer> sweep) {
    this.degree = 2 * m;
    this.beamWidth = beamWidth;
    this.sweep = List.copyOf(sweep);
  }

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public String parameterName() {
    return "ef";
  }

  @Override
  public List<Integer> sweep() {
    return sweep;
  }

  @Override
  public int buildThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Override
  public String description() {
    return "JVector 4.0.2 GraphIndexBuilder(degree=" + degree + ", beamWidth=" + beamWidth
        + ", overflow=1.2, alpha=1.2), in memory, full precision, GraphSearcher(rerankK=ef)";
  }

  @Override
  public void build(Dataset dataset, Path workDir) throws IOException {
    similarity = switch (dataset.metric()) {
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
      case COSINE -> VectorSimilarityFunction.COSINE;
      case DOT, MAX_INNER_PRODUCT -> VectorSimilarityFunction.DOT_PRODUCT;
    };
    if (dataset.metric() == Metric.MAX_INNER_PRODUCT) {
      throw new UnsupportedOperationException("JVector has no maximum-inner-product similarity");
    }
    List<VectorFloat<?>> list = new ArrayList<>(dataset.train().length);
    for (float[] v : dataset.train()) {
      list.add(VTS.createFloatVector(v));
    }
    vectors = new ListRandomAccessVectorValues(list, dataset.dimension());
    // An explicit pool: the common pool has one thread less than there are cores.
    ForkJoinPool pool = new ForkJoinPool(buildThreads());
    try (GraphIndexBuilder builder = GraphIndexBuilder.builder(vectors, similarity, degree)
        .withBeamWidth(beamWidth).withNeighborOverflow(1.2f).withAlpha(1.2f).withParallelExecutor(pool).build()) {
      graph = builder.build(vectors);
    } finally {
      pool.shutdown();
    }
    searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));
    this.workDir = workDir;
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    VectorFloat<?> q = VTS.createFloatVector(query);
    DefaultSearchScoreProvider ssp = DefaultSearchScoreProvider.exact(q, similarity, vectors);
    SearchResult result = searchers.get().search(ssp, k, Math.max(k, ef), 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = result.getNodes();
    int[] ids = new int[Math.min(k, nodes.length)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = nodes[i].node;
    }
    return ids;
  }

  @Override
  public long sizeOnDisk() throws IOException {
    // Written here, after the timed build: the searches themselves use the in-memory graph.
    Path file = workDir.resolve("graph.jvector");
    if (!Files.exists(file)) {
      OnDiskGraphIndex.write(graph, vectors, file);
    }
    return Files.size(file);
  }

  @Override
  public void close() {
    graph = null;
    vectors = null;
    searchers = null;
  }
}
