package io.iqdb.cli;

import io.iqdb.Iqdb;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iqdb export DB COLL [FILE]}: writes every record, as JSON Lines by default, or as an
 * OpenSearch bulk request for the iQDB plugin ({@code --format opensearch}).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write every record of a collection to a file or to standard output, in no particular order.",
      "jsonl (default) and csv keep ids and payloads and re-import as they are; fvecs keeps only the vectors.",
      "opensearch writes an OpenSearch bulk request (NDJSON: an index action, then the document: the vector"
          + " under --vector-field and the payload fields beside it); --mapping writes the body that creates"
          + " the index for it with the iQDB plugin (iqdb_vector field of the collection's dimension, metric,"
          + " index and quantization; strings as keywords)."
    })
final class ExportCommand extends CollectionCommand {

  /** Export formats. */
  enum Format {
    jsonl,
    csv,
    fvecs,
    opensearch
  }

  @Parameters(index = "2", arity = "0..1", paramLabel = "FILE", description = "The output file (default or '-': standard output).")
  Path file;

  @Option(names = "--format", paramLabel = "FMT", description = "jsonl (default), csv, fvecs or opensearch (default: from FILE's extension).")
  Format format;

  @Option(names = "--os-index", paramLabel = "NAME", description = "opensearch: the index of the bulk actions (default: the collection name).")
  String osIndex;

  @Option(names = "--vector-field", paramLabel = "NAME", description = "opensearch: the document field of the vector (default: vector).")
  String vectorField = "vector";

  @Option(names = "--mapping", paramLabel = "FILE", description = "opensearch: also write the create-index body (settings and mappings) to FILE.")
  Path mapping;

  @Override
  int run() throws IOException {
    Format f = format != null ? format : fromName();
    boolean toStdout = file == null || file.toString().equals("-");
    if (toStdout && f == Format.fvecs) {
      throw new CliException(ExitCode.USAGE, "fvecs is binary; give an output FILE");
    }
    if (f != Format.opensearch && (osIndex != null || mapping != null)) {
      throw new CliException(ExitCode.USAGE, "--os-index and --mapping apply to --format opensearch only");
    }
    if (f == Format.opensearch && (vectorField.isEmpty() || vectorField.startsWith("_"))) {
      throw new CliException(
          ExitCode.USAGE, "--vector-field must be a non-empty name not starting with '_'; got '" + vectorField + "'");
    }
    long n;
    try (Iqdb iqdb = openExisting()) {
      VectorCollection c = collection(iqdb, name);
      if (mapping != null) {
        Files.writeString(mapping, JsonText.write(OpenSearchBulk.indexBody(c.config(), vectorField)) + "\n");
      }
      if (toStdout) {
        n = writeText(c, f, out());
        out().flush();
      } else {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try {
          if (f == Format.fvecs) {
            try (OutputStream os = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
              n = writeFvecs(c, os);
            }
          } else {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8); PrintWriter pw = new PrintWriter(w)) {
              n = writeText(c, f, pw);
              if (pw.checkError()) {
                throw new IOException("write failed: " + tmp);
              }
            }
          }
          // Only a complete export takes the file's name.
          Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
          Files.deleteIfExists(tmp);
        }
        out().println("exported " + n + " records from '" + name + "' to " + file);
      }
    }
    return ExitCode.OK;
  }

  private Format fromName() {
    if (file == null) {
      return Format.jsonl;
    }
    String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return n.endsWith(".csv") ? Format.csv : n.endsWith(".fvecs") ? Format.fvecs : Format.jsonl;
  }

  static String jsonLine(VectorRecord r) {
    return JsonText.write(JsonText.object("id", r.id(), "vector", r.vector(), "payload", r.payload().asMap()));
  }

  private long writeText(VectorCollection c, Format f, PrintWriter w) {
    long n = 0;
    if (f == Format.opensearch) {
      String index = osIndex != null ? osIndex : name;
      try (Stream<VectorRecord> all = c.scan()) {
        for (Iterator<VectorRecord> it = all.iterator(); it.hasNext(); n++) {
          OpenSearchBulk.write(it.next(), index, vectorField, w);
        }
      }
      return n;
    }
    if (f == Format.jsonl) {
      try (Stream<VectorRecord> all = c.scan()) {
        for (Iterator<VectorRecord> it = all.iterator(); it.hasNext(); n++) {
          w.println(jsonLine(it.next()));
        }
      }
      return n;
    }
    // CSV needs the union of payload field names for its header: a first pass collects them.
    Set<String> fields = new LinkedHashSet<>();
    try (Stream<VectorRecord> all = c.scan()) {
      all.forEach(r -> fields.addAll(r.payload().names()));
    }
    int dim = c.config().dimension();
    List<String> header = new ArrayList<>(List.of("id"));
    for (int i = 0; i < dim; i++) {
      header.add("v" + i);
    }
    header.addAll(fields);
    // RFC 4180 quoting (a cell with a comma, quote or line break is quoted), one record per line
    CSVFormat format = CSVFormat.RFC4180.builder().setRecordSeparator('\n').get();
    try (Stream<VectorRecord> all = c.scan()) {
      CSVPrinter csv = new CSVPrinter(w, format);
      csv.printRecord(header);
      List<Object> row = new ArrayList<>(header.size());
      for (Iterator<VectorRecord> it = all.iterator(); it.hasNext(); n++) {
        VectorRecord r = it.next();
        row.clear();
        row.add(r.id());
        for (float x : r.vector()) {
          row.add(x);
        }
        Map<String, Object> p = r.payload().asMap();
        for (String field : fields) {
          Object v = p.get(field);
          row.add(v == null ? "" : v instanceof List<?> ? JsonText.write(v) : v);
        }
        csv.printRecord(row);
      }
      csv.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  private static long writeFvecs(VectorCollection c, OutputStream os) {
    long[] n = {0};
    try (Stream<VectorRecord> all = c.scan()) {
      all.forEach(r -> {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * r.vector().length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(r.vector().length);
        for (float x : r.vector()) {
          b.putFloat(x);
        }
        try {
          os.write(b.array());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        n[0]++;
      });
    }
    return n[0];
  }
}
