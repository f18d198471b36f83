package io.iqdb.cli;

import io.iqdb.Iqdb;
import picocli.CommandLine.Command;

/** {@code iqdb drop DB COLL}: deletes a collection and its files. */
@Command(
    name = "drop",
    mixinStandardHelpOptions = true,
    description = "Delete a collection and its files. There is no undo.")
final class DropCommand extends CollectionCommand {
  @Override
  int run() {
    try (Iqdb iqdb = openExisting()) {
      if (!iqdb.dropCollection(name)) {
        throw noSuchCollection(iqdb, name);
      }
    }
    out().println("dropped collection '" + name + "'");
    return ExitCode.OK;
  }
}
