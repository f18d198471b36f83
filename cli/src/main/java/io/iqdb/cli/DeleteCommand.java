package io.iqdb.cli;

import io.iqdb.Iqdb;
import io.iqdb.VectorCollection;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code iqdb delete DB COLL ID...}: deletes records. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete records by id. The ids that exist are deleted; exits with 3 if any id did not exist.")
final class DeleteCommand extends CollectionCommand {

  @Parameters(index = "2..*", arity = "1..*", paramLabel = "ID", description = "The record ids.")
  List<String> ids;

  @Override
  int run() {
    List<String> missing = new ArrayList<>();
    try (Iqdb iqdb = openExisting()) {
      VectorCollection c = collection(iqdb, name);
      for (String id : ids) {
        if (!c.delete(id)) {
          missing.add(id);
        }
      }
    }
    out().println("deleted " + (ids.size() - missing.size()) + " of " + ids.size() + " record" + (ids.size() == 1 ? "" : "s"));
    if (!missing.isEmpty()) {
      throw CliException.notFound("no record" + (missing.size() == 1 ? " " : "s ") + quoted(missing) + " in collection '" + name + "'");
    }
    return ExitCode.OK;
  }

  private static String quoted(List<String> ids) {
    List<String> q = new ArrayList<>();
    for (String id : ids.subList(0, Math.min(ids.size(), 10))) {
      q.add("'" + id + "'");
    }
    return String.join(", ", q) + (ids.size() > 10 ? " and " + (ids.size() - 10) + " more" : "");
  }
}
