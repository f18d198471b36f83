package io.iqdb.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The root command: lists the subcommands. */
@Command(
    name = "iqdb",
    mixinStandardHelpOptions = true,
    versionProvider = IqdbCommand.Version.class,
    description = {
      "iQDB: an embedded vector database on Apache Lucene.",
      "Arguments come in the order database, collection, the rest:",
      "  iqdb create DB COLL --dim 16 --metric l2 --index hnsw",
      "  iqdb import DB COLL FILE",
      "  iqdb search DB COLL --id ID -k 3 --filter 'label = 3' --json",
      "Start with 'iqdb demo'; 'iqdb COMMAND --help' explains each command."
    },
    subcommands = {
      DemoCommand.class,
      CreateCommand.class,
      ImportCommand.class,
      SearchCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      ListCommand.class,
      StatsCommand.class,
      CheckCommand.class,
      CompactCommand.class,
      ExportCommand.class,
      DropCommand.class,
      HelpCommand.class
    })
final class IqdbCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    // No subcommand: the usage, and a usage error so that scripts notice.
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** The version line: the build's version and the Java runtime it runs on. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = IqdbCommand.class.getPackage().getImplementationVersion();
      return new String[] {
        "iqdb " + (v == null ? "0.1.0-SNAPSHOT" : v),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
