package io.iqdb.bench.ann;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the FAISS and hnswlib peers in {@code benchmarks/python/peers.py}, started in server mode
 * so that the harness can measure them in the same rounds as the Java systems.
 *
 * <p>The script reads the same {@code .fvecs} / {@code .ivecs} files as the Java systems use and
 * measures the same quantities the same way (see its docstring); FAISS runs with
 * {@code faiss.omp_set_num_threads(1)} for the single-thread pass.
 */
public final class PythonPeers {

  /** Requests and replies are one JSON object per line. */
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The Debian packages the peers need. */
  public static final String DEBIAN_PACKAGES = "python3-numpy python3-faiss python3-hnswlib libopenblas0-pthread";

  /** The peers' names, as the script knows them. */
  public static final List<String> SYSTEMS = List.of("faiss-flat", "faiss-ivf", "faiss-hnsw", "hnswlib");

  private final Path python;
  private final Path script;

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
   * Starts the script in server mode on one dataset's files (see the script's docstring for the
   * protocol).
   *
   * @param train the indexed vectors ({@code .fvecs})
   * @param queries the queries ({@code .fvecs})
   * @param truth the exact neighbours of each query ({@code .ivecs}, at least {@code k} per query)
   * @param metric {@code l2} or {@code cosine}
   * @param options more {@code --name value} options for the script
   * @return the running server
   * @throws IOException if the process cannot be started
   */
  public Server start(Path train, Path queries, Path truth, String metric, Map<String, String> options)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), "--serve",
        "--train", train.toString(), "--queries", queries.toString(), "--gt", truth.toString(), "--metric", metric));
    options.forEach((k, v) -> {
      command.add("--" + k);
      command.add(v);
    });
    System.out.println("starting: " + String.join(" ", command));
    Process p = new ProcessBuilder(command).start();
    // The script's progress goes to stderr; copy it to our stdout so it lands where our own log
    // goes (and in the test report rather than on the build console).
    Thread.ofPlatform().daemon().name("peers.py-stderr").start(() -> {
      try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = err.readLine()) != null; ) {
          System.out.println("peers.py: " + line);
        }
      } catch (IOException e) {
        // the process ended: nothing more to copy
      }
    });
    return new Server(p);
  }

  /** The script running in server mode: one JSON request line in, one JSON reply line out. */
  public static final class Server implements AutoCloseable {
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;

    private Server(Process process) {
      this.process = process;
      this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * Returns whether the process still runs.
     *
     * @return true if alive
     */
    public boolean isAlive() {
      return process.isAlive();
    }

    /**
     * Sends one request and waits for its reply.
     *
     * @param request a flat map of strings and numbers
     * @return the reply
     * @throws IOException if the process died or replied with an error
     */
    public Map<String, Object> request(Map<String, ?> request) throws IOException {
      String json = JSON.writeValueAsString(request);
      in.write(json + "\n");
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IOException("peers.py exited (status " + exitStatus() + ") while handling " + json);
      }
      Map<String, Object> reply;
      try {
        reply = JSON.readValue(line, new TypeReference<Map<String, Object>>() {});
      } catch (JacksonException e) {
        throw new IOException("peers.py replied with invalid JSON: " + line, e);
      }
      if (!Boolean.TRUE.equals(reply.get("ok"))) {
        throw new IOException(String.valueOf(reply.get("error")));
      }
      return reply;
    }

    private String exitStatus() {
      try {
        return process.waitFor(10, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "unknown";
      }
    }

    /** Asks the script to quit and waits for it; kills it if it does not. */
    @Override
    public void close() {
      try {
        if (process.isAlive()) {
          request(Map.of("cmd", "quit"));
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
