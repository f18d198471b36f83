package io.iqdb.cli;

import io.iqdb.CollectionConfig;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iqdb import DB COLL FILE}: reads and validates the whole file, then upserts it in batches.
 * If a batch fails, the batches already written are undone (new ids deleted, replaced records put
 * back), so a failed import leaves the collection as it was.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import records from a file into a collection.",
      "Formats (by extension, or --format): .fvecs .ivecs .bvecs .npy (float32/float64, 2-d),"
          + " .jsonl ({\"id\": ..., \"vector\": [...], \"payload\": {...}} per line), .csv/.tsv,"
          + " and (Fashion-)MNIST idx files (*-images-idx3-ubyte[.gz]; labels beside them become payload 'label').",
      "The whole file is read and checked first: a bad line is reported by number and nothing is written."
          + " If writing fails part way, what was written is undone.",
      "A progress bar with rate and ETA is drawn when standard error is a terminal.",
      "Example: iqdb import my.iqdb fashion /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz --create --metric l2"
    })
final class ImportCommand extends CollectionCommand {

  @Parameters(index = "2", paramLabel = "FILE", description = "The file to import; '-' reads standard input (give --format).")
  Path file;

  @Option(names = "--format", paramLabel = "FMT", description = "fvecs, ivecs, bvecs, npy, jsonl, csv, tsv or idx (default: from the file name).")
  RecordReaders.Format format;

  @Option(names = "--id-start", paramLabel = "N", description = "First id for formats without ids (default 0): records get ids N, N+1, ...")
  long idStart;

  @Option(names = "--labels", paramLabel = "FILE", description = "idx: the idx1 labels file (default: the *-labels-idx1-* file beside the images).")
  Path labels;

  @Option(names = "--limit", paramLabel = "N", description = "Import only the first N records.")
  Integer limit;

  @Option(names = "--batch-size", paramLabel = "N", description = "Records per write batch (default 1000).")
  int batchSize = 1000;

  @Option(names = "--create", description = "Create the collection (and database) if missing, with the file's dimension.")
  boolean create;

  @Option(names = "--metric", paramLabel = "METRIC", converter = Options.MetricConverter.class,
      description = "With --create: cosine (default), l2, dot or mip.")
  Metric metric = Metric.COSINE;

  @Option(names = "--index", paramLabel = "KIND", description = "With --create: flat, hnsw (default) or ivf.")
  Options.IndexKind index = Options.IndexKind.hnsw;

  @Option(names = "--quantization", paramLabel = "Q", converter = Options.QuantizationConverter.class,
      description = "With --create: none, int8, int7, int4 or bit1 (default: none; int8 for --index ivf).")
  Quantization quantization;

  @Option(names = "--progress", negatable = true,
      description = "Draw the progress bar (default: only when standard error is a terminal).")
  Boolean progress;

