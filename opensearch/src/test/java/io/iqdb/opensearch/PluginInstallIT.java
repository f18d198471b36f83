package io.iqdb.opensearch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.opensearch.plugins.PluginInfo;
import org.junit.Before;
import org.junit.Test;

/**
 * Installs the plugin zip the module built with OpenSearch's own installer: the code behind {@code
 * bin/opensearch-plugin} ({@code org.opensearch.tools.cli.plugin.PluginCli} from {@code
 * org.opensearch:opensearch-plugin-cli}), run as the script runs it, in its own JVM with {@code
 * opensearch.path.home} and {@code opensearch.path.conf} pointing at a directory laid out as a
 * distribution is. The distribution is not on Maven Central; the installer's jar is, and the newest
 * published (3.6.0) runs here on OpenSearch 3.9.0's core, so the installer checks the zip against
 * version 3.9.0 (the second test shows it does).
 */
public class PluginInstallIT {

  private static final String CLI = "org.opensearch.tools.cli.plugin.PluginCli";

  private Path zip;
  private Path home;

  /** A fresh distribution home: the directories the installer reads (modules/, plugins/) or may write. */
  @Before
  public void home() throws IOException {
    zip = Path.of(System.getProperty("iqdb.plugin.zip"));
    home = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "opensearch-home");
    for (String dir : List.of("bin", "config", "lib", "modules", "plugins")) {
      Files.createDirectory(home.resolve(dir));
    }
  }

  @Test
  public void installListRemove() throws Exception {
    Result install = run("install", "--batch", zip.toUri().toString());
    assertEquals(install.output, 0, install.exit);
    assertTrue(install.output, install.output.contains("-> Installed iqdb with folder name iqdb"));

    // What landed in plugins/iqdb is the zip's content, and OpenSearch reads it as the iqdb plugin.
    Path installed = home.resolve("plugins").resolve("iqdb");
    String jarName = "iqdb-opensearch-" + System.getProperty("iqdb.version") + ".jar";
    assertEquals(Set.of("plugin-descriptor.properties", jarName), names(installed));
    assertEquals(Set.of("iqdb"), names(home.resolve("plugins"))); // no staging directory left
    PluginInfo info = PluginInfo.readFromProperties(installed);
    assertEquals("iqdb", info.getName());
    assertEquals(IqdbPlugin.class.getName(), info.getClassname());
    assertTrue(Arrays.equals(zipEntry(zip, jarName), Files.readAllBytes(installed.resolve(jarName))));

    Result list = run("list");
    assertEquals(list.output, 0, list.exit);
    assertEquals(list.output, List.of("iqdb"), lines(list.output));

    // A second install of the same plugin is refused (the installer's PLUGIN_EXISTS, exit code 1).
    Result again = run("install", "--batch", zip.toUri().toString());
    assertEquals(again.output, 1, again.exit);
    assertTrue(again.output, again.output.contains("already exists"));

    Result remove = run("remove", "iqdb");
    assertEquals(remove.output, 0, remove.exit);
    assertEquals(Set.of(), names(home.resolve("plugins")));
    Result empty = run("list");
    assertEquals(empty.output, 0, empty.exit);
    assertEquals(empty.output, List.of(), lines(empty.output));
  }

  /** The installer runs as OpenSearch 3.9.0: a descriptor naming another version is refused. */
  @Test
  public void zipForAnotherOpenSearchIsRefused() throws Exception {
    Path other = home.resolve("iqdb-for-3.6.0.zip");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(other))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        byte[] bytes = in.readAllBytes();
        if (e.getName().equals("plugin-descriptor.properties")) {
          String descriptor = new String(bytes, StandardCharsets.UTF_8);
          assertTrue(descriptor, descriptor.contains("opensearch.version=3.9.0"));
          bytes = descriptor.replace("opensearch.version=3.9.0", "opensearch.version=3.6.0").getBytes(StandardCharsets.UTF_8);
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }
    Result install = run("install", "--batch", other.toUri().toString());
    assertTrue(install.output, install.exit != 0);
    assertTrue(
        install.output,
        install.output.contains("was built for OpenSearch version 3.6.0 but version 3.9.0 is running"));
    assertEquals(Set.of(), names(home.resolve("plugins"))); // rolled back
  }

  private record Result(int exit, String output) {}

  /**
   * Runs the installer as {@code bin/opensearch-plugin} does: {@code java -cp <lib>
   * org.opensearch.tools.cli.plugin.PluginCli args} with the home and config paths as system
   * properties. The class path is this test's without the module's own classes: the installer
   * checks jar hell of the plugin against the class path it runs on, as a node's lib/ would be.
   */
  private Result run(String... args) throws IOException, InterruptedException {
    String buildDir = Path.of(System.getProperty("iqdb.build.dir")).toAbsolutePath().toString();
    String classPath =
        Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .filter(p -> !Path.of(p).toAbsolutePath().startsWith(buildDir))
            .collect(Collectors.joining(java.io.File.pathSeparator));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-Dopensearch.path.home=" + home);
    command.add("-Dopensearch.path.conf=" + home.resolve("config"));
    command.add("-cp");
    command.add(classPath);
    command.add(CLI);
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close(); // --batch: nothing is asked
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue("installer still running: " + output, process.waitFor(2, TimeUnit.MINUTES));
    return new Result(process.exitValue(), output);
  }

  private static Set<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  private static List<String> lines(String output) {
    return output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static byte[] zipEntry(Path zip, String name) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.getName().equals(name)) {
          return in.readAllBytes();
        }
      }
    }
    throw new AssertionError(name + " not in " + zip);
  }
}
