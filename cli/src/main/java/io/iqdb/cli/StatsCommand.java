package io.iqdb.cli;

import io.iqdb.CollectionStats;
import io.iqdb.Iqdb;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iqdb stats DB [COLL]}: counts and sizes per collection. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Show records, deleted records, segments and sizes of one collection or of all.")
final class StatsCommand extends DbCommand {

  @Parameters(index = "1", arity = "0..1", paramLabel = "COLL", description = "The collection (default: all).")
  String name;

  @Option(names = "--json", description = "Print JSON (one object per collection, in an array).")
  boolean json;

  @Override
  int run() {
    try (Iqdb iqdb = openExisting()) {
      List<String> names = name == null ? iqdb.listCollections() : List.of(collection(iqdb, name).name());
      List<CollectionStats> stats = new ArrayList<>();
      for (String n : names) {
        stats.add(iqdb.collection(n).stats());
      }
      if (json) {
        List<Object> array = new ArrayList<>();
        for (CollectionStats s : stats) {
          array.add(JsonText.object(
              "name", s.name(), "count", s.count(), "deleted", s.deleted(), "segments", s.segments(),
              "indexBytes", s.indexBytes(), "walBytes", s.walBytes(), "dimension", s.config().dimension(),
              "metric", Options.describe(s.config().metric()), "index", Options.describe(s.config().index())));
        }
        out().println(JsonText.write(array));
        return ExitCode.OK;
      }
      Table t = new Table("collection", "records", "deleted", "segments", "index size", "wal size", "dim", "metric", "index");
      for (CollectionStats s : stats) {
        t.row(s.name(), s.count(), s.deleted(), s.segments(), Table.bytes(s.indexBytes()), Table.bytes(s.walBytes()),
            s.config().dimension(), Options.describe(s.config().metric()), Options.describe(s.config().index()));
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
