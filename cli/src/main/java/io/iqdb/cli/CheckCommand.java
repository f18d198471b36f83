package io.iqdb.cli;

import io.iqdb.CollectionStats;
import io.iqdb.CorruptedException;
import io.iqdb.FormatVersionException;
import io.iqdb.Iqdb;
import io.iqdb.StorageException;
import io.iqdb.LockedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code iqdb check DB [COLL]}: integrity of every collection.
 *
 * <p>Opening the database verifies the catalog and recovers each collection, replaying its
 * write-ahead log (recovery fails on corruption inside the synced part of a log). Then {@link
 * Iqdb#check()} runs Lucene's CheckIndex on every collection's index: every file's checksum, then
 * its structures. Problems end the command with {@link ExitCode#CORRUPT}.
 *
 * <p>When the database refuses to open because a collection is corrupt, the command still checks
 * each index directly ({@code DB/collections/NAME/index}, the layout the database documents) so
 * that the report says which collections are damaged and which are intact.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Verify the integrity of every collection (or one). Opening the database verifies the catalog and"
          + " replays the write-ahead logs; then Lucene's CheckIndex verifies every file's checksum and the"
          + " structures of each collection's index.",
      "Exits with 5 if anything is corrupt; --verbose prints CheckIndex's full report."
    })
final class CheckCommand extends DbCommand {

  @Parameters(index = "1", arity = "0..1", paramLabel = "COLL", description = "The collection (default: all).")
  String name;

  @Override
  int run() throws IOException {
    List<Result> results = new ArrayList<>();
    String openProblem = null;
    boolean fallback = false;
    // Verified at open: a damaged collection is then set aside and reported as not opening, as
    // 'check' has always reported it.
    try (Iqdb iqdb = openExisting(true)) {
      List<String> names = name == null ? iqdb.listCollections() : List.of(collection(iqdb, name).name());
      Map<String, String> problems = iqdb.check();
      for (String n : names) {
        String report = problems.get(n);
        CollectionStats s;
        try {
          s = iqdb.collection(n).stats();
        } catch (StorageException e) {
          // The database opened without this collection (it could not be opened): a problem.
          results.add(new Result(n, false, 0, 0, 0, summary(report), report));
          continue;
        }
        results.add(new Result(n, report == null, s.segments(), s.count(), s.indexBytes(),
            report == null ? null : summary(report), report));
      }
    } catch (CorruptedException | FormatVersionException e) {
      openProblem = Main.sentence(e);
      fallback = true;
      err().println("opening the database failed: " + openProblem);
      err().println("checking each collection's index directly ...");
      String badFile = e instanceof CorruptedException c ? c.file() : null;
      for (String n : name != null ? List.of(name) : collectionDirectories()) {
        Path dir = db.resolve("collections").resolve(n);
        Result r = checkIndex(n, dir.resolve("index"));
        if (r.ok && badFile != null && Path.of(badFile).toAbsolutePath().startsWith(dir.toAbsolutePath())) {
          // The index is fine but the file that stopped the open (its write-ahead log, say) is this collection's.
          r = new Result(n, false, r.segments, r.records, r.bytes, openProblem, "");
          openProblem = null;
        }
        results.add(r);
      }
    }
    Table t = new Table("collection", "segments", "records", "size", "result");
    List<Result> bad = new ArrayList<>();
    for (Result r : results) {
      // Without the database open, only the index was checked: say so.
      String shown = r.ok ? (fallback ? "index ok" : "ok") : "CORRUPT: " + r.problem;
      t.row(r.name, r.segments, r.records, Table.bytes(r.bytes), shown.length() > 100 ? shown.substring(0, 97) + "..." : shown);
      if (!r.ok) {
        bad.add(r);
        if (verbose) {
          err().println("CheckIndex report of collection '" + r.name + "':");
          err().println(r.details);
        }
      }
    }
    if (t.size() > 0) {
      t.print(out());
    }
    if (!bad.isEmpty()) {
      throw new CliException(ExitCode.CORRUPT,
          bad.size() + " of " + results.size() + " collection" + (results.size() == 1 ? " is" : "s are")
              + " corrupt; first: collection '" + bad.get(0).name + "': " + bad.get(0).problem);
    }
    if (openProblem != null) {
      throw new CliException(ExitCode.CORRUPT,
          (t.size() > 0 ? "every index checks out, but " : "") + "the database does not open: " + openProblem);
    }
    if (t.size() == 0) {
      out().println("no collections in " + db + "; the catalog is intact");
    } else {
      out().println("all " + results.size() + " collection" + (results.size() == 1 ? "" : "s") + " ok");
    }
    return ExitCode.OK;
  }

  /** The first exception message in a CheckIndex report, as one line. */
  static String summary(String report) {
    for (String line : report.lines().toList()) {
      int at = line.indexOf("Exception: ");
      if (at >= 0) {
        return line.substring(at + "Exception: ".length()).strip();
      }
    }
    for (String line : report.lines().toList()) {
      if (line.contains("ERROR") || line.contains("FAILED")) {
        return line.strip();
      }
    }
    return report.lines().findFirst().orElse("CheckIndex found problems").strip();
  }

  /** The message of the innermost cause that has one: CheckIndex wraps what it caught. */
  static String rootMessage(Throwable t) {
    String message = t.toString();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null) {
        message = c.getMessage();
      }
    }
    return message.replaceAll("\\s*\\R\\s*", " ").strip();
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

  private record Result(String name, boolean ok, int segments, long records, long bytes, String problem, String details) {}

  private Result checkIndex(String collection, Path indexDir) throws IOException {
    if (!Files.isDirectory(indexDir)) {
      return new Result(collection, false, 0, 0, 0, "index directory " + indexDir + " is missing", "");
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Directory dir = FSDirectory.open(indexDir);
        CheckIndex checker = new CheckIndex(dir);
        PrintStream info = new PrintStream(log, true, StandardCharsets.UTF_8)) {
      checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
      checker.setInfoStream(info, verbose);
      CheckIndex.Status status = checker.checkIndex();
      long docs = 0;
      double mb = 0;
      String problem = null;
      for (CheckIndex.Status.SegmentInfoStatus s : status.segmentInfos) {
        docs += s.maxDoc;
        mb += s.sizeMB;
        if (s.error != null && problem == null) {
          problem = "segment " + s.name + ": " + rootMessage(s.error);
        }
      }
      if (!status.clean && problem == null) {
        problem = status.missingSegments
            ? "cannot read the commit point (segments_N)"
            : status.toolOutOfDate ? "written by a newer Lucene than this tool" : status.numBadSegments + " bad segments";
      }
      return new Result(collection, status.clean, status.numSegments, docs, (long) (mb * 1024 * 1024), problem,
          log.toString(StandardCharsets.UTF_8));
    } catch (LockObtainFailedException e) {
      throw new LockedException("the index " + indexDir + " is in use by another process; close it before checking", e);
    }
  }
}
