package io.iqdb.recovery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CrashChild} running in its own JVM (same {@code java}, the test classpath), whose stdout
 * lines arrive through {@link #poll}. Stderr goes to a file, shown when the child misbehaves.
 */
final class ChildJvm implements AutoCloseable {
  /** Marks the end of stdout in the line queue. */
  static final String EOF = "\u0000EOF";

  private static final long HANG_SECONDS = 120;

  private final Process process;
  private final Path stderr;
  private final Thread pump;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  ChildJvm(Path workDir, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Surefire hides the real classpath behind a manifest jar and publishes it here.
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(
        java, "-cp", cp, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-ea", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        CrashChild.class.getName()));
    cmd.addAll(List.of(args));
    stderr = Files.createTempFile(workDir, "child", ".stderr");
    process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    process.getOutputStream().close();
    pump = new Thread(this::pump, "child-stdout-" + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("ERROR reading child stdout: " + e);
    } finally {
      lines.add(EOF);
    }
  }

  /**
   * The next line, waiting at most {@code millis}.
   *
   * @return the line, {@link #EOF} at the end, or null on timeout
   */
  String poll(long millis) throws InterruptedException {
    String line = lines.poll(millis, TimeUnit.MILLISECONDS);
    if (line != null) {
      seen.add(line);
    }
    return line;
  }

  /** The next line; fails if the child says nothing for two minutes. */
  String take() throws InterruptedException {
    String line = poll(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
    if (line == null) {
      throw new AssertionError("child " + process.pid() + " silent for " + HANG_SECONDS + "s" + describe());
    }
    if (line.startsWith("ERROR")) {
      throw new AssertionError("child failed: " + line + describe());
    }
    return line;
  }

  /**
   * SIGKILL (on POSIX), then waits for the process to be gone. Through the {@link ProcessHandle}:
   * {@code Process.destroyForcibly()} also closes our end of the stdout pipe, which would lose the
   * acknowledgements the child printed just before it died.
   */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " survived destroyForcibly");
    }
  }

  /** Waits for the process to exit by itself; returns its status. */
  int waitFor() throws InterruptedException {
    if (!process.waitFor(HANG_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + process.pid() + " did not exit" + describe());
    }
    return process.exitValue();
  }

  /** The lines the test has read and the child's stderr, for failure messages. */
  String describe() {
    String err;
    try {
      err = Files.readString(stderr);
    } catch (IOException e) {
      err = "(stderr unreadable: " + e + ")";
    }
    List<String> tail = seen.subList(Math.max(0, seen.size() - 10), seen.size());
    return "\n  last stdout lines: " + tail + "\n  stderr: " + (err.length() > 4000 ? err.substring(0, 4000) : err);
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        kill();
      }
      pump.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while stopping child " + process.pid(), e);
    }
  }
}
