package io.iqdb.cli;

import io.iqdb.CorruptedException;
import io.iqdb.FormatVersionException;
import io.iqdb.Iqdb;
import io.iqdb.LockedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iqdb check DB [COLL]}: integrity of every collection.
 *
 * <p>Two steps. Opening the database reads and verifies the catalog and replays each collection's
 * write-ahead log, which fails on a checksum error inside the synced part of a log. After closing it
 * (Lucene's CheckIndex needs the index's write lock), Lucene's {@link CheckIndex} verifies every
 * segment of every collection's index: checksums of every file, then the structures, including the
 * vector formats' own checks. Problems end the command with {@link ExitCode#CORRUPT}.
 *
 * <p>This reads the on-disk layout, {@code DB/collections/NAME/index}, which the database owns; a
 * public {@code Iqdb#check()} in the core would let it stop doing so (see the CLI README).
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Verify the integrity of every collection (or one): the catalog and write-ahead logs are read and"
          + " replayed by opening the database, then Lucene's CheckIndex verifies each index's checksums and structures.",
      "Exits with 5 if anything is corrupt. The database must not be open in another process."
    })
final class CheckCommand extends DbCommand {

  @Parameters(index = "1", arity = "0..1", paramLabel = "COLL", description = "The collection (default: all).")
  String name;

  @Option(names = "--slow", description = "Also run Lucene's slow checks (cross-checks of postings, doc values and vectors).")
  boolean slow;

  @Override
  int run() throws IOException {
    List<String> names;
    String openProblem = null;
    try (Iqdb iqdb = openExisting()) {
      names = name == null ? iqdb.listCollections() : List.of(collection(iqdb, name).name());
    } catch (CorruptedException | FormatVersionException e) {
      // The database refuses to open with a corrupt collection; check each index anyway, so the
      // report says which collections are damaged and which are intact.
      openProblem = Main.sentence(e);
      err().println("opening the database failed: " + openProblem);
      names = name != null ? List.of(name) : collectionDirectories();
    }
    Table t = new Table("collection", "segments", "documents", "size", "result");
    int bad = 0;
    String firstProblem = null;
    for (String n : names) {
      Result r = checkIndex(db.resolve("collections").resolve(n).resolve("index"));
      t.row(n, r.segments, r.documents, Table.bytes(r.bytes), r.ok ? "ok" : "CORRUPT: " + r.problem);
      if (!r.ok) {
        bad++;
        firstProblem = firstProblem == null ? "collection '" + n + "': " + r.problem : firstProblem;
        if (verbose) {
          err().println(r.details);
        }
      }
    }
    if (t.size() > 0) {
      t.print(out());
    }
    if (bad == 0 && openProblem != null) {
      throw new CliException(ExitCode.CORRUPT,
          (t.size() > 0 ? "every index checks out, but " : "") + "the database does not open: " + openProblem);
    }
    if (t.size() == 0) {
      out().println("no collections in " + db + "; the catalog is intact");
      return ExitCode.OK;
    }
    if (bad > 0) {
      throw new CliException(ExitCode.CORRUPT,
          bad + " of " + names.size() + " collection" + (names.size() == 1 ? " is" : "s are") + " corrupt; first: " + firstProblem);
    }
    out().println("all " + names.size() + " collection" + (names.size() == 1 ? "" : "s") + " ok");
    return ExitCode.OK;
  }

  private List<String> collectionDirectories() throws IOException {
    Path dir = db.resolve("collections");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private record Result(boolean ok, int segments, long documents, long bytes, String problem, String details) {}

  private Result checkIndex(Path indexDir) throws IOException {
    if (!Files.isDirectory(indexDir)) {
      return new Result(false, 0, 0, 0, "index directory " + indexDir + " is missing", "");
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Directory dir = FSDirectory.open(indexDir);
        CheckIndex checker = new CheckIndex(dir);
        PrintStream info = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      checker.setLevel(slow ? CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS : CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
      checker.setInfoStream(info, verbose);
      CheckIndex.Status status = checker.checkIndex();
      long docs = 0;
      double mb = 0;
      String problem = null;
      for (CheckIndex.Status.SegmentInfoStatus s : status.segmentInfos) {
        docs += s.maxDoc;
        mb += s.sizeMB;
        if (s.error != null && problem == null) {
          problem = "segment " + s.name + ": " + Main.sentence(s.error);
        }
      }
      if (!status.clean && problem == null) {
        problem = status.missingSegments
            ? "cannot read the commit point (segments_N)"
            : status.toolOutOfDate ? "written by a newer Lucene than this tool" : status.numBadSegments + " bad segments";
      }
      return new Result(status.clean, status.numSegments, docs, (long) (mb * 1024 * 1024), problem,
          log.toString(StandardCharsets.UTF_8));
    } catch (LockObtainFailedException e) {
      throw new LockedException("the index " + indexDir + " is in use by another process; close it before checking", e);
    }
  }
}
