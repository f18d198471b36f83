package io.iqdb.cli;

import io.iqdb.CollectionStats;
import io.iqdb.Iqdb;
import io.iqdb.VectorCollection;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iqdb compact DB [COLL]}: merges segments and reclaims deleted space. */
@Command(
    name = "compact",
    mixinStandardHelpOptions = true,
    description = "Merge segments and reclaim the space of deleted records, in one collection or all, then commit.")
final class CompactCommand extends DbCommand {

  @Parameters(index = "1", arity = "0..1", paramLabel = "COLL", description = "The collection (default: all).")
  String name;

  @Option(names = "--max-segments", paramLabel = "N", description = "Merge down to at most N segments (default 1).")
  int maxSegments = 1;

  @Override
  int run() {
    if (maxSegments < 1) {
      throw new CliException(ExitCode.USAGE, "--max-segments must be positive; got " + maxSegments);
    }
    try (Iqdb iqdb = openExisting()) {
      List<String> names = name == null ? iqdb.listCollections() : List.of(collection(iqdb, name).name());
      Table t = new Table("collection", "segments", "deleted", "index size", "time");
      for (String n : names) {
        VectorCollection c = iqdb.collection(n);
        CollectionStats before = c.stats();
        long start = System.nanoTime();
        c.compact(maxSegments);
        CollectionStats after = c.stats();
        t.row(n, before.segments() + " -> " + after.segments(), before.deleted() + " -> " + after.deleted(),
            Table.bytes(before.indexBytes()) + " -> " + Table.bytes(after.indexBytes()),
            String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9));
      }
      if (t.size() == 0) {
        out().println("no collections in " + db);
      } else {
        t.print(out());
      }
    }
    return ExitCode.OK;
  }
}
