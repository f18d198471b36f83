package io.iqdb.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.InvalidArgumentException;
import io.iqdb.Payload;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealTextCorpusTest {

  static Path fixtures() {
    try {
      return Path.of(RealTextCorpusTest.class.getResource("/corpus").toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  static RealTextCorpus.Builder fixtureCorpus() {
    Path f = fixtures();
    return RealTextCorpus.builder().docDir(f.resolve("doc")).dpkgInfoDir(f.resolve("dpkg"))
        .aproposOutput(f.resolve("apropos.txt"));
  }

  private static Map<String, RealTextCorpus.Text> byId(RealTextCorpus corpus) {
    return corpus.texts().stream().collect(Collectors.toMap(RealTextCorpus.Text::id, Function.identity()));
  }

  @Test
  void readsEveryCandidateLineFromBothSources() {
    RealTextCorpus corpus = fixtureCorpus().size(1000).build();
    // gzip 6 + bzip2 6 + oldpkg 3 lines of >= 20 characters; 5 of the 7 apropos lines are pages with
    // a summary (not man-db's "(unknown subject)").
    assertEquals(20, corpus.texts().size());
    RealTextCorpus.Source copyright = corpus.sources().get(0);
    RealTextCorpus.Source man = corpus.sources().get(1);
    assertTrue(copyright.available() && man.available(), corpus.sources().toString());
    assertEquals(15, copyright.candidates());
    assertEquals(15, copyright.selected());
    assertEquals(5, man.candidates());
    assertEquals(5, man.selected());
    assertEquals(20, corpus.texts().stream().map(RealTextCorpus.Text::id).distinct().count(), "ids are unique");
  }

  @Test
  void copyrightLinesCarryPackageLicenceOfTheirParagraphAndYear() {
    Map<String, RealTextCorpus.Text> t = byId(fixtureCorpus().size(1000).build());
    RealTextCorpus.Text gzipCopyright = t.get("copyright:gzip:5");
    assertEquals("Copyright: 1999-2018 Free Software Foundation, Inc.", gzipCopyright.text());
    assertEquals(Payload.of("kind", "copyright", "package", "gzip", "licence", "GPL-3+", "year", 1999L),
        gzipCopyright.metadata());
    // Continuation lines are stripped of their indentation and take the stand-alone License paragraph's name.
    assertEquals("This program is free software; you can redistribute it and/or modify", t.get("copyright:gzip:9").text());
    assertEquals("GPL-3+", t.get("copyright:gzip:9").metadata().getString("licence"));
    // bzip2's two Files paragraphs name different licences.
    assertEquals("BSD-variant", t.get("copyright:bzip2:4").metadata().getString("licence"));
    assertEquals("GPL-2+", t.get("copyright:bzip2:9").metadata().getString("licence"));
    assertEquals(2007L, t.get("copyright:bzip2:9").metadata().getLong("year"));
    assertEquals("GPL-2+", t.get("copyright:bzip2:13").metadata().getString("licence"));
    // A Files field lists paths, not text, continuation lines included.
    assertFalse(t.containsKey("copyright:bzip2:7"));
    assertFalse(t.containsKey("copyright:bzip2:8"), "the Files field's continuation line is a path");
    // gzip-win32 ships a byte-identical copy of gzip's file: one document, read once.
    assertTrue(t.keySet().stream().noneMatch(id -> id.startsWith("copyright:gzip-win32:")), t.keySet().toString());
    // The Format header paragraph has no License field; "version 3" is not a year.
    assertFalse(t.get("copyright:gzip:1").metadata().get("licence").isPresent());
    assertFalse(t.get("copyright:gzip:13").metadata().get("year").isPresent());
    // A free-form file: years, but no detectable licence; short lines are left out.
    assertEquals(Payload.of("kind", "copyright", "package", "oldpkg", "year", 2003L), t.get("copyright:oldpkg:1").metadata());
    assertEquals(1994L, t.get("copyright:oldpkg:3").metadata().getLong("year"));
    assertFalse(t.containsKey("copyright:oldpkg:5"), "'short line' is under the minimum length");
    assertFalse(t.containsKey("copyright:gzip:2"), "'Upstream-Name: gzip' is under the minimum length");
  }

  @Test
  void manpageSummariesCarryNameSectionAndPackageFromDpkgLists() {
    Map<String, RealTextCorpus.Text> t = byId(fixtureCorpus().size(1000).build());
    assertEquals("compress or expand files", t.get("man:gzip(1)").text());
    assertEquals(Payload.of("kind", "manpage", "name", "gzip", "section", "1", "package", "gzip"), t.get("man:gzip(1)").metadata());
    assertEquals("gzip", t.get("man:gunzip(1)").metadata().getString("package"));
    assertEquals("mount", t.get("man:mount(8)").metadata().getString("package"), "the :amd64 suffix is dropped");
    assertEquals(Payload.of("kind", "manpage", "name", "openssl-enc", "section", "1ssl", "package", "openssl"),
        t.get("man:openssl-enc(1ssl)").metadata());
    assertFalse(t.get("man:bzip2(1)").metadata().get("package").isPresent(), "no dpkg list names bzip2(1)");
  }

  @Test
  void countsExactDuplicateTexts() {
    DuplicateCounts d = fixtureCorpus().size(1000).build().textDuplicates();
    // Groups: the Format line (2), "This program is free software..." (3), "it under the terms..." (2),
    // "compress or expand files" (gzip, gunzip: 2).
    assertEquals(new DuplicateCounts(20, 15, 9), d);
    assertEquals(5, d.redundantCopies());
  }

  @Test
  void maxCopiesBoundsExactDuplicates() {
    RealTextCorpus dedup = fixtureCorpus().size(1000).maxCopies(1).build();
    assertEquals(new DuplicateCounts(15, 15, 0), dedup.textDuplicates());
    assertEquals(4, dedup.sources().get(1).selected(), "gzip and gunzip share a summary");
    assertEquals(11, dedup.sources().get(0).selected());
    RealTextCorpus two = fixtureCorpus().size(1000).maxCopies(2).build();
    assertEquals(19, two.texts().size(), "only the third 'This program is free software' line goes");
    assertThrows(InvalidArgumentException.class, () -> RealTextCorpus.builder().maxCopies(0));
  }

  @Test
  void selectionInterleavesSourcesAndSmallerCorporaArePrefixes() {
    List<RealTextCorpus.Text> all = fixtureCorpus().size(1000).build().texts();
    List<RealTextCorpus.Text> four = fixtureCorpus().size(4).build().texts();
    assertEquals(all.subList(0, 4), four);
    List<String> kinds = four.stream().map(x -> x.metadata().getString("kind")).toList();
    assertEquals(List.of("manpage", "copyright", "manpage", "copyright"), kinds);
    // Once the 5 pages are used up, copyright lines fill the rest.
    assertEquals(5, all.stream().filter(x -> x.metadata().getString("kind").equals("manpage")).count());
    assertEquals(all, fixtureCorpus().size(1000).build().texts(), "same seed, same order");
    assertFalse(all.equals(fixtureCorpus().size(1000).seed(7).build().texts()), "another seed, another order");
  }

  @Test
  void copesWithEitherSourceMissing() {
    Path f = fixtures();
    RealTextCorpus noDocs = fixtureCorpus().docDir(f.resolve("missing")).size(1000).build();
    assertEquals(5, noDocs.texts().size());
    assertFalse(noDocs.sources().get(0).available());
    assertTrue(noDocs.sources().get(0).detail().contains("does not exist"), noDocs.sources().get(0).detail());

    RealTextCorpus noMan = fixtureCorpus().aproposCommand(List.of(f.resolve("no-such-apropos").toString(), "-l", "."))
        .size(1000).build();
    assertEquals(15, noMan.texts().size());
    assertFalse(noMan.sources().get(1).available());
    assertTrue(noMan.sources().get(1).detail().contains("cannot run"), noMan.sources().get(1).detail());

    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> fixtureCorpus().docDir(f.resolve("missing")).aproposCommand(null).build());
    assertTrue(e.getMessage().contains("no real text found"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> RealTextCorpus.builder().size(0));
  }

  @Test
  void embedsOnceThenServesFromTheCache(@TempDir Path cacheDir) {
    RealTextCorpus corpus = fixtureCorpus().size(1000).build();
    try (TextEmbedder embedder = TextEmbedder.allMiniLmL6V2()) {
      List<int[]> progress = new ArrayList<>();
      RealTextCorpus.Embedded first = corpus.embed(embedder, cacheDir, (done, total) -> progress.add(new int[] {done, total}));
      assertEquals(0, first.cachedTexts());
      assertEquals(15, first.embeddedTexts(), "each distinct text is embedded once");
      assertEquals(15, progress.get(progress.size() - 1)[0]);
      assertEquals(20, first.vectors().size());
      assertEquals(new DuplicateCounts(20, 15, 9), first.textDuplicates());
      assertEquals(first.textDuplicates(), first.vectorDuplicates(), "no two distinct fixture texts embed identically");

      RealTextCorpus.Embedded again = corpus.embed(embedder, cacheDir, (done, total) -> {});
      assertEquals(15, again.cachedTexts());
      assertEquals(0, again.embeddedTexts());
      for (int i = 0; i < 20; i++) {
        assertArrayEquals(first.vectors().get(i), again.vectors().get(i));
      }
    }
  }
}
