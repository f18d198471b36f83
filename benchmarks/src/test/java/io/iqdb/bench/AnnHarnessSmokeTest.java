package io.iqdb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.iqdb.bench.ann.PythonPeers;
import io.iqdb.bench.ann.ResultRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the harness end to end on a tiny dataset, so that it keeps working. Not a benchmark. */
class AnnHarnessSmokeTest {

  @TempDir Path dir;

  private List<ResultRow> run(String systems, String... extra) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of(
        "--dataset", "synthetic", "--n", "3000", "--dim", "16", "--queries", "100", "--systems", systems,
        "--ef", "20,80", "--probes", "4,32", "--ivf-lists", "16", "--warmup-ms", "20", "--threads", "2",
        "--benchmarks", ".", "--data", dir.resolve("data").toString(), "--out", dir.resolve("out").toString()));
    args.addAll(List.of(extra));
    return AnnHarness.run(HarnessOptions.parse(args.toArray(String[]::new)));
  }

  @Test
  void javaSystemsReachSaneRecallAndReportsAreWritten() throws Exception {
    List<ResultRow> rows = run("lucene-hnsw,jvector,iqdb-flat,iqdb-hnsw", "--no-python", "--no-plot");
    for (String system : List.of("lucene-hnsw", "jvector")) {
      ResultRow wide = rows.stream().filter(r -> r.system().equals(system) && r.value() == 80).findFirst().orElseThrow(
          () -> new AssertionError(system + " has no row at ef=80: " + rows));
      assertEquals("ok", wide.status(), system);
      assertTrue(wide.recall() > 0.9, system + " recall " + wide.recall());
      assertTrue(wide.qps1() > 0 && wide.qpsAll() > 0 && wide.p99Micros() >= wide.p50Micros(), wide.toString());
      assertTrue(wide.diskMb() > 0, system + " disk " + wide.diskMb());
    }
    // iQDB may not support an index yet; then the harness records why and goes on.
    for (String system : List.of("iqdb-flat", "iqdb-hnsw")) {
      List<ResultRow> mine = rows.stream().filter(r -> r.system().equals(system)).toList();
      assertTrue(!mine.isEmpty(), system + " has no row");
      for (ResultRow r : mine) {
        assertTrue(r.ok() || r.status().startsWith("unsupported: ") || r.status().startsWith("failed: "), r.status());
        if (r.ok() && system.equals("iqdb-flat")) {
          assertTrue(r.recall() > 0.99, "exact search recall " + r.recall());
        }
      }
    }
    Path out = dir.resolve("out");
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(String.join(",", ResultRow.COLUMNS), csv.get(0));
    assertEquals(rows.size() + 1, csv.size());
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(md.contains("## Headline") && md.contains("| lucene-hnsw | ef=") && md.contains("nproc: "), md);
    assertTrue(Files.isRegularFile(dir.resolve("data").resolve("synthetic-3000x16-q100-s42-gt100.ivecs")));
  }

  @Test
  void pythonPeersWhenInstalled() throws Exception {
    PythonPeers peers = new PythonPeers(Path.of("/usr/bin/python3"), Path.of("python/peers.py"));
    String missing = peers.missing();
    assumeTrue(missing == null, missing);
    List<ResultRow> rows = run("faiss-ivf,hnswlib", "--no-plot");
    for (String system : List.of("faiss-ivf", "hnswlib")) {
      ResultRow best = rows.stream().filter(r -> r.system().equals(system) && r.ok())
          .max((a, b) -> Double.compare(a.recall(), b.recall())).orElseThrow(() -> new AssertionError(rows.toString()));
      assertTrue(best.recall() > 0.9, system + " recall " + best.recall());
      assertTrue(best.qps1() > 0 && best.buildSeconds() >= 0, best.toString());
    }
  }

  @Test
  void badArgumentsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HarnessOptions.parse("--systems", "lucene-hnsw,milvus"));
    assertTrue(e.getMessage().contains("milvus"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--ef", "10,x"));
    assertTrue(e.getMessage().contains("--ef"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--probes", "4,0"));
    assertTrue(e.getMessage().contains("--probes must be positive; got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HarnessOptions.parse("--frobnicate"));
    assertTrue(e.getMessage().contains("--frobnicate"), e.getMessage());
    HarnessOptions o = HarnessOptions.parse("--systems", "hnswlib,lucene-hnsw", "--ef", "5,7", "--k", "20");
    assertEquals(List.of("lucene-hnsw", "hnswlib"), o.systems);
    assertEquals(List.of(5, 7), o.efSweep);
    assertEquals(20, o.k);
    String usage = HarnessOptions.usage();
    assertTrue(usage.contains("--ef-construction") && usage.contains("iqdb-hnsw-int4"), usage);
  }
}
