package io.iqdb.bench.ann;

import java.util.List;

/** One system in a {@link Comparison}: built once, then measured at each sweep value, in rounds. */
interface Contender extends AutoCloseable {

  /** What a build produced and how the system is searched. */
  record BuildInfo(String parameter, List<Integer> sweep, String description, double seconds, int threads,
      double diskMb, double peakMb, double retainedMb) {}

  String name();

  BuildInfo build() throws Exception;

  SearchRunner.Point measure(int value) throws Exception;

  @Override
  void close() throws java.io.IOException;
}
