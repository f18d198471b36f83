package io.iqdb.cli;

import io.iqdb.CollectionConfig;
import io.iqdb.Durability;
import io.iqdb.Filter;
import io.iqdb.Hit;
import io.iqdb.IndexSpec;
import io.iqdb.Iqdb;
import io.iqdb.Metric;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.embeddings.RealTextCorpus;
import io.iqdb.embeddings.TextEmbedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code iqdb demo text}: semantic search on real text. Builds a corpus from this machine's Debian
 * copyright files and manual page summaries, embeds it with all-MiniLM-L6-v2 in-process (vectors
 * cached, so a rerun skips the model), loads it into an HNSW collection with the texts' metadata as
 * payload, and runs semantic and filtered queries: the user's, or a few built-in ones.
 */
@Command(
    name = "text",
    mixinStandardHelpOptions = true,
    description = {
      "Semantic search on real text: embeds lines of /usr/share/doc/*/copyright and manual page"
          + " summaries (apropos) with all-MiniLM-L6-v2 (384-d, runs in-process, no network), loads them"
          + " into the collection demo_text (HNSW, cosine) with their metadata as payload, and runs"
          + " semantic and filtered queries.",
      "With QUERY, runs that query (and --filter); without, a few built-in ones. Vectors are cached"
          + " (--cache), so only the first run pays for the embedding: about a minute for the default"
          + " 3,000 texts on two busy cores.",
      "Payload fields for --filter: kind ('copyright' or 'manpage'), package, licence, year (number),"
          + " name, section (text, e.g. '1', '8', '3ssl')."
    })
final class TextDemoCommand extends BaseCommand {

  static final String COLLECTION = "demo_text";

  @Parameters(arity = "0..*", paramLabel = "QUERY", description = "A query in plain English, e.g. \"how do I compress files\".")
  List<String> query = new ArrayList<>();

  @Option(names = "--db", paramLabel = "DIR", description = "The database directory (default ./demo.iqdb).")
  Path db = Path.of("demo.iqdb");

  @Option(names = "--temp", description = "Use a temporary database, deleted at the end, instead of --db.")
  boolean temp;

  @Option(names = "--size", paramLabel = "N", description = "Texts in the corpus (default 3000; at most what the machine has, some 50,000 on a Debian system with a few hundred packages).")
  int size = 3000;

  @Option(names = "-k", paramLabel = "K", description = "Hits per query (default 5).")
  int k = 5;

  @Option(names = "--filter", paramLabel = "EXPR", description = "A payload filter for QUERY, e.g. \"kind = manpage and section = '8'\" (section is text: quote it).")
  String filter;

  @Option(names = "--cache", paramLabel = "DIR", description = "Where embedded vectors are cached (default: embeddings/target/corpus-cache in the iQDB checkout).")
  Path cache;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the corpus selection (default 42).")
  long seed = 42;

  @Option(names = "--progress", negatable = true, description = "Draw a progress bar while embedding (default: on a terminal).")
  Boolean progress;

  @Option(names = "--doc-dir", paramLabel = "DIR", hidden = true, description = "Where the copyright files are (tests).")
  Path docDir = RealTextCorpus.DEFAULT_DOC_DIR;

  @Option(names = "--apropos-output", paramLabel = "FILE", hidden = true, description = "apropos -l . output to read instead of running it (tests).")
  Path aproposOutput;

