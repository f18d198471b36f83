package io.iqdb.bench.ann;

import org.apache.lucene.util.IOUtils;
import io.iqdb.bench.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A Java {@link AnnSystem} as a contender: heap-metered build in its own directory. */
final class JavaContender implements Contender {

  private final AnnSystem system;
  private final Dataset dataset;
  private final SearchRunner runner;
  private final Path workDir;

  JavaContender(AnnSystem system, Dataset dataset, SearchRunner runner, Path workDir) {
    this.system = system;
    this.dataset = dataset;
    this.runner = runner;
    this.workDir = workDir;
  }

  @Override
  public String name() {
    return system.name();
  }

  @Override
  public BuildInfo build() throws Exception {
    IOUtils.rm(workDir);
    Files.createDirectories(workDir);
    double seconds;
    long peak;
    long retained;
    try (HeapMeter meter = HeapMeter.start()) {
      long t0 = System.nanoTime();
      system.build(dataset, workDir);
      seconds = (System.nanoTime() - t0) / 1e9;
      peak = meter.peakBytes();
      retained = meter.retainedBytes();
    }
    long disk = system.sizeOnDisk();
    return new BuildInfo(system.parameterName(), system.sweep(), system.description(), seconds,
        system.buildThreads(), disk < 0 ? -1 : mb(disk), mb(peak), mb(retained));
  }

  @Override
  public SearchRunner.Point measure(int value) throws Exception {
    return runner.measure(system, value);
  }

  @Override
  public void close() throws IOException {
    try {
      system.close();
    } finally {
      IOUtils.rm(workDir);
    }
  }

  static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

}
