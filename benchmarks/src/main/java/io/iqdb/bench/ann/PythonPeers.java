package io.iqdb.bench.ann;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the FAISS and hnswlib peers through {@code benchmarks/python/peers.py} and reads back the
 * JSON it writes, one result row per measured point.
 *
 * <p>The script reads the same {@code .fvecs} / {@code .ivecs} files as the Java systems use and
 * measures the same quantities the same way (see its docstring); FAISS runs with
 * {@code faiss.omp_set_num_threads(1)} for the single-thread pass.
 */
public final class PythonPeers {

  /** The Debian packages the peers need. */
  public static final String DEBIAN_PACKAGES = "python3-numpy python3-faiss python3-hnswlib libopenblas0-pthread";

  /** The peers' names, as the script knows them. */
  public static final List<String> SYSTEMS = List.of("faiss-flat", "faiss-ivf", "faiss-hnsw", "hnswlib");

  private final Path python;
  private final Path script;

  /**
   * What a run produced.
   *
   * @param rows one row per measured point
   * @param descriptions how each system was configured
   * @param versions versions of Python and its libraries
   */
  public record Output(List<ResultRow> rows, Map<String, String> descriptions, Map<String, String> versions) {}

  /**
   * Creates a runner.
   *
   * @param python the interpreter, e.g. {@code /usr/bin/python3}
   * @param script the path of {@code peers.py}
   */
  public PythonPeers(Path python, Path script) {
    this.python = python;
    this.script = script;
  }

  /**
   * Checks that the interpreter, the script and the Python modules are present.
   *
   * @return null if everything is there, else a message saying what to install
   */
  public String missing() {
    if (!Files.isExecutable(python)) {
      return "no Python interpreter at " + python + "; install: sudo apt-get install python3 " + DEBIAN_PACKAGES;
    }
    if (!Files.isRegularFile(script)) {
      return "peers script not found at " + script + " (run from the repository root)";
    }
    try {
      Process p = new ProcessBuilder(python.toString(), "-c", "import numpy, faiss, hnswlib")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "timed out importing numpy, faiss and hnswlib with " + python;
      }
      if (p.exitValue() != 0) {
        String last = out.lines().reduce((a, b) -> b).orElse("");
        return "cannot import numpy, faiss and hnswlib with " + python + " (" + last
            + "); install: sudo apt-get install " + DEBIAN_PACKAGES;
      }
      return null;
    } catch (IOException e) {
      return "cannot run " + python + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /**
   * Runs the script and reads its results.
   *
   * @param systems the peers to run, from {@link #SYSTEMS}
   * @param train the indexed vectors ({@code .fvecs})
   * @param queries the queries ({@code .fvecs})
   * @param truth the exact neighbours of each query ({@code .ivecs}, {@code k} per query)
   * @param metric {@code l2} or {@code cosine}
   * @param options more {@code --name value} options for the script
   * @param json the base name of the per-system JSON files the script writes
   * @param dataset the dataset name for the rows
   * @return the rows, descriptions and versions
   * @throws IOException if the script fails or its output cannot be read
   * @throws InterruptedException if interrupted while waiting for the script
   */
  public Output run(List<String> systems, Path train, Path queries, Path truth, String metric,
      Map<String, String> options, Path json, String dataset) throws IOException, InterruptedException {
    List<ResultRow> rows = new ArrayList<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    Map<String, String> versions = new LinkedHashMap<>();
    // One process per system: peak RSS (ru_maxrss) only means something for a fresh process.
    for (String system : systems) {
      Path out = json.resolveSibling(json.getFileName() + "." + system + ".json");
      List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(),
          "--train", train.toString(), "--queries", queries.toString(), "--gt", truth.toString(),
          "--metric", metric, "--systems", system, "--out", out.toString()));
      options.forEach((k, v) -> {
        command.add("--" + k);
        command.add(v);
      });
      System.out.println("running: " + String.join(" ", command));
      Process p = new ProcessBuilder(command).inheritIO().start();
      int rc = p.waitFor();
      if (rc != 0) {
        rows.add(ResultRow.failed(dataset, system, "failed: peers.py exited with status " + rc));
        continue;
      }
      Output o = read(out, dataset);
      rows.addAll(o.rows());
      descriptions.putAll(o.descriptions());
      versions.putAll(o.versions());
      Files.deleteIfExists(out);
    }
    return new Output(rows, descriptions, versions);
  }

  @SuppressWarnings("unchecked")
  static Output read(Path json, String dataset) throws IOException {
    Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(json));
    List<ResultRow> rows = new ArrayList<>();
    for (Object o : (List<Object>) root.get("rows")) {
      Map<String, Object> r = (Map<String, Object>) o;
      rows.add(new ResultRow(dataset, str(r, "system"), str(r, "parameter"), (int) num(r, "value"),
          num(r, "recall"), num(r, "qps1"), num(r, "qps_all"), (int) num(r, "threads"),
          num(r, "p50_us"), num(r, "p99_us"), num(r, "build_s"), (int) num(r, "build_threads"),
          num(r, "disk_mb"), num(r, "peak_mem_mb"), num(r, "retained_mem_mb"), str(r, "status")));
    }
    Map<String, String> descriptions = new LinkedHashMap<>();
    ((Map<String, Object>) root.getOrDefault("descriptions", Map.of())).forEach((k, v) -> descriptions.put(k, String.valueOf(v)));
    Map<String, String> versions = new LinkedHashMap<>();
    ((Map<String, Object>) root.getOrDefault("versions", Map.of())).forEach((k, v) -> versions.put(k, String.valueOf(v)));
    return new Output(rows, descriptions, versions);
  }

  private static String str(Map<String, Object> row, String key) {
    Object v = row.get(key);
    return v == null ? "" : v.toString();
  }

  private static double num(Map<String, Object> row, String key) {
    return row.get(key) instanceof Double d ? d : Double.NaN;
  }
}
