package io.iqdb.cli;

import io.iqdb.bench.AnnHarness;
import io.iqdb.bench.HarnessOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code iqdb bench [OPTIONS]}: the ANN harness of the benchmarks module, which compares iQDB with
 * Lucene HNSW, JVector, FAISS and hnswlib on one dataset. Options are passed to the harness as they
 * are; its option list is the footer of {@code iqdb bench --help}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Run the ANN benchmark harness: iQDB and its peers on one dataset, against one exact ground truth;"
          + " reports go to benchmarks/results/<dataset>/.",
      "Every option below the harness's usage line is passed to it, e.g.",
      "  iqdb bench --dataset fashion-mnist --systems java --queries 1000",
      "A full run takes a long time; start small."
    })
final class BenchCommand extends BaseCommand {

  @Unmatched List<String> harnessArgs = new ArrayList<>();

  /** The harness's own option list, shown under this command's help. */
  static String harnessUsage() {
    return "%nHarness options:%n" + HarnessOptions.USAGE.replace("%", "%%");
  }

  @Override
  int run() throws Exception {
    HarnessOptions options;
    try {
      options = HarnessOptions.parse(harnessArgs.toArray(new String[0]));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, e.getMessage() + " (see 'iqdb bench --help')");
    }
    AnnHarness.run(options);
    return ExitCode.OK;
  }
}
