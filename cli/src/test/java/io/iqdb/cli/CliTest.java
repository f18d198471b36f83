package io.iqdb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.Iqdb;
import io.iqdb.VectorCollection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the command end to end, in process, through every exit code. */
class CliTest {

  @TempDir Path tmp;
  Path db;

  @BeforeEach
  void setUp() {
    db = tmp.resolve("test.iqdb");
  }

  private static CliRun run(Object... args) {
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].toString();
    }
    return CliRun.of(a);
  }

  private static CliRun ok(Object... args) {
    CliRun r = run(args);
    assertEquals(ExitCode.OK, r.exitCode(), r::toString);
    return r;
  }

  private static void assertExit(int expected, CliRun r) {
    assertEquals(expected, r.exitCode(), r::toString);
    // Errors are one sentence on stderr, without a stack trace.
    assertFalse(r.err().contains("\tat "), r::toString);
  }

  private Path write(String name, String... lines) throws IOException {
    Path f = tmp.resolve(name);
    Files.write(f, List.of(lines));
    return f;
  }

  private void createWithThree() throws IOException {
    ok("create", db, "docs", "--dim", 3, "--metric", "l2", "--index", "flat");
    Path f = write("three.jsonl",
        "{\"id\": \"a\", \"vector\": [1, 0, 0], \"payload\": {\"label\": 1, \"tag\": \"x\"}}",
        "{\"id\": \"b\", \"vector\": [0, 1, 0], \"payload\": {\"label\": 2, \"tag\": \"y\"}}",
        "{\"id\": \"c\", \"vector\": [0, 0, 1], \"payload\": {\"label\": 2, \"tag\": \"z\", \"year\": 2024}}");
    ok("import", db, "docs", f);
  }

  @Test
  void helpOnEveryCommand() {
    CliRun root = ok("--help");
    assertTrue(root.out().contains("Exit codes:"), root::toString);
    for (String cmd : List.of("demo", "create", "import", "search", "get", "delete", "list", "stats", "check",
        "compact", "export", "drop")) {
      CliRun r = ok(cmd, "--help");
      assertTrue(r.out().startsWith("Usage: iqdb " + cmd), r::toString);
      assertTrue(r.out().contains("4   bad input"), r::toString);
    }
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertExit(ExitCode.USAGE, run());
    assertExit(ExitCode.USAGE, run("frobnicate"));
    assertExit(ExitCode.USAGE, run("create", db, "docs"));
    CliRun badMetric = run("create", db, "docs", "--dim", "3", "--metric", "hamming");
    assertExit(ExitCode.USAGE, badMetric);
    assertTrue(badMetric.err().contains("unknown metric 'hamming'"), badMetric::toString);
    assertExit(ExitCode.USAGE, run("create", db, "docs", "--dim", "3", "--index", "flat", "--m", "8"));
    assertExit(ExitCode.USAGE, run("search", db, "docs"));
    assertExit(ExitCode.USAGE, run("search", db, "docs", "1,2", "-k", "0"));
    // the benchmarks have their own launchers; the CLI has no bench command
    assertExit(ExitCode.USAGE, run("bench"));
    assertFalse(Files.exists(db), "a usage error creates nothing");
  }

  @Test
  void createThenCreateAgainExitsWithSeven() {
    CliRun r = ok("create", db, "docs", "--dim", 4, "--metric", "cosine", "--index", "hnsw", "--m", 8);
    assertTrue(r.out().contains("hnsw(m=8,beam=100)"), r::toString);
    assertExit(ExitCode.EXISTS, run("create", db, "docs", "--dim", 4));
    assertEquals("docs\n", ok("list", db).out());
  }

  @Test
  void missingDatabaseCollectionOrRecordExitsWithThree() throws IOException {
    CliRun noDb = run("stats", db);
    assertExit(ExitCode.NOT_FOUND, noDb);
    assertTrue(noDb.err().contains("no database at " + db), noDb::toString);
    assertFalse(Files.exists(db), "reading commands never create a database");
    createWithThree();
    CliRun noColl = run("get", db, "nope", "a");
    assertExit(ExitCode.NOT_FOUND, noColl);
    assertTrue(noColl.err().contains("collections: docs"), noColl::toString);
    assertExit(ExitCode.NOT_FOUND, run("get", db, "docs", "zzz"));
    assertExit(ExitCode.NOT_FOUND, run("search", db, "docs", "--id", "zzz"));
    assertExit(ExitCode.NOT_FOUND, run("import", db, "nope", write("x.jsonl", "{\"vector\": [1, 2, 3]}")));
    assertExit(ExitCode.NOT_FOUND, run("drop", db, "nope"));
  }

  @Test
  void importGetSearchDeleteStats() throws IOException {
    createWithThree();
    CliRun get = ok("get", db, "docs", "c", "--json");
    assertEquals("{\"id\":\"c\",\"vector\":[0.0,0.0,1.0],\"payload\":{\"label\":2,\"tag\":\"z\",\"year\":2024}}\n", get.out());

    CliRun byId = ok("search", db, "docs", "--id", "a", "-k", 2);
    List<String> lines = byId.out().lines().toList();
    assertTrue(lines.get(2).matches("\\s*1\\s+a\\s+1\\.000000\\s+.*"), byId::toString);

    CliRun filtered = ok("search", db, "docs", "[1, 0, 0]", "-k", 3, "--filter", "label = 2 and tag in (y, w)", "--json");
    Object parsed = parse(filtered.out());
    assertEquals(1, ((List<?>) parsed).size(), filtered::toString);
    assertEquals("b", ((Map<?, ?>) ((List<?>) parsed).get(0)).get("id"));

    // three records in a flat index, a filter matching one: the flat scan scores it, and says so
    CliRun explained = ok("search", db, "docs", "[1, 0, 0]", "-k", 3, "--filter", "label = 2 and tag in (y, w)", "--explain");
    assertTrue(explained.out().contains("FLAT"), explained::toString);
    assertTrue(explained.out().contains("why: the flat index is exact"), explained::toString);
    assertTrue(explained.out().contains("filter matches=1"), explained::toString);
    CliRun explainedJson = ok("search", db, "docs", "[1, 0, 0]", "-k", 3, "--explain", "--json");
    Map<?, ?> withExplanation = (Map<?, ?>) parse(explainedJson.out());
    assertEquals(3, ((List<?>) withExplanation.get("hits")).size(), explainedJson::toString);
    List<?> segments = (List<?>) ((Map<?, ?>) withExplanation.get("explanation")).get("segments");
    assertEquals(3L, ((Number) ((Map<?, ?>) segments.get(0)).get("vectorsScored")).longValue(), explainedJson::toString);

    CliRun notExists = ok("search", db, "docs", "0,0,1", "--filter", "not exists(year)", "--json");
    assertEquals(List.of("a", "b"), ids(notExists.out()).stream().sorted().toList());

    CliRun stats = ok("stats", db, "docs", "--json");
    assertEquals(3L, ((Map<?, ?>) ((List<?>) parse(stats.out())).get(0)).get("count"), stats::toString);

    ok("delete", db, "docs", "a");
    CliRun partly = run("delete", db, "docs", "b", "a");
    assertExit(ExitCode.NOT_FOUND, partly);
    assertTrue(partly.out().contains("deleted 1 of 2"), partly::toString);
    assertTrue(partly.err().contains("no record 'a'"), partly::toString);
    assertEquals(List.of("c"), ids(ok("search", db, "docs", "0,0,1", "--json").out()));
    CliRun compact = ok("compact", db);
    assertTrue(compact.out().contains("docs"), compact::toString);
  }

  @Test
  void strictComparisonsOnLongAndDoubleFields() throws IOException {
    ok("create", db, "p", "--dim", 2, "--metric", "l2", "--index", "flat");
    ok("import", db, "p", write("p.jsonl",
        "{\"id\": \"x\", \"vector\": [1, 0], \"payload\": {\"n\": 5, \"price\": 5.0}}",
        "{\"id\": \"y\", \"vector\": [0, 1], \"payload\": {\"n\": 6, \"price\": 5.5}}"));
    assertEquals(List.of("y"), ids(ok("search", db, "p", "1,0", "--filter", "n > 5", "--json").out()));
    assertEquals(List.of("x"), ids(ok("search", db, "p", "1,0", "--filter", "n < 6", "--json").out()));
    assertEquals(List.of("y"), ids(ok("search", db, "p", "1,0", "--filter", "price > 5", "--json").out()));
    assertEquals(List.of("x"), ids(ok("search", db, "p", "1,0", "--filter", "price = 5", "--json").out()));
    assertEquals(List.of("x"), ids(ok("search", db, "p", "1,0", "--filter", "price < 5.5", "--json").out()));
    assertEquals(List.of("x", "y"), ids(ok("search", db, "p", "1,0", "--filter", "n between 5 and 6", "--json").out()));
  }

  @Test
  void badInputExitsWithFour() throws IOException {
    createWithThree();
    assertExit(ExitCode.BAD_INPUT, run("search", db, "docs", "[1, 0]"));
    assertExit(ExitCode.BAD_INPUT, run("search", db, "docs", "[1, x, 0]"));
    CliRun badFilter = run("search", db, "docs", "1,0,0", "--filter", "label = = 2");
    assertExit(ExitCode.BAD_INPUT, badFilter);
    assertTrue(badFilter.err().contains("column 9"), badFilter::toString);
    assertExit(ExitCode.BAD_INPUT, run("search", db, "docs", "1,0,0", "--filter", "tag = 3"));
    assertExit(ExitCode.BAD_INPUT, run("import", db, "docs", tmp.resolve("missing.jsonl")));
    assertExit(ExitCode.BAD_INPUT, run("import", db, "docs", write("x.unknown", "1,2,3")));
  }

  @Test
  void importWithABadLineReportsItAndWritesNothing() throws IOException {
    createWithThree();
    Path bad = write("bad.jsonl",
        "{\"id\": \"a\", \"vector\": [9, 9, 9]}",
        "{\"id\": \"d\", \"vector\": [1, 1, 0]}",
        "",
        "{\"id\": \"e\", \"vector\": [1, 1]}",
        "{\"id\": \"f\", \"vector\": [1, 1, 1]}");
    CliRun r = run("import", db, "docs", bad);
    assertExit(ExitCode.BAD_INPUT, r);
    assertEquals(bad + ": line 4: the vector has 2 dimensions; collection 'docs' has 3\n",
        r.err().substring(r.err().indexOf(": ") + 2), r::toString);
    assertEquals("[1.0,0.0,0.0]", vectorOf("a"));
    assertExit(ExitCode.NOT_FOUND, run("get", db, "docs", "d"));

    CliRun json = run("import", db, "docs", write("bad2.jsonl", "{\"id\": \"g\", \"vector\": [1, 1, 1]}", "{\"id\": \"h\", \"vector\": [1, 1 1]}"));
    assertExit(ExitCode.BAD_INPUT, json);
    assertTrue(json.err().contains("line 2: invalid JSON at column 29"), json::toString);

    CliRun types = run("import", db, "docs", write("bad3.jsonl",
        "{\"id\": \"g\", \"vector\": [1, 1, 1], \"payload\": {\"n\": 1}}",
        "{\"id\": \"h\", \"vector\": [1, 1, 1], \"payload\": {\"n\": \"one\"}}"));
    assertExit(ExitCode.BAD_INPUT, types);
    assertTrue(types.err().contains("line 2: payload field 'n' is a string here but an integer at line 1"), types::toString);
    assertEquals("3\n", countOf());
  }

  @Test
  void aFailedWriteIsUndone() throws IOException {
    createWithThree();
    // 'label' is a long in the collection; a string passes the file's own checks (it is consistent
    // within the file) but the database refuses it. The first batch (a replaced, d new) must be undone.
    Path f = write("conflict.jsonl",
        "{\"id\": \"a\", \"vector\": [5, 5, 5], \"payload\": {\"label\": 7}}",
        "{\"id\": \"d\", \"vector\": [1, 1, 0]}",
        "{\"id\": \"e\", \"vector\": [1, 1, 1], \"payload\": {\"tag\": 12}}");
    CliRun r = run("import", db, "docs", f, "--batch-size", 2);
    assertExit(ExitCode.BAD_INPUT, r);
    assertTrue(r.err().contains("line 3") && r.err().contains("nothing was imported"), r::toString);
    // In a batch of several, the record the database names is found by its id.
    CliRun one = run("import", db, "docs", f);
    assertExit(ExitCode.BAD_INPUT, one);
    assertTrue(one.err().contains(f + ": line 3: "), one::toString);
    assertEquals("[1.0,0.0,0.0]", vectorOf("a"));
    assertTrue(ok("get", db, "docs", "a").out().contains("\"label\":1"));
    assertExit(ExitCode.NOT_FOUND, run("get", db, "docs", "d"));
    assertEquals("3\n", countOf());
  }

  @Test
  void importDrawsProgressForBothPassesWhenAsked() throws IOException {
    Path csv = write("p.csv", "0.5,0.5", "1,0", "0,1");
    CliRun r = ok("import", db, "pts", csv, "--create", "--metric", "l2", "--index", "flat", "--progress");
    // Each pass redraws its line with carriage returns and ends it once done (so split on \n only).
    List<String> lines = Arrays.stream(r.err().split("\n")).map(l -> l.substring(l.lastIndexOf('\r') + 1).strip()).toList();
    assertEquals(2, lines.size(), r::toString);
    assertTrue(lines.get(0).matches("checking 3 [\\d,]+/s"), r::toString);
    assertTrue(lines.get(1).matches("importing \\[#{30}\\] 100% 3/3 [\\d,]+/s ETA done"), r::toString);
    // Without --progress (and with no terminal) nothing is drawn.
    assertEquals("", ok("import", db, "pts", csv).err(), "no progress off a terminal");
  }

  @Test
  void importCreatesWithCreateAndNumbersIdLessFormats() throws IOException {
    Path csv = write("v.csv", "0.5,0.5", "1,0", "0,1");
    CliRun r = ok("import", db, "pts", csv, "--create", "--metric", "l2", "--index", "flat", "--id-start", 100);
    assertTrue(r.out().contains("imported 3 records"), r::toString);
    assertEquals("[1.0,0.0]", JsonText.write(((Map<?, ?>) parse(ok("get", db, "pts", "101", "--json").out())).get("vector")));
    // A failed import into a collection it created leaves no collection behind.
    assertExit(ExitCode.BAD_INPUT, run("import", db, "more", write("bad.csv", "1,2", "3"), "--create"));
    assertEquals("pts\n", ok("list", db).out());
    // Nor a database it created.
    Path other = tmp.resolve("other.iqdb");
    assertExit(ExitCode.BAD_INPUT, run("import", other, "more", tmp.resolve("bad.csv"), "--create"));
    assertFalse(Files.exists(other));
  }

  @Test
  void importReadsStandardInput() throws IOException {
    ok("create", db, "docs", "--dim", 2, "--metric", "l2", "--index", "flat");
    java.io.InputStream saved = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream("a,1,2\nb,3,4\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertTrue(ok("import", db, "docs", "-", "--format", "csv").out().contains("from <stdin>"));
      System.setIn(new java.io.ByteArrayInputStream("c,1,2\nd,3\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      CliRun bad = run("import", db, "docs", "-", "--format", "csv");
      assertExit(ExitCode.BAD_INPUT, bad);
      assertTrue(bad.err().contains("<stdin>: line 2: expected 3 cells, found 2"), bad::toString);
    } finally {
      System.setIn(saved);
    }
    assertExit(ExitCode.USAGE, run("import", db, "docs", "-"));
    assertEquals("[3.0,4.0]", JsonText.write(((Map<?, ?>) parse(ok("get", db, "docs", "b", "--json").out())).get("vector")));
  }

  @Test
  void exportThenImportRoundTrips() throws IOException {
    createWithThree();
    for (String ext : List.of("jsonl", "csv")) {
      Path out = tmp.resolve("out." + ext);
      ok("export", db, "docs", out);
      ok("import", db, "copy_" + ext, out, "--create", "--metric", "l2", "--index", "flat");
      for (String id : List.of("a", "b", "c")) {
        assertEquals(ok("get", db, "docs", id, "--json").out(), ok("get", db, "copy_" + ext, id, "--json").out(), ext);
      }
    }
    CliRun stdout = ok("export", db, "docs");
    assertEquals(3, stdout.out().lines().count());
  }

  @Test
  void exportAsOpenSearchBulk() throws IOException {
    createWithThree();
    Path bulk = tmp.resolve("bulk.ndjson");
    Path mapping = tmp.resolve("index.json");
    ok("export", db, "docs", bulk, "--format", "opensearch", "--os-index", "moved", "--vector-field", "emb",
        "--mapping", mapping);
    List<String> lines = java.nio.file.Files.readAllLines(bulk);
    assertEquals(6, lines.size());
    Map<String, Map<String, Object>> docs = new java.util.HashMap<>();
    for (int i = 0; i < lines.size(); i += 2) {
      Map<?, ?> action = (Map<?, ?>) ((Map<?, ?>) parse(lines.get(i))).get("index");
      assertEquals("moved", action.get("_index"));
      @SuppressWarnings("unchecked")
      Map<String, Object> source = (Map<String, Object>) parse(lines.get(i + 1));
      docs.put((String) action.get("_id"), source);
    }
    assertEquals(java.util.Set.of("a", "b", "c"), docs.keySet());
    assertEquals("[0.0,0.0,1.0]", JsonText.write(docs.get("c").get("emb")));
    assertEquals("z", docs.get("c").get("tag"));
    assertEquals(2024, ((Number) docs.get("c").get("year")).intValue());
    Map<?, ?> body = (Map<?, ?>) parse(java.nio.file.Files.readString(mapping));
    assertEquals(Boolean.TRUE, ((Map<?, ?>) body.get("settings")).get("index.iqdb"));
    Map<?, ?> field = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) body.get("mappings")).get("properties")).get("emb");
    assertEquals("iqdb_vector", field.get("type"));
    assertEquals(3, ((Number) field.get("dimension")).intValue());
    assertEquals("l2", field.get("metric"));
    assertEquals("flat", field.get("index"));
    assertEquals("none", field.get("quantization"));
    // a payload field with the vector field's name, and options of another format
    CliRun clash = run("export", db, "docs", tmp.resolve("clash.ndjson"), "--format", "opensearch", "--vector-field", "tag");
    assertExit(ExitCode.USAGE, clash);
    assertTrue(clash.err().contains("payload field named 'tag'"), clash::toString);
    assertFalse(java.nio.file.Files.exists(tmp.resolve("clash.ndjson")));
    assertExit(ExitCode.USAGE, run("export", db, "docs", "--mapping", mapping));
  }

  @Test
  void searchWithAQueryFromAFileAndFvecsExport() throws IOException {
    createWithThree();
    Path fvecs = tmp.resolve("all.fvecs");
    ok("export", db, "docs", fvecs);
    float[][] vectors = io.iqdb.cli.data.VectorFiles.readFvecs(fvecs);
    assertEquals(3, vectors.length);
    Path queries = write("q.csv", "0,0,1", "0,1,0");
    assertEquals("b", ids(ok("search", db, "docs", "--file", queries, "--row", 1, "-k", 1, "--json").out()).get(0));
    assertEquals("c", ids(ok("search", db, "docs", "--file", queries, "-k", 1, "--json").out()).get(0));
    assertExit(ExitCode.BAD_INPUT, run("search", db, "docs", "--file", queries, "--row", 2));
    assertExit(ExitCode.USAGE, run("search", db, "docs", "1,0,0", "--id", "a"));
    assertExit(ExitCode.USAGE, run("export", db, "docs", "--format", "fvecs"));
    CliRun table = ok("get", db, "docs", "b");
    assertTrue(table.out().contains("vector:   [0.0,1.0,0.0] (3 dimensions)"), table::toString);
  }

  @Test
  void ioErrorExitsWithOne() throws IOException {
    createWithThree();
    CliRun r = run("export", db, "docs", tmp.resolve("no/such/dir/out.jsonl"));
    assertExit(ExitCode.IO_ERROR, r);
    assertTrue(r.err().startsWith("iqdb export: I/O error"), r::toString);
  }

  @Test
  void lockedDatabaseExitsWithSix() throws IOException {
    createWithThree();
    try (Iqdb open = Iqdb.open(db)) {
      CliRun r = run("stats", db);
      assertExit(ExitCode.LOCKED, r);
    }
    ok("stats", db);
  }

  @Test
  void checkPassesThenFindsCorruptionAndExitsWithFive() throws IOException {
    createWithThree();
    ok("create", db, "other", "--dim", 2);
    CliRun clean = ok("check", db);
    assertTrue(clean.out().contains("all 2 collections ok"), clean::toString);
    corruptLargestIndexFile(db.resolve("collections/docs/index"));
    CliRun r = run("check", db);
    assertExit(ExitCode.CORRUPT, r);
    assertTrue(r.err().contains("1 of 2 collections are corrupt; first: collection 'docs': collection 'docs' could not be opened: "),
        r::toString);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("docs ") && l.contains("CORRUPT: ")), r::toString);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("other ") && l.endsWith(" ok")), r::toString);
  }

  @Test
  void checkNamesTheCollectionOfACorruptWriteAheadLog() throws IOException {
    createWithThree();
    ok("create", db, "other", "--dim", 2);
    flipByte(db.resolve("collections/docs/wal/wal.ckp"), 20);
    CliRun r = run("check", db);
    assertExit(ExitCode.CORRUPT, r);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("docs ") && l.contains("CORRUPT: ")), r::toString);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("other ") && l.endsWith(" ok")), r::toString);
    assertTrue(r.err().contains("1 of 2 collections are corrupt; first: collection 'docs': collection 'docs' could not be opened: "),
        r::toString);
    // The damaged collection refuses every other command too, with the same exit code; the
    // database still opens, so the other collection is served.
    assertExit(ExitCode.CORRUPT, run("stats", db, "docs"));
    ok("stats", db, "other");
  }

  @Test
  void checkReportsACorruptCatalog() throws IOException {
    createWithThree();
    try (java.util.stream.Stream<Path> files = Files.list(db)) {
      flipByte(files.filter(p -> p.getFileName().toString().startsWith("catalog_")).findFirst().orElseThrow(), 20);
    }
    CliRun r = run("check", db);
    assertExit(ExitCode.CORRUPT, r);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("docs ") && l.endsWith(" index ok")), r::toString);
    assertTrue(r.err().contains("every index checks out, but the database does not open: "), r::toString);
  }

  private static void flipByte(Path file, int at) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[at] ^= 0x5A;
    Files.write(file, bytes);
  }

  @Test
  void checkSummarizesACheckIndexReport() {
    String report = "Segments file=segments_2 numSegments=1\n  1 of 1: name=_0 maxDoc=3\n    FAILED\n"
        + "    WARNING: exorciseIndex() would remove reference to this segment; full exception:\n"
        + "org.apache.lucene.index.CorruptIndexException: checksum failed (hardware problem?) : expected=1 actual=2\n"
        + "\tat org.apache.lucene.codecs.CodecUtil.checkFooter(CodecUtil.java:1)\n";
    assertEquals("checksum failed (hardware problem?) : expected=1 actual=2", CheckCommand.summary(report));
    assertEquals("ERROR: bad", CheckCommand.summary("x\n ERROR: bad\n"));
  }

  static void corruptLargestIndexFile(Path index) throws IOException {
    Path victim;
    try (Stream<Path> files = Files.list(index)) {
      victim = files.filter(p -> !p.getFileName().toString().startsWith("segments") && !p.getFileName().toString().endsWith(".lock"))
          .max((x, y) -> Long.compare(x.toFile().length(), y.toFile().length())).orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(victim);
    int at = bytes.length / 2;
    bytes[at] ^= 0x5A;
    Files.write(victim, bytes);
  }

  @Test
  void verbosePrintsTheStackTrace() {
    CliRun quiet = run("stats", db);
    assertFalse(quiet.err().contains("\tat "));
    CliRun verbose = run("stats", db, "--verbose");
    assertEquals(ExitCode.NOT_FOUND, verbose.exitCode());
    assertTrue(verbose.err().contains("\tat io.iqdb.cli."), verbose::toString);
  }

  @Test
  void demoRunsOnGeneratedData() {
    CliRun r = ok("demo", tmp.resolve("demo.iqdb"), "--generated", "--size", 2000, "--queries", 20);
    assertTrue(r.out().contains("using generated data") || r.out().contains("a generated dataset"), r::toString);
    assertTrue(r.out().lines().anyMatch(l -> l.matches("flat\\s+\\d+\\.\\d s .*1\\.000\\s*")), r::toString);
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("hnsw ")), r::toString);
    assertTrue(r.out().contains("ivf"), r::toString);
    // A second run rebuilds the demo collections in the same database.
    ok("demo", tmp.resolve("demo.iqdb"), "--generated", "--size", 500, "--queries", 5);
    try (Iqdb iqdb = Iqdb.open(tmp.resolve("demo.iqdb"))) {
      VectorCollection flat = iqdb.collection("demo_flat");
      assertEquals(500, flat.count());
    }
  }

  private String vectorOf(String id) {
    return JsonText.write(((Map<?, ?>) parse(ok("get", db, "docs", id, "--json").out())).get("vector"));
  }

  private String countOf() {
    Map<?, ?> s = (Map<?, ?>) ((List<?>) parse(ok("stats", db, "docs", "--json").out())).get(0);
    return s.get("count") + "\n";
  }

  private static List<String> ids(String json) {
    return ((List<?>) parse(json)).stream().map(h -> (String) ((Map<?, ?>) h).get("id")).collect(Collectors.toList());
  }

  /** Integers as longs, as the database returns them. */
  private static final tools.jackson.databind.json.JsonMapper READER = tools.jackson.databind.json.JsonMapper.builder()
      .enable(tools.jackson.databind.DeserializationFeature.USE_LONG_FOR_INTS).build();

  static Object parse(String json) {
    try {
      return READER.readValue(json, Object.class);
    } catch (tools.jackson.core.JacksonException e) {
      throw new AssertionError(e.getMessage() + " in " + json, e);
    }
  }
}
