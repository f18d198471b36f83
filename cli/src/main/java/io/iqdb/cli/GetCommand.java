package io.iqdb.cli;

import io.iqdb.Iqdb;
import io.iqdb.VectorRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code iqdb get DB COLL ID}: prints one record. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "Print a record: its id, payload and vector. Exits with 3 if there is no such record.")
final class GetCommand extends CollectionCommand {

  @Parameters(index = "2", paramLabel = "ID", description = "The record id.")
  String id;

  @Option(names = "--json", description = "Print the record as one JSON object, as 'export' writes it.")
  boolean json;

  @Override
  int run() {
    try (Iqdb iqdb = openExisting()) {
      VectorRecord r = collection(iqdb, name).get(id)
          .orElseThrow(() -> CliException.notFound("no record '" + id + "' in collection '" + name + "'"));
      if (json) {
        out().println(ExportCommand.jsonLine(r));
      } else {
        out().println("id:       " + r.id());
        out().println("payload:  " + JsonText.write(r.payload().asMap()));
        out().println("vector:   " + JsonText.write(r.vector()) + " (" + r.vector().length + " dimensions)");
      }
    }
    return ExitCode.OK;
  }
}
