package io.iqdb.embeddings;

import io.iqdb.Payload;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One-line manual page summaries, as {@code apropos -l .} prints them ({@code "gzip (1) - compress
 * or expand files"}), as corpus texts. The text is the summary alone: pages that share a summary
 * (gzip and gunzip) are exact duplicates, as in any real corpus of titles. The page's name, section
 * and, when dpkg's file lists are readable, its package become metadata.
 */
final class ManpageParser {

  private static final Pattern LINE = Pattern.compile("^(.+?) \\(([^)]+)\\)\\s+- (.+)$");

  /** {@code /usr/share/man/man1/gzip.1.gz}: the untranslated pages only. */
  private static final Pattern MAN_PATH = Pattern.compile("^/usr/share/man/man[^/]+/([^/]+)\\.([^./]+)$");

  /**
   * What man-db prints for a page without a NAME line: its placeholder, not text (16,000 of the
   * Google Cloud CLI's pages on one machine here), so it is left out.
   */
  static final String NO_SUMMARY = "(unknown subject)";

  private ManpageParser() {}

  static List<RealTextCorpus.Text> parse(List<String> lines, Map<String, String> packages) {
    List<RealTextCorpus.Text> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      String name = m.group(1).strip();
      String section = m.group(2).strip();
      String summary = m.group(3).strip();
      if (summary.isBlank() || summary.equals(NO_SUMMARY)) {
        continue;
      }
      String page = name + "(" + section + ")";
      int n = seen.merge(page, 1, Integer::sum);
      Payload.Builder meta = Payload.builder()
          .put(RealTextCorpus.KIND, RealTextCorpus.KIND_MANPAGE)
          .put(RealTextCorpus.NAME, name)
          .put(RealTextCorpus.SECTION, section);
      String pkg = packages.get(page);
      if (pkg != null) {
        meta.put(RealTextCorpus.PACKAGE, pkg);
      }
      out.add(new RealTextCorpus.Text("man:" + page + (n > 1 ? "#" + n : ""), summary, meta.build()));
    }
    return out;
  }

  /**
   * Maps {@code "gzip(1)"} to the package that installed the page, from dpkg's {@code *.list}
   * files; empty when the directory is missing or unreadable (the metadata is then left out).
   */
  static Map<String, String> packagesOfPages(Path dpkgInfo) {
    Map<String, String> out = new HashMap<>();
    if (dpkgInfo == null || !Files.isDirectory(dpkgInfo)) {
      return out;
    }
    try (DirectoryStream<Path> lists = Files.newDirectoryStream(dpkgInfo, "*.list")) {
      for (Path list : lists) {
        String file = list.getFileName().toString();
        String pkg = file.substring(0, file.length() - ".list".length());
        int colon = pkg.indexOf(':');
        pkg = colon < 0 ? pkg : pkg.substring(0, colon); // libfoo:amd64 -> libfoo
        List<String> paths;
        try {
          paths = Files.readAllLines(list, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
          continue; // package names are a nicety: a page without one still belongs to the corpus
        }
        for (String path : paths) {
          Matcher m = MAN_PATH.matcher(path.endsWith(".gz") ? path.substring(0, path.length() - 3) : path);
          if (m.matches()) {
            out.putIfAbsent(m.group(1) + "(" + m.group(2) + ")", pkg);
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return new HashMap<>();
    }
    return out;
  }
}
