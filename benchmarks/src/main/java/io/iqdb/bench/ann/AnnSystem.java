package io.iqdb.bench.ann;

import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One approximate-nearest-neighbour system under test in the harness: it builds an index over a
 * dataset once, then answers queries at each value of its search parameter.
 *
 * <p>Ids are positions in {@link Dataset#train()}. {@link #search} must be safe to call from
 * several threads at once (the harness measures throughput with all cores).
 */
public interface AnnSystem extends AutoCloseable {

  /**
   * Returns the system's name as it appears in results, e.g. {@code lucene-hnsw}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the name of the swept search parameter, e.g. {@code ef} or {@code probes}.
   *
   * @return the parameter name ({@code -} if the system has none)
   */
  String parameterName();

  /**
   * Returns the values of the search parameter to measure, in increasing cost.
   *
   * @return the values
   */
  List<Integer> sweep();

  /**
   * Returns the number of threads the build uses, reported beside the build time.
   *
   * @return the thread count
   */
  int buildThreads();

  /**
   * Builds the index over the dataset's vectors.
   *
   * @param dataset the dataset
   * @param workDir an empty directory the system may write its index into
   * @throws Exception if the build fails; the harness records the message and goes on
   */
  void build(Dataset dataset, Path workDir) throws Exception;

  /**
   * Returns the ids of the approximate {@code k} nearest vectors, nearest first.
   *
   * @param query the query vector
   * @param k the number of neighbours
   * @param parameter the value of the search parameter
   * @return up to {@code k} ids
   * @throws Exception if the search fails
   */
  int[] search(float[] query, int k, int parameter) throws Exception;

  /**
   * Returns the bytes the built index occupies on disk, or -1 if it lives only in memory.
   *
   * @return the size in bytes, or -1
   * @throws IOException if the size cannot be read
   */
  long sizeOnDisk() throws IOException;

  /**
   * Returns a note on how the system was configured, for the report.
   *
   * @return a short description
   */
  String description();

  /**
   * Releases the index and its files' handles.
   *
   * @throws IOException if closing fails
   */
  @Override
  void close() throws IOException;
}