  @Override
  int run() throws IOException {
    if (size < 1 || k < 1 || k > SearchRequest.MAX_K) {
      throw new CliException(ExitCode.USAGE, "--size must be >= 1 and -k in 1.." + SearchRequest.MAX_K + "; size=" + size + ", k=" + k);
    }
    Filter userFilter = filter == null ? null : FilterParser.parse(filter);
    String userQuery = String.join(" ", query).strip();
    if (userFilter != null && userQuery.isEmpty()) {
      throw new CliException(ExitCode.USAGE, "--filter needs a QUERY, e.g. demo text --filter \"" + filter + "\" \"how do I compress files\"");
    }

    RealTextCorpus corpus = buildCorpus();
    Path cacheDir = cache != null ? cache : defaultCache();
    // ONNX Runtime's tokenizer library logs through SLF4J; without a provider SLF4J warns on stderr
    // about having none. The demo has nothing to log: keep its output clean.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    long loadStart = System.nanoTime();
    try (TextEmbedder embedder = TextEmbedder.allMiniLmL6V2()) {
      // The first embed loads the model (a 90 MB ONNX graph); time it apart from the corpus.
      embedder.embed("warm-up");
      out().printf(Locale.ROOT, "model: %s, %d dimensions, loaded in %.1f s%n", embedder.modelName(), embedder.dimension(),
          seconds(loadStart));
      out().flush();
      RealTextCorpus.Embedded embedded = embed(corpus, embedder, cacheDir);
      Path dir = temp ? Files.createTempDirectory("iqdb-text-demo") : db;
      try (Iqdb iqdb = Iqdb.open(dir)) {
        VectorCollection c = load(iqdb, dir, embedded);
        warmUp(c, embedded);
        if (!userQuery.isEmpty()) {
          search(c, embedder, userQuery, null, null, false);
          search(c, embedder, userQuery, null, null, true);
          if (userFilter != null) {
            search(c, embedder, userQuery, userFilter, filter, false);
          }
        } else {
          builtInQueries(c, embedder, embedded.texts());
        }
      } finally {
        if (temp) {
          org.apache.lucene.util.IOUtils.rm(dir);
        }
      }
    }
    out().println();
    out().println("try: ./iqdb demo text \"how do I compress files\"");
    out().println("     ./iqdb demo text --filter \"kind = copyright and year >= 2015\" \"no warranty\"");
    return ExitCode.OK;
  }

  private RealTextCorpus buildCorpus() {
    RealTextCorpus.Builder b = RealTextCorpus.builder().size(size).seed(seed).docDir(docDir);
    if (aproposOutput != null) {
      b.aproposOutput(aproposOutput);
    }
    RealTextCorpus corpus = b.build();
    out().printf(Locale.ROOT, "corpus: %,d texts from this machine (seed %d)%n", corpus.texts().size(), seed);
    for (RealTextCorpus.Source s : corpus.sources()) {
      if (s.available()) {
        out().printf(Locale.ROOT, "  %-22s %,d of %,d (%s)%n", s.name() + ":", s.selected(), s.candidates(), s.detail());
      } else {
        out().printf(Locale.ROOT, "  %-22s none: %s%n", s.name() + ":", s.detail());
      }
    }
    out().flush();
    return corpus;
  }

  /** {@code <checkout>/embeddings/target/corpus-cache}: the launcher tells where the checkout is. */
  private static Path defaultCache() {
    String home = System.getProperty("iqdb.home");
    return (home == null ? Path.of("target") : Path.of(home, "embeddings", "target")).resolve("corpus-cache");
  }

  private RealTextCorpus.Embedded embed(RealTextCorpus corpus, TextEmbedder embedder, Path cacheDir) {
    boolean draw = progress != null ? progress : Progress.onTerminal();
    Progress[] bar = new Progress[1];
    RealTextCorpus.Embedded e = corpus.embed(embedder, cacheDir, (done, total) -> {
      if (bar[0] == null && total > 0) {
        bar[0] = new Progress(err(), draw, "embedding", total, System.nanoTime());
      }
      if (bar[0] != null) {
        bar[0].update(done);
      }
    });
    if (bar[0] != null) {
      bar[0].finish(e.embeddedTexts());
    }
    double rate = e.embedSeconds() > 0 ? e.embeddedTexts() / e.embedSeconds() : 0;
    out().printf(Locale.ROOT, "embedded %,d distinct texts in %.1f s (%,.0f texts/s); %,d from the cache %s%n",
        e.embeddedTexts(), e.embedSeconds(), rate, e.cachedTexts(), cacheDir.resolve(TextEmbedder.MODEL_NAME + ".vectors"));
    out().println("exact duplicates: text:    " + e.textDuplicates().summary());
    out().println("                  vectors: " + e.vectorDuplicates().summary());
    out().flush();
    return e;
  }

