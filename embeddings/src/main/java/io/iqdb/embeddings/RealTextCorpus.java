package io.iqdb.embeddings;

import io.iqdb.InvalidArgumentException;
import io.iqdb.Payload;
import io.iqdb.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A corpus of real English text that every Debian machine has, for demos and benchmarks: the lines
 * of {@code /usr/share/doc/*}{@code /copyright} (licence text, full of exact duplicates: the GPL's
 * paragraphs appear in hundreds of packages) and the one-line summaries of the installed manual pages
 * ({@code apropos -l .}, from man-db). Either source may be missing; the corpus is built from what
 * there is and {@link #sources()} says what was found. A copyright line is a line of at least
 * {@value CopyrightParser#MIN_CHARS} characters outside a DEP-5 {@code Files:} field (those are
 * paths); byte-identical copyright files, which the binary packages of one source share, are read
 * once. Exact duplicates that remain (the same licence paragraph in many packages, two pages with
 * one summary) are kept unless {@link Builder#maxCopies(int)} bounds them.
 *
 * <p>Each text carries metadata taken from its source, for filtered queries:
 *
 * <table>
 *   <caption>Metadata fields</caption>
 *   <tr><th>field</th><th>type</th><th>present</th></tr>
 *   <tr><td>{@value #KIND}</td><td>string</td><td>always: {@value #KIND_COPYRIGHT} or {@value #KIND_MANPAGE}</td></tr>
 *   <tr><td>{@value #PACKAGE}</td><td>string</td><td>copyright lines; man pages when dpkg's file lists are readable</td></tr>
 *   <tr><td>{@value #LICENCE}</td><td>string</td><td>copyright lines of machine-readable (DEP-5) files: the paragraph's {@code License:} field, e.g. {@code GPL-2+}</td></tr>
 *   <tr><td>{@value #YEAR}</td><td>long</td><td>copyright lines that mention a year (the first one)</td></tr>
 *   <tr><td>{@value #NAME}</td><td>string</td><td>man pages: the page's name, e.g. {@code gzip}</td></tr>
 *   <tr><td>{@value #SECTION}</td><td>string</td><td>man pages: the section, e.g. {@code 1}, {@code 8}, {@code 3ssl}</td></tr>
 * </table>
 *
 * <p>Selection is deterministic for a given machine, size and seed: each source's texts are shuffled
 * with the seed and the two are interleaved (one of each in turn, the other filling in when one runs
 * out), and the first {@code size} texts are taken. So a corpus of 3,000 is a prefix of the corpus of
 * 60,000, and the vector cache embedded for one serves the other.
 *
 * <pre>{@code
 * RealTextCorpus corpus = RealTextCorpus.builder().size(3000).build();
 * try (TextEmbedder embedder = TextEmbedder.allMiniLmL6V2()) {
 *   RealTextCorpus.Embedded e = corpus.embed(embedder, Path.of("target/corpus-cache"), (done, total) -> {});
 * }
 * }</pre>
 */
public final class RealTextCorpus {

  /** Metadata field: where the text comes from. */
  public static final String KIND = "kind";
  /** {@link #KIND} of a line of a copyright file. */
  public static final String KIND_COPYRIGHT = "copyright";
  /** {@link #KIND} of a manual page summary. */
  public static final String KIND_MANPAGE = "manpage";
  /** Metadata field: the Debian package. */
  public static final String PACKAGE = "package";
  /** Metadata field: the licence named by a DEP-5 copyright file. */
  public static final String LICENCE = "licence";
  /** Metadata field: a year the text mentions. */
  public static final String YEAR = "year";
  /** Metadata field: a manual page's name. */
  public static final String NAME = "name";
  /** Metadata field: a manual page's section. */
  public static final String SECTION = "section";

  /** Where Debian keeps each package's documentation. */
  public static final Path DEFAULT_DOC_DIR = Path.of("/usr/share/doc");
  /** Where dpkg lists each package's files (used to name a manual page's package). */
  public static final Path DEFAULT_DPKG_INFO_DIR = Path.of("/var/lib/dpkg/info");
  /** The command that lists every manual page with its untruncated summary. */
  public static final List<String> DEFAULT_APROPOS = List.of("apropos", "-l", ".");

  /**
   * One text of the corpus.
   *
   * @param id unique within the corpus and stable across runs on the same machine, e.g.
   *     {@code copyright:gzip:12} (package and line) or {@code man:gzip(1)}
   * @param text the text
   * @param metadata where it comes from (see the class documentation)
   */
  public record Text(String id, String text, Payload metadata) {}

  /**
   * What one source contributed.
   *
   * @param name {@code "copyright files"} or {@code "manual page summaries"}
   * @param available whether the source could be read
   * @param candidates texts it offered
   * @param selected texts taken from it into the corpus
   * @param detail where it was read from, or why it was not available
   */
  public record Source(String name, boolean available, int candidates, int selected, String detail) {}

  /**
   * Reports embedding progress.
   */
  @FunctionalInterface
  public interface ProgressListener {
    /**
     * Called after each batch.
     *
     * @param done texts embedded so far by the model (cached texts are not counted)
     * @param total texts the model has to embed in this call
     */
    void progress(int done, int total);
  }

  /**
   * The corpus with one vector per text.
   *
   * @param texts the corpus's texts
   * @param vectors their vectors, in the same order
   * @param cachedTexts distinct texts whose vectors came from the cache
   * @param embeddedTexts distinct texts embedded by the model in this call
   * @param embedSeconds time spent in the model
   * @param textDuplicates rows whose text is identical to another row's
   * @param vectorDuplicates rows whose vector is bit-identical to another row's (at least the text
   *     duplicates; more when the model maps different strings, e.g. differing only in case, to the
   *     same vector)
   */
  public record Embedded(List<Text> texts, List<float[]> vectors, int cachedTexts, int embeddedTexts,
      double embedSeconds, DuplicateCounts textDuplicates, DuplicateCounts vectorDuplicates) {}

  private final List<Text> texts;
  private final List<Source> sources;

  private RealTextCorpus(List<Text> texts, List<Source> sources) {
    this.texts = List.copyOf(texts);
    this.sources = List.copyOf(sources);
  }

  /**
   * A builder with the defaults of a Debian machine.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The texts, in selection order.
   *
   * @return the texts
   */
  public List<Text> texts() {
    return texts;
  }

  /**
   * What each source contributed, or why it was not available.
   *
   * @return one entry per source
   */
  public List<Source> sources() {
    return sources;
  }

  /**
   * Exact duplicate texts in the corpus.
   *
   * @return the counts
   */
  public DuplicateCounts textDuplicates() {
    return DuplicateCounts.ofTexts(texts.stream().map(Text::text).toList());
  }

  /**
   * Embeds the corpus, reusing and extending the vector cache in {@code cacheDir} (file
   * {@code <cacheDir>/all-minilm-l6-v2.vectors}). Each distinct text is embedded once.
   *
   * @param embedder the model
   * @param cacheDir the cache directory, created if missing (use a {@code target/} directory)
   * @param progress told how far the model got
   * @return the texts with their vectors and duplicate counts
   * @throws StorageException if the cache cannot be read or written, or the model fails
   */
  public Embedded embed(TextEmbedder embedder, Path cacheDir, ProgressListener progress) {
    VectorCache cache = VectorCache.open(cacheDir, embedder.modelName(), embedder.dimension());
    List<String> missing = texts.stream().map(Text::text).distinct().filter(t -> cache.get(t) == null).toList();
    int cached = (int) texts.stream().map(Text::text).distinct().count() - missing.size();
    long start = System.nanoTime();
    progress.progress(0, missing.size());
    // Write to the cache in chunks, so that an interrupted run keeps what it embedded.
    int chunk = 1024;
    for (int from = 0; from < missing.size(); from += chunk) {
      List<String> part = missing.subList(from, Math.min(missing.size(), from + chunk));
      int offset = from;
      List<float[]> vectors = embedder.embedAll(part, done -> progress.progress(offset + done, missing.size()));
      cache.putAll(part, vectors);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    List<float[]> vectors = new ArrayList<>(texts.size());
    for (Text t : texts) {
      vectors.add(cache.get(t.text()));
    }
    return new Embedded(texts, vectors, cached, missing.size(), seconds, textDuplicates(),
        DuplicateCounts.ofVectors(vectors));
  }

  /** Where the corpus is read from and how much of it is taken. */
  public static final class Builder {
    private Path docDir = DEFAULT_DOC_DIR;
    private Path dpkgInfoDir = DEFAULT_DPKG_INFO_DIR;
    private List<String> aproposCommand = DEFAULT_APROPOS;
    private Path aproposOutput;
    private int size = 3000;
    private long seed = 42;
    private int maxCopies = Integer.MAX_VALUE;

    private Builder() {}

    /**
     * The directory of per-package documentation whose {@code <package>/copyright} files are read.
     *
     * @param dir the directory (default {@link #DEFAULT_DOC_DIR}), or null to leave the copyright
     *     source out
     * @return this builder
     */
    public Builder docDir(Path dir) {
      this.docDir = dir;
      return this;
    }

    /**
     * The directory of dpkg's {@code *.list} files, which name each manual page's package.
     *
     * @param dir the directory (default {@link #DEFAULT_DPKG_INFO_DIR}), or null for no package
     *     names on manual pages
     * @return this builder
     */
    public Builder dpkgInfoDir(Path dir) {
      this.dpkgInfoDir = dir;
      return this;
    }

    /**
     * The command whose output lists the manual page summaries.
     *
     * @param command the command (default {@link #DEFAULT_APROPOS}), or null to leave manual pages
     *     out
     * @return this builder
     */
    public Builder aproposCommand(List<String> command) {
      this.aproposCommand = command == null ? null : List.copyOf(command);
      this.aproposOutput = null;
      return this;
    }

    /**
     * Reads the manual page summaries from a file holding {@code apropos -l .} output instead of
     * running the command (for tests and for machines without man-db).
     *
     * @param file the file
     * @return this builder
     */
    public Builder aproposOutput(Path file) {
      this.aproposOutput = file;
      this.aproposCommand = null;
      return this;
    }

    /**
     * How many texts to take (fewer when the sources have fewer).
     *
     * @param size at least 1 (default 3,000)
     * @return this builder
     * @throws InvalidArgumentException if {@code size < 1}
     */
    public Builder size(int size) {
      if (size < 1) {
        throw new InvalidArgumentException("corpus size must be >= 1; size=" + size);
      }
      this.size = size;
      return this;
    }

    /**
     * At most this many rows with the same text: 1 makes a corpus without exact duplicates (for
     * comparing an index on data with and without them); a text's further copies are skipped and
     * the selection goes on to the next text.
     *
     * @param maxCopies at least 1 (default unlimited: the corpus keeps the duplicates its sources have)
     * @return this builder
     * @throws InvalidArgumentException if {@code maxCopies < 1}
     */
    public Builder maxCopies(int maxCopies) {
      if (maxCopies < 1) {
        throw new InvalidArgumentException("maxCopies must be >= 1; maxCopies=" + maxCopies);
      }
      this.maxCopies = maxCopies;
      return this;
    }

    /**
     * The seed of the selection.
     *
     * @param seed the seed (default 42)
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Reads the sources and selects the texts.
     *
     * @return the corpus
     * @throws InvalidArgumentException if neither source offers any text
     */
    public RealTextCorpus build() {
      List<Source> sources = new ArrayList<>();
      List<Text> copyright = new ArrayList<>();
      String copyrightDetail = readCopyright(copyright);
      List<Text> manpages = new ArrayList<>();
      String manDetail = readManpages(manpages);
      // One generator per source: the order of one does not depend on the size of the other.
      Collections.shuffle(copyright, new Random(seed));
      Collections.shuffle(manpages, new Random(seed + 1));
      List<Text> selected = new ArrayList<>(Math.min(size, copyright.size() + manpages.size()));
      Map<String, Integer> copies = new HashMap<>();
      int c = 0;
      int m = 0;
      int fromCopyright = 0;
      int fromManpages = 0;
      while (selected.size() < size && (c < copyright.size() || m < manpages.size())) {
        boolean page = m < manpages.size() && (m <= c || c >= copyright.size());
        Text t = page ? manpages.get(m++) : copyright.get(c++);
        if (copies.merge(t.text(), 1, Integer::sum) <= maxCopies) {
          selected.add(t);
          if (page) {
            fromManpages++;
          } else {
            fromCopyright++;
          }
        }
      }
      sources.add(new Source("copyright files", copyrightDetail == null, copyright.size(), fromCopyright,
          copyrightDetail == null ? docDir.toString() : copyrightDetail));
      sources.add(new Source("manual page summaries", manDetail == null, manpages.size(), fromManpages,
          manDetail == null ? (aproposOutput != null ? aproposOutput.toString() : String.join(" ", aproposCommand)) : manDetail));
      if (selected.isEmpty()) {
        throw new InvalidArgumentException("no real text found: copyright files: "
            + sources.get(0).detail() + "; manual pages: " + sources.get(1).detail());
      }
      return new RealTextCorpus(selected, sources);
    }

    /** Adds the copyright lines; returns null, or why the source is not available. */
    private String readCopyright(List<Text> out) {
      if (docDir == null) {
        return "not requested";
      }
      if (!Files.isDirectory(docDir)) {
        return docDir + " does not exist";
      }
      List<Path> packages = new ArrayList<>();
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(docDir)) {
        dirs.forEach(packages::add);
      } catch (IOException e) {
        return "cannot list " + docDir + ": " + e.getMessage();
      }
      // Directory order is the file system's; sort so that the selection is reproducible.
      packages.sort(Comparator.comparing(p -> p.getFileName().toString()));
      // Binary packages built from one source ship byte-identical copyright files (17 libboost-*
      // packages share one of 2 MB): one document installed under many names, read once, under the
      // first package name. Duplicates across different files (the GPL's paragraphs) stay.
      Set<String> seenFiles = new HashSet<>();
      for (Path dir : packages) {
        Path file = dir.resolve("copyright");
        if (!Files.isRegularFile(file)) {
          continue;
        }
        try {
          byte[] content = Files.readAllBytes(file);
          if (seenFiles.add(VectorCache.key(content))) {
            out.addAll(CopyrightParser.parse(dir.getFileName().toString(), content));
          }
        } catch (IOException e) {
          continue; // an unreadable file leaves out one package, not the corpus
        }
      }
      return out.isEmpty() ? "no copyright file with text under " + docDir : null;
    }

    /** Adds the manual page summaries; returns null, or why the source is not available. */
    private String readManpages(List<Text> out) {
      List<String> lines;
      if (aproposOutput != null) {
        try {
          lines = Files.readAllLines(aproposOutput, StandardCharsets.UTF_8);
        } catch (IOException e) {
          return "cannot read " + aproposOutput + ": " + e.getMessage();
        }
      } else if (aproposCommand != null) {
        lines = new ArrayList<>();
        String failure = run(aproposCommand, lines);
        if (failure != null) {
          return failure;
        }
      } else {
        return "not requested";
      }
      out.addAll(ManpageParser.parse(lines, ManpageParser.packagesOfPages(dpkgInfoDir)));
      // apropos lists pages in its database's order; sort so that the selection is reproducible.
      out.sort(Comparator.comparing(Text::id));
      return out.isEmpty() ? "no summaries (is man-db installed and its index built? apt-get install man-db)" : null;
    }

    private static String run(List<String> command, List<String> lines) {
      String name = String.join(" ", command);
      Process p;
      try {
        p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      } catch (IOException e) {
        return "'" + name + "' cannot run (apt-get install man-db): " + e.getMessage();
      }
      try (InputStream in = p.getInputStream()) {
        // Read before waiting: the output (~2 MB) does not fit a pipe buffer.
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return "'" + name + "' did not finish in 60 s";
        }
        if (p.exitValue() != 0) {
          return "'" + name + "' exited with status " + p.exitValue();
        }
        text.lines().forEach(lines::add);
        return null;
      } catch (IOException e) {
        p.destroyForcibly();
        return "'" + name + "' failed: " + e.getMessage();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        return "interrupted while running '" + name + "'";
      }
    }
  }
}
