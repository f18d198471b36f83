package io.iqdb.cli;

import io.iqdb.Iqdb;
import io.iqdb.VectorCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Parameters;

/** A subcommand whose first argument is the database directory. */
abstract class DbCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "DB", description = "The database directory.")
  Path db;

  /** Opens the database, which must exist: a command that only reads never creates one. */
  Iqdb openExisting() {
    return openExisting(false);
  }

  /**
   * Opens the database, which must exist.
   *
   * @param verify whether to verify every index file's checksum at open ({@code check}), rather
   *     than in the background after open
   */
  Iqdb openExisting(boolean verify) {
    if (!Files.isDirectory(db)) {
      throw CliException.notFound("no database at " + db + " (create one with 'iqdb create')");
    }
    return Iqdb.builder().path(db).createIfMissing(false).verifyChecksumsOnOpen(verify).open();
  }

  /** Opens the database, creating it if the directory is missing or empty. */
  Iqdb openOrCreate() {
    return Iqdb.open(db);
  }

  /** The named collection, or a not-found error that lists the collections there are. */
  VectorCollection collection(Iqdb iqdb, String name) {
    return iqdb.findCollection(name).orElseThrow(() -> noSuchCollection(iqdb, name));
  }

  CliException noSuchCollection(Iqdb iqdb, String name) {
    List<String> names = iqdb.listCollections();
    return CliException.notFound(
        "no collection '" + name + "' in " + db
            + (names.isEmpty() ? " (it has no collections)" : " (collections: " + String.join(", ", names) + ")"));
  }
}