  @Override
  int run() {
    if (batchSize < 1) {
      throw new CliException(ExitCode.USAGE, "--batch-size must be positive; got " + batchSize);
    }
    if (limit != null && limit < 1) {
      throw new CliException(ExitCode.USAGE, "--limit must be positive; got " + limit);
    }
    long start = System.nanoTime();
    boolean stdin = file.toString().equals("-");
    if (stdin && format == null) {
      throw new CliException(ExitCode.USAGE, "reading standard input ('-') needs --format");
    }
    RecordReaders.Format f = format != null ? format : RecordReaders.detect(file);
    boolean newDatabase = create && !Files.exists(db);
    try (Iqdb iqdb = create ? openOrCreate() : openExisting()) {
      importInto(iqdb, f, start);
    } catch (RuntimeException e) {
      if (newDatabase) {
        // The database was made for this import, which failed: leave no empty database behind.
        try {
          DemoCommand.deleteTree(db);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
    return ExitCode.OK;
  }

  private void importInto(Iqdb iqdb, RecordReaders.Format f, long start) {
    VectorCollection existing = iqdb.findCollection(name).orElse(null);
    if (existing == null && !create) {
      throw CliException.notFound(noSuchCollection(iqdb, name).getMessage() + "; add --create to create it");
    }
    if (progress != null ? progress : Progress.onTerminal()) {
      err().println("reading and checking " + file + " ...");
      err().flush();
    }
    List<InputRecord> records = read(f, existing == null ? null : existing.config().dimension());
    if (limit != null && records.size() > limit) {
      records = records.subList(0, limit);
    }
    if (records.isEmpty()) {
      throw CliException.badInput(source() + " holds no records");
    }
    CollectionConfig config = existing != null
        ? existing.config()
        : CollectionConfig.builder(records.get(0).vector().length, metric)
            .index(Options.indexSpec(index, null, null, null, quantization))
            .build();
    ImportValidator.validate(records, config, name, source());
    VectorCollection c = existing != null ? existing : iqdb.createCollection(name, config);
    try {
      write(c, records, existing == null);
    } catch (CliException e) {
      if (existing == null) {
        // We created it for this import: leave the database as it was, without it.
        iqdb.dropCollection(name);
      }
      throw e;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    out().println(String.format(Locale.ROOT, "imported %,d records into '%s' from %s in %.1f s (%,.0f records/s); it now has %,d",
        records.size(), name, source(), seconds, records.size() / Math.max(seconds, 1e-9), c.count()));
  }

  /** The input's name in messages. */
  private String source() {
    return file.toString().equals("-") ? "<stdin>" : file.toString();
  }

  /**
   * Reads the file, or standard input through a temporary file (the readers want a path: the binary
   * formats read it twice, and the whole input is checked before anything is written anyway).
   */
  private List<InputRecord> read(RecordReaders.Format f, Integer dimension) {
    if (!file.toString().equals("-")) {
      return RecordReaders.read(file, f, idStart, labels, dimension);
    }
    Path tmp = null;
    try {
      tmp = Files.createTempFile("iqdb-import-", "." + f);
      Files.copy(System.in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return RecordReaders.read(tmp, f, idStart, labels, dimension);
    } catch (CliException e) {
      // Name standard input, not the temporary file, in the message.
      throw new CliException(e.exitCode(), e.getMessage().replace(tmp.toString(), "<stdin>"), e);
    } catch (IOException e) {
      throw new CliException(ExitCode.IO_ERROR, "cannot read standard input: " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a leftover temporary file is harmless
        }
      }
    }
  }

  private void write(VectorCollection c, List<InputRecord> records, boolean fresh) {
    boolean draw = progress != null ? progress : Progress.onTerminal();
    Progress bar = new Progress(err(), draw, "importing", records.size(), System.nanoTime());
    Undo undo = new Undo(c, fresh || c.count() == 0);
    for (int from = 0; from < records.size(); from += batchSize) {
      List<InputRecord> chunk = records.subList(from, Math.min(records.size(), from + batchSize));
      List<VectorRecord> batch = new ArrayList<>(chunk.size());
      try {
        for (InputRecord r : chunk) {
          undo.remember(r.id());
          batch.add(r.toRecord());
        }
        c.upsertAll(batch);
      } catch (RuntimeException e) {
        bar.finish(from);
        String rollback = undo.run();
        String where = locate(chunk, Main.sentence(e));
        throw new CliException(ExitCode.of(e), source() + ": " + where + ": " + Main.sentence(e) + "; " + rollback, e);
      }
      bar.update(from + chunk.size());
    }
    bar.finish(records.size());
  }

  /**
   * Where in the input the record that the database refused is. Its messages name the record as
   * {@code 'id'}; when no id of the batch appears quoted, the whole batch's range is given.
   */
  static String locate(List<InputRecord> chunk, String message) {
    if (chunk.size() == 1) {
      return chunk.get(0).where();
    }
    for (InputRecord r : chunk) {
      if (message.contains("'" + r.id() + "'")) {
        return r.where();
      }
    }
    return "the batch from " + chunk.get(0).where() + " to " + chunk.get(chunk.size() - 1).where();
  }

  /** What to do to take back the batches written so far. */
  private static final class Undo {
    private final VectorCollection c;
    private final boolean wasEmpty;
    private final Set<String> seen = new HashSet<>();
    private final List<String> added = new ArrayList<>();
    private final List<VectorRecord> replaced = new ArrayList<>();

    Undo(VectorCollection c, boolean wasEmpty) {
      this.c = c;
      this.wasEmpty = wasEmpty;
    }

    void remember(String id) {
      if (!seen.add(id)) {
        return;
      }
      if (wasEmpty) {
        added.add(id);
      } else {
        c.get(id).ifPresentOrElse(replaced::add, () -> added.add(id));
      }
    }

    String run() {
      try {
        if (!added.isEmpty()) {
          c.deleteAll(added);
        }
        for (int i = 0; i < replaced.size(); i += 1000) {
          c.upsertAll(replaced.subList(i, Math.min(replaced.size(), i + 1000)));
        }
        return "nothing was imported (the collection is as it was)";
      } catch (RuntimeException e) {
        return "undoing the import failed too (" + Main.sentence(e) + "), so the collection may hold part of it";
      }
    }
  }
}