  private VectorCollection load(Iqdb iqdb, Path dir, RealTextCorpus.Embedded e) {
    long start = System.nanoTime();
    iqdb.dropCollection(COLLECTION);
    VectorCollection c = iqdb.createCollection(COLLECTION,
        // No write-ahead log: the collection is rebuilt from the corpus on every run and flushed
        // (committed) once at the end, which is all the durability a demo needs.
        CollectionConfig.builder(TextEmbedder.DIMENSION, Metric.COSINE).index(IndexSpec.hnsw())
            .durability(Durability.none()).build());
    List<VectorRecord> records = new ArrayList<>(e.texts().size());
    for (int i = 0; i < e.texts().size(); i++) {
      RealTextCorpus.Text t = e.texts().get(i);
      // The text is the record's own text: stored, and indexed for BM25 (hybrid search).
      records.add(VectorRecord.of(t.id(), e.vectors().get(i), t.metadata(), t.text()));
    }
    for (int from = 0; from < records.size(); from += 1000) {
      c.upsertAll(records.subList(from, Math.min(records.size(), from + 1000)));
    }
    c.flush();
    out().printf(Locale.ROOT, "database: %s%s, collection %s (HNSW, cosine): %,d records loaded and indexed in %.1f s%n",
        dir.toAbsolutePath(), temp ? " (temporary)" : "", COLLECTION, c.count(), seconds(start));
    return c;
  }

  private void builtInQueries(VectorCollection c, TextEmbedder embedder, List<RealTextCorpus.Text> texts) {
    search(c, embedder, "how do I compress files", null, null, false);
    search(c, embedder, "copy files to another computer over the network", null, null, false);
    // Hybrid: BM25 over the texts fused with the vector ranks; the words "GNU" and "warranty" pull
    // in the lines that say them, which the vector search alone ranks lower.
    search(c, embedder, "GNU General Public License without warranty", null, null, false);
    search(c, embedder, "GNU General Public License without warranty", null, null, true);
    // A filter on a field no record has is an error in iQDB (a typo should not silently match
    // nothing), and a corpus from one source lacks the other's fields: filter on fields present only.
    if (has(texts, RealTextCorpus.SECTION)) {
      search(c, embedder, "configure the network", Filter.eq(RealTextCorpus.SECTION, "8"), "section = '8' (system administration commands)", false);
    }
    search(c, embedder, "the software comes without any warranty",
        Filter.eq(RealTextCorpus.KIND, RealTextCorpus.KIND_COPYRIGHT), "kind = copyright", false);
    String licence = mostCommonLicence(texts);
    if (licence != null) {
      search(c, embedder, "permission to use, copy and modify", Filter.eq(RealTextCorpus.LICENCE, licence),
          "licence = '" + licence + "' (the licence most packages in the corpus name)", false);
    }
    if (has(texts, RealTextCorpus.YEAR)) {
      search(c, embedder, "copyright held by a company", Filter.range(RealTextCorpus.YEAR, 2020, 2029), "year between 2020 and 2029", false);
    }
  }

  private static boolean has(List<RealTextCorpus.Text> texts, String field) {
    return texts.stream().anyMatch(t -> t.metadata().get(field).isPresent());
  }

