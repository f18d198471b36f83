package io.iqdb.embeddings;

import io.iqdb.Payload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines of one Debian {@code copyright} file as corpus texts. In a machine-readable file
 * (DEP-5, first field {@code Format:}) each line takes the licence named by the {@code License:}
 * field of its paragraph, and {@code Files:} fields are left out: they are lists of paths, not text
 * (Boost's file alone has 36,000 such lines). A free-form file has no detectable licence.
 */
final class CopyrightParser {

  /** Lines shorter than this (after trimming) are structure, not text: {@code "."}, {@code "Files: *"}. */
  static final int MIN_CHARS = 20;

  /** Longest licence name kept as metadata; a longer "name" is a sentence, not a name. */
  private static final int MAX_LICENCE_CHARS = 64;

  /** A plausible year: copyright lines say 1985-2024, licence texts say "version 2". */
  private static final Pattern YEAR = Pattern.compile("(?<![0-9])(19[6-9][0-9]|20[0-4][0-9])(?![0-9])");

  /** A field's first line in a DEP-5 paragraph: a name at column 0 and a colon. */
  private static final Pattern FIELD = Pattern.compile("^[A-Za-z][A-Za-z0-9-]*:.*$");

  private static final Pattern LICENSE_FIELD = Pattern.compile("^License:[ \t]*(\\S.*)?$", Pattern.CASE_INSENSITIVE);

  private CopyrightParser() {}

  static List<RealTextCorpus.Text> parse(String pkg, byte[] content) {
    // Most files are UTF-8; a few old ones are Latin-1, whose bytes decode to replacement characters
    // rather than failing the whole corpus.
    String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
    boolean dep5 = isDep5(lines);
    List<RealTextCorpus.Text> out = new ArrayList<>();
    int start = 0;
    while (start < lines.length) {
      int end = start;
      while (end < lines.length && !lines[end].isBlank()) {
        end++;
      }
      String licence = dep5 ? licence(lines, start, end) : null;
      boolean inFilesField = false;
      for (int i = start; i < end; i++) {
        if (dep5 && FIELD.matcher(lines[i]).matches()) {
          inFilesField = lines[i].regionMatches(true, 0, "Files:", 0, 6);
        }
        String text = lines[i].strip();
        if (inFilesField || text.length() < MIN_CHARS) {
          continue;
        }
        Payload.Builder meta = Payload.builder()
            .put(RealTextCorpus.KIND, RealTextCorpus.KIND_COPYRIGHT)
            .put(RealTextCorpus.PACKAGE, pkg);
        if (licence != null) {
          meta.put(RealTextCorpus.LICENCE, licence);
        }
        Matcher year = YEAR.matcher(text);
        if (year.find()) {
          meta.put(RealTextCorpus.YEAR, Long.parseLong(year.group(1)));
        }
        out.add(new RealTextCorpus.Text("copyright:" + pkg + ":" + (i + 1), text, meta.build()));
      }
      start = end + 1;
    }
    return out;
  }

  private static boolean isDep5(String[] lines) {
    for (String line : lines) {
      if (!line.isBlank()) {
        String l = line.toLowerCase(Locale.ROOT);
        return l.startsWith("format:") || l.startsWith("format-specification:");
      }
    }
    return false;
  }

  /** The value of the paragraph's {@code License:} field (its first line), or null. */
  private static String licence(String[] lines, int start, int end) {
    for (int i = start; i < end; i++) {
      Matcher m = LICENSE_FIELD.matcher(lines[i]);
      if (m.matches() && m.group(1) != null) {
        String name = m.group(1).strip();
        return name.length() <= MAX_LICENCE_CHARS ? name : null;
      }
    }
    return null;
  }
}
