package io.iqdb.cli;

import picocli.CommandLine.Parameters;

/** A subcommand whose arguments are a database directory, then a collection name. */
abstract class CollectionCommand extends DbCommand {

  @Parameters(index = "1", paramLabel = "COLL", description = "The collection name.")
  String name;
}
