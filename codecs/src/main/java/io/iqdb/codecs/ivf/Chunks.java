package io.iqdb.codecs.ivf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import org.apache.lucene.search.TaskExecutor;

/**
 * Runs clustering work over a range of indexes, cut into chunks that run on an executor when the
 * work is large enough to pay for the hand-offs. Each chunk writes only its own slots of the
 * result, so results never depend on the executor or on its number of threads.
 *
 * <p>The executor is the one given to {@link IvfVectorsFormat}; without one, merges use Lucene's
 * intra-merge executor ({@link org.apache.lucene.index.MergeState#intraMergeTaskExecutor}) and
 * flushes run on the indexing thread ({@link #SEQUENTIAL}).
 */
final class Chunks {

  /** Everything on the calling thread. */
  static final Chunks SEQUENTIAL = new Chunks(null);

  /** Vectors per chunk of a pass over vectors. */
  static final int VECTORS = 1024;

  /** Work (vector count x centroids x dimensions) below which threads cost more than they save. */
  private static final long PARALLEL_WORK = 1L << 24;

  /** Null: run on the calling thread. */
  private final TaskExecutor executor;

  /**
   * Chunks running on an executor.
   *
   * @param executor the executor, or null to run everything on the calling thread
   */
  Chunks(Executor executor) {
    this.executor = executor == null ? null : new TaskExecutor(executor);
  }

  /** A task over a range of indexes. */
  interface RangeTask {
    void run(int from, int to) throws IOException;
  }

  /** Whether {@link #forEach} with these arguments hands chunks to the executor. */
  boolean parallel(int n, int chunk, long work) {
    return executor != null && work >= PARALLEL_WORK && n > chunk;
  }

  /**
   * Runs a task over [0, n) in chunks of {@code chunk}, on the executor when {@code work} is large
   * enough, else in one piece on the calling thread.
   */
  void forEach(int n, int chunk, long work, RangeTask task) throws IOException {
    if (parallel(n, chunk, work) == false) {
      task.run(0, n);
      return;
    }
    List<Callable<Void>> tasks = new ArrayList<>((n + chunk - 1) / chunk);
    for (int from = 0; from < n; from += chunk) {
      int start = from;
      int end = Math.min(n, from + chunk);
      tasks.add(
          () -> {
            task.run(start, end);
            return null;
          });
    }
    executor.invokeAll(tasks);
  }
}
