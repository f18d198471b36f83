package io.iqdb.cli;

import io.iqdb.CollectionConfig;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Quantization;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.lucene.util.IOUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iqdb import DB COLL FILE}: reads the file twice, streaming, with memory bounded by a batch
 * whatever the file's size. The first pass checks every record (and, for a collection that has
 * records, copies those the import will replace to a temporary JSON Lines file); only if all are
 * good does the second pass upsert them in batches. If a batch fails, what was written is undone:
 * a collection the import created is dropped; otherwise the ids written are deleted (a third pass
 * over the file) and the replaced records are put back from the temporary file. Either way a failed
 * import leaves the database as it was.
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
          + " Then a second pass writes it. If writing fails part way, what was written is undone."
          + " Memory stays bounded: records are streamed, never all held.",
      "Progress is drawn when standard error is a terminal: the records checked so far and their rate,"
          + " then a bar with rate and ETA while writing.",
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
    Path tmp = null;
    try {
      // The input is read more than once: standard input goes through a temporary file.
      if (stdin) {
        try {
          tmp = Files.createTempFile("iqdb-import-", "." + f);
          Files.copy(System.in, tmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
          throw new CliException(ExitCode.IO_ERROR, "cannot read standard input: " + e.getMessage(), e);
        }
      }
      Path input = stdin ? tmp : file;
      try (Iqdb iqdb = create ? openOrCreate() : openExisting()) {
        importInto(iqdb, f, input, start);
      } catch (RuntimeException | IOException e) {
        if (newDatabase) {
          // The database was made for this import, which failed: leave no empty database behind.
          try {
            IOUtils.rm(db);
          } catch (IOException cleanup) {
            e.addSuppressed(cleanup);
          }
        }
        throw e;
      }
    } catch (CliException e) {
      if (tmp == null) {
        throw e;
      }
      // Name standard input, not the temporary file, in the message.
      throw new CliException(e.exitCode(), e.getMessage().replace(tmp.toString(), "<stdin>"), e);
    } catch (IOException e) {
      // the first pass's temporary undo file
      throw new CliException(ExitCode.IO_ERROR, "import failed: " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
    }
    return ExitCode.OK;
  }

  /** The input's name in messages. */
  private String source() {
    return file.toString().equals("-") ? "<stdin>" : file.toString();
  }

  private static void deleteQuietly(Path tmp) {
    if (tmp != null) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a leftover temporary file is harmless
      }
    }
  }

  private boolean drawProgress() {
    return progress != null ? progress : Progress.onTerminal();
  }

  /** Streams the input's records, at most {@code --limit} of them. */
  private void read(RecordReaders.Format f, Path input, Integer dimension, RecordReaders.Sink sink) {
    long[] n = {0};
    RecordReaders.read(input, f, idStart, labels, dimension, r -> {
      if (limit != null && n[0] >= limit) {
        return false;
      }
      n[0]++;
      return sink.accept(r);
    });
  }

  private void importInto(Iqdb iqdb, RecordReaders.Format f, Path input, long start) throws IOException {
    VectorCollection existing = iqdb.findCollection(name).orElse(null);
    if (existing == null && !create) {
      throw CliException.notFound(noSuchCollection(iqdb, name).getMessage() + "; add --create to create it");
    }
    Integer dimension = existing == null ? null : existing.config().dimension();
    Path undoFile = null;
    try {
      // First pass: check everything, and keep a copy of every record the import will replace.
      boolean keepReplaced = existing != null && existing.count() > 0;
      undoFile = keepReplaced ? Files.createTempFile("iqdb-import-undo-", ".jsonl") : null;
      Checked checked = check(f, input, dimension, existing, undoFile);
      VectorCollection c = existing != null ? existing : iqdb.createCollection(name, checked.config);
      long written;
      try {
        written = write(c, f, input, dimension, checked.count, existing == null, undoFile);
      } catch (CliException e) {
        if (existing == null) {
          // We created it for this import: leave the database as it was, without it.
          iqdb.dropCollection(name);
        }
        throw e;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out().println(String.format(Locale.ROOT,
          "imported %,d records into '%s' from %s in %.1f s (%,.0f records/s); it now has %,d",
          written, name, source(), seconds, written / Math.max(seconds, 1e-9), c.count()));
    } finally {
      deleteQuietly(undoFile);
    }
  }

  /** What the first pass found: the record count and the collection's configuration. */
  private record Checked(long count, CollectionConfig config) {}

  private Checked check(RecordReaders.Format f, Path input, Integer dimension, VectorCollection existing,
      Path undoFile) throws IOException {
    long[] count = {0};
    CollectionConfig[] config = {existing == null ? null : existing.config()};
    ImportValidator[] validator = {existing == null ? null : new ImportValidator(config[0], name, source())};
    // The pass counts the records, so it cannot know their total: its bar shows the count and rate.
    Progress bar = new Progress(err(), drawProgress(), "checking", Progress.UNKNOWN, System.nanoTime());
    try (PrintWriter replaced = undoFile == null ? null
        : new PrintWriter(Files.newBufferedWriter(undoFile, java.nio.charset.StandardCharsets.UTF_8))) {
      read(f, input, dimension, r -> {
        if (validator[0] == null) {
          // A new collection takes the first record's dimension.
          config[0] = CollectionConfig.builder(r.vector().length, metric)
              .index(Options.indexSpec(index, null, null, null, quantization))
              .build();
          validator[0] = new ImportValidator(config[0], name, source());
        }
        validator[0].check(r);
        if (replaced != null) {
          existing.get(r.id()).ifPresent(old -> replaced.println(ExportCommand.jsonLine(old)));
        }
        count[0]++;
        bar.update(count[0]);
        return true;
      });
      if (replaced != null && replaced.checkError()) {
        throw new IOException("cannot write the undo file " + undoFile);
      }
    } finally {
      bar.finish(count[0]); // ends the bar's line before an error message too
    }
    if (count[0] == 0) {
      throw CliException.badInput(source() + " holds no records");
    }
    return new Checked(count[0], config[0]);
  }

  /** Second pass: upserts the records in batches; undoes what was written if a batch fails. */
  private long write(VectorCollection c, RecordReaders.Format f, Path input, Integer dimension, long total,
      boolean created, Path undoFile) {
    Progress bar = new Progress(err(), drawProgress(), "importing", total, System.nanoTime());
    List<InputRecord> chunk = new ArrayList<>(batchSize);
    long[] written = {0};
    Runnable flush = () -> {
      try {
        List<VectorRecord> batch = new ArrayList<>(chunk.size());
        for (InputRecord r : chunk) {
          batch.add(r.toRecord());
        }
        c.upsertAll(batch);
      } catch (RuntimeException e) {
        bar.finish(written[0]);
        String rollback = created
            ? "nothing was imported (the collection made for it is dropped)"
            : undo(c, f, input, dimension, written[0] + chunk.size(), undoFile);
        String where = locate(chunk, Main.sentence(e));
        throw new CliException(ExitCode.of(e), source() + ": " + where + ": " + Main.sentence(e) + "; " + rollback, e);
      }
      written[0] += chunk.size();
      chunk.clear();
      bar.update(written[0]);
    };
    read(f, input, dimension, r -> {
      chunk.add(r);
      if (chunk.size() == batchSize) {
        flush.run();
      }
      return true;
    });
    if (!chunk.isEmpty()) {
      flush.run();
    }
    bar.finish(written[0]);
    return written[0];
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

  /**
   * Takes back the first {@code attempted} records of the input: deletes their ids, then puts back
   * the records they replaced, both in batches. (A collection the import created is dropped
   * instead.)
   */
  private String undo(VectorCollection c, RecordReaders.Format f, Path input, Integer dimension, long attempted,
      Path undoFile) {
    try {
      List<String> ids = new ArrayList<>(batchSize);
      long[] seen = {0};
      read(f, input, dimension, r -> {
        ids.add(r.id());
        if (ids.size() == batchSize) {
          c.deleteAll(ids);
          ids.clear();
        }
        return ++seen[0] < attempted;
      });
      if (!ids.isEmpty()) {
        c.deleteAll(ids);
      }
      if (undoFile != null) {
        List<VectorRecord> originals = new ArrayList<>(batchSize);
        RecordReaders.readJsonLines(undoFile, 0, r -> {
          originals.add(r.toRecord());
          if (originals.size() == batchSize) {
            c.upsertAll(originals);
            originals.clear();
          }
          return true;
        });
        if (!originals.isEmpty()) {
          c.upsertAll(originals);
        }
      }
      return "nothing was imported (the collection is as it was)";
    } catch (RuntimeException | IOException e) {
      return "undoing the import failed too (" + Main.sentence(e) + "), so the collection may hold part of it";
    }
  }
}