  /**
   * A few searches before the timed ones, so that the latencies shown are of a warm searcher and
   * compiled code, not of the first reader open and the JIT.
   */
  private void warmUp(VectorCollection c, RealTextCorpus.Embedded e) {
    for (int i = 0; i < Math.min(50, e.vectors().size()); i++) {
      c.search(SearchRequest.of(e.vectors().get(i), k));
      c.search(SearchRequest.of(e.vectors().get(i), k).filter(Filter.eq(RealTextCorpus.KIND, RealTextCorpus.KIND_MANPAGE)));
    }
  }

  /**
   * The licence named by the most packages in the corpus (not by the most lines: one package's long
   * file would win that), so that the filter demo always matches and shows a familiar licence.
   */
  private static String mostCommonLicence(List<RealTextCorpus.Text> texts) {
    return texts.stream().filter(t -> t.metadata().getString(RealTextCorpus.LICENCE) != null)
        .collect(Collectors.groupingBy(t -> t.metadata().getString(RealTextCorpus.LICENCE),
            Collectors.mapping(t -> Objects.toString(t.metadata().getString(RealTextCorpus.PACKAGE), ""), Collectors.toSet())))
        .entrySet().stream()
        .max(Comparator.<Map.Entry<String, Set<String>>>comparingInt(e -> e.getValue().size())
            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey).orElse(null);
  }

  private void search(
      VectorCollection c, TextEmbedder embedder, String text, Filter f, String filterText, boolean hybrid) {
    long start = System.nanoTime();
    float[] q = embedder.embed(text);
    long searchStart = System.nanoTime();
    SearchRequest request = SearchRequest.of(q, k);
    if (f != null) {
      request = request.filter(f);
    }
    if (hybrid) {
      request = request.text(text); // BM25 over the record texts, fused with the vector ranks (RRF)
    }
    List<Hit> hits = c.search(request);
    long end = System.nanoTime();
    out().println();
    out().printf(Locale.ROOT, "%s \"%s\"%s  (embed %.1f ms, search %.1f ms)%n",
        hybrid ? "hybrid (vector + BM25):" : f == null ? "semantic:" : "filtered:", text,
        f == null ? "" : " where " + filterText, (searchStart - start) / 1e6, (end - searchStart) / 1e6);
    if (hits.isEmpty()) {
      out().println("  no hits" + (f == null ? "" : ": no text matches the filter"));
      return;
    }
    Table t = new Table("rank", "score", "kind", "source", "meta", "text");
    int rank = 1;
    for (Hit h : hits) {
      Payload p = h.payload();
      t.row(rank++, String.format(Locale.ROOT, "%.3f", h.score()), p.getString(RealTextCorpus.KIND), source(p), meta(p),
          abbreviate(h.text(), 90));
    }
    t.print(out());
    out().flush();
  }

  /** Where a hit comes from: {@code gzip(1)} for a page, the package for a copyright line. */
  private static String source(Payload p) {
    if (RealTextCorpus.KIND_MANPAGE.equals(p.getString(RealTextCorpus.KIND))) {
      return p.getString(RealTextCorpus.NAME) + "(" + p.getString(RealTextCorpus.SECTION) + ")";
    }
    return Objects.toString(p.getString(RealTextCorpus.PACKAGE), "");
  }

  private static String meta(Payload p) {
    List<String> parts = new ArrayList<>();
    if (RealTextCorpus.KIND_MANPAGE.equals(p.getString(RealTextCorpus.KIND))) {
      if (p.getString(RealTextCorpus.PACKAGE) != null) {
        parts.add("package=" + p.getString(RealTextCorpus.PACKAGE));
      }
    } else {
      if (p.getString(RealTextCorpus.LICENCE) != null) {
        parts.add("licence=" + p.getString(RealTextCorpus.LICENCE));
      }
      if (p.getLong(RealTextCorpus.YEAR) != null) {
        parts.add("year=" + p.getLong(RealTextCorpus.YEAR));
      }
    }
    return String.join(" ", parts);
  }

  private static String abbreviate(String s, int max) {
    return s == null || s.length() <= max ? Objects.toString(s, "") : s.substring(0, max - 3) + "...";
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
