package io.iqdb.cli;

import io.iqdb.Iqdb;
import picocli.CommandLine.Command;

/** {@code iqdb list DB}: the collection names, one per line. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the collections of a database, one name per line ('stats' shows details).")
final class ListCommand extends DbCommand {
  @Override
  int run() {
    try (Iqdb iqdb = openExisting()) {
      iqdb.listCollections().forEach(out()::println);
    }
    return ExitCode.OK;
  }
}
