package io.iqdb.bench.data;

import io.iqdb.cli.data.VectorFiles;
import io.iqdb.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.util.VectorUtil;

/**
 * Exact nearest neighbours by brute force (recall against them: {@link TieAwareRecall}).
 *
 * <p>Distances use Lucene's {@link VectorUtil} (SIMD with {@code --add-modules
 * jdk.incubator.vector}). Ties are broken by the smaller id, so the result is deterministic.
 */
public final class GroundTruth {

  /** The number of neighbours stored per query in cached ground truth files. */
  public static final int DEFAULT_K = 100;

  private GroundTruth() {}

  /**
   * Loads the ground truth of a dataset from {@code <cacheDir>/<dataset name>-gt<k>.ivecs}, or
   * computes it with all cores and writes that file.
   *
   * @param dataset the dataset
   * @param k the number of neighbours per query
   * @param cacheDir the cache directory (created if missing), e.g. {@code benchmarks/data}
   * @return for each query, the ids of its {@code k} nearest vectors, nearest first
   * @throws IOException if the cache cannot be read or written
   */
  public static int[][] loadOrCompute(Dataset dataset, int k, Path cacheDir) throws IOException {
    Path file = cacheDir.resolve(dataset.name() + "-gt" + k + ".ivecs");
    if (Files.isRegularFile(file)) {
      int[][] cached = VectorFiles.readIvecs(file);
      // Only the first queries may have been kept (Dataset.withQueries): a prefix is still exact.
      if (cached.length >= dataset.queries().length && cached.length > 0 && cached[0].length == k) {
        return cached.length == dataset.queries().length
            ? cached : java.util.Arrays.copyOf(cached, dataset.queries().length);
      }
    }
    int[][] gt = compute(dataset, k, Runtime.getRuntime().availableProcessors());
    VectorFiles.writeIvecs(file, gt);
    return gt;
  }

  /**
   * Computes exact nearest neighbours by brute force.
   *
   * @param dataset the dataset
   * @param k the number of neighbours per query (at most the number of vectors)
   * @param threads the number of threads
   * @return for each query, the ids of its {@code k} nearest vectors, nearest first
   */
  public static int[][] compute(Dataset dataset, int k, int threads) {
    float[][] train = dataset.train();
    float[][] queries = dataset.queries();
    if (k < 1 || k > train.length) {
      throw new IllegalArgumentException("k must be in [1, " + train.length + "]; k=" + k);
    }
    int[][] out = new int[queries.length][];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int q; (q = next.getAndIncrement()) < queries.length; ) {
            out[q] = topK(train, queries[q], k, dataset.metric());
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while computing ground truth", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("ground truth computation failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  /**
   * A distance under which smaller is nearer: squared L2, or {@code 1 - cosine} / {@code -dot}.
   *
   * @param metric the metric
   * @param a a vector
   * @param b a vector of the same length
   * @return the distance
   */
  public static float distance(Metric metric, float[] a, float[] b) {
    return switch (metric) {
      case L2 -> VectorUtil.squareDistance(a, b);
      case COSINE -> 1f - VectorUtil.cosine(a, b);
      case DOT, MAX_INNER_PRODUCT -> -VectorUtil.dotProduct(a, b);
    };
  }

  private static int[] topK(float[][] train, float[] query, int k, Metric metric) {
    // A bounded max-heap on (distance, id): the root is the worst of the best k so far.
    float[] dist = new float[k];
    int[] ids = new int[k];
    int size = 0;
    for (int i = 0; i < train.length; i++) {
      float d = distance(metric, query, train[i]);
      if (size < k) {
        dist[size] = d;
        ids[size] = i;
        siftUp(dist, ids, size++);
      } else if (d < dist[0]) { // equal distance: the earlier (smaller) id already held stays
        dist[0] = d;
        ids[0] = i;
        siftDown(dist, ids, size);
      }
    }
    // Pop from the heap: worst first, so fill from the back.
    int[] result = new int[size];
    for (int n = size; n > 0; n--) {
      result[n - 1] = ids[0];
      dist[0] = dist[n - 1];
      ids[0] = ids[n - 1];
      siftDown(dist, ids, n - 1);
    }
    return result;
  }

  private static boolean worse(float[] dist, int[] ids, int a, int b) {
    return dist[a] > dist[b] || (dist[a] == dist[b] && ids[a] > ids[b]);
  }

  private static void swap(float[] dist, int[] ids, int a, int b) {
    float d = dist[a];
    dist[a] = dist[b];
    dist[b] = d;
    int id = ids[a];
    ids[a] = ids[b];
    ids[b] = id;
  }

  private static void siftUp(float[] dist, int[] ids, int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(dist, ids, i, parent)) {
        return;
      }
      swap(dist, ids, i, parent);
      i = parent;
    }
  }

  private static void siftDown(float[] dist, int[] ids, int size) {
    int i = 0;
    while (true) {
      int left = 2 * i + 1;
      if (left >= size) {
        return;
      }
      int right = left + 1;
      int worst = right < size && worse(dist, ids, right, left) ? right : left;
      if (!worse(dist, ids, worst, i)) {
        return;
      }
      swap(dist, ids, i, worst);
      i = worst;
    }
  }
}
