package io.iqdb.bench.ann;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A FAISS or hnswlib system living in the {@link PythonPeers} server process. */
final class PythonContender implements Contender {

  private final PythonPeers.Server server;
  private final String name;

  PythonContender(PythonPeers.Server server, String name) {
    this.server = server;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public BuildInfo build() throws Exception {
    Map<String, Object> r = server.request(Map.of("cmd", "build", "system", name));
    List<Integer> sweep = new ArrayList<>();
    for (Object v : (List<?>) r.get("sweep")) {
      sweep.add(((Number) v).intValue()); // the JSON reader gives Integer for a whole number
    }
    return new BuildInfo(str(r, "parameter"), sweep, str(r, "description"), num(r, "build_s"),
        (int) num(r, "build_threads"), num(r, "disk_mb"), num(r, "peak_mem_mb"), num(r, "retained_mem_mb"));
  }

  @Override
  public SearchRunner.Point measure(int value) throws Exception {
    Map<String, Object> r = server.request(Map.of("cmd", "measure", "system", name, "value", value));
    return new SearchRunner.Point(num(r, "recall"), num(r, "qps1"), num(r, "qps_all"), num(r, "p50_us"), num(r, "p99_us"));
  }

  @Override
  public void close() throws java.io.IOException {
    if (server.isAlive()) {
      server.request(Map.of("cmd", "drop", "system", name));
    }
  }

  private static String str(Map<String, Object> row, String key) {
    Object v = row.get(key);
    return v == null ? "" : v.toString();
  }

  private static double num(Map<String, Object> row, String key) {
    return row.get(key) instanceof Number n ? n.doubleValue() : Double.NaN; // Integer for a whole number
  }
}
