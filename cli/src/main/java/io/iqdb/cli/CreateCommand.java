package io.iqdb.cli;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code iqdb create DB COLL --dim N}: creates a collection (and the database if missing). */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = {
      "Create a collection, and the database directory if it does not exist.",
      "Example: iqdb create my.iqdb docs --dim 384 --metric cosine --index hnsw"
    })
final class CreateCommand extends CollectionCommand {

  @Option(names = "--dim", required = true, paramLabel = "N", description = "Vector dimension, 1..4096.")
  int dimension;

  @Option(
      names = "--metric",
      paramLabel = "METRIC",
      converter = Options.MetricConverter.class,
      description = "cosine (default), l2, dot (unit vectors) or mip (maximum inner product).")
  Metric metric = Metric.COSINE;

  @Option(names = "--index", paramLabel = "KIND", description = "flat, hnsw (default) or ivf.")
  Options.IndexKind index = Options.IndexKind.hnsw;

  @Option(names = "--m", paramLabel = "M", description = "HNSW: neighbours per node (default 16).")
  Integer m;

  @Option(names = "--beam-width", paramLabel = "N", description = "HNSW: build beam width (default 100).")
  Integer beamWidth;

  @Option(names = "--lists", paramLabel = "N", description = "IVF: lists per segment (default: from the segment size).")
  Integer lists;

  @Option(
      names = "--quantization",
      paramLabel = "Q",
      converter = Options.QuantizationConverter.class,
      description = "none, int8, int7, int4 or bit1 (default: none; int8 for --index ivf).")
  Quantization quantization;

  @Option(
      names = "--durability",
      paramLabel = "D",
      converter = Options.DurabilityConverter.class,
      description = "sync (default: fsync per write), async:INTERVAL (e.g. async:200ms) or none (durable at flush).")
  Durability durability;

  @Override
  int run() {
    CollectionConfig config =
        CollectionConfig.builder(dimension, metric)
            .index(Options.indexSpec(index, m, beamWidth, lists, quantization))
            .durability(durability)
            .build();
    try (Iqdb iqdb = openOrCreate()) {
      iqdb.createCollection(name, config);
    }
    out().println(
        "created collection '" + name + "' in " + db + ": dim=" + dimension + " metric="
            + Options.describe(metric) + " index=" + Options.describe(config.index()));
    return ExitCode.OK;
  }
}
