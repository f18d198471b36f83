package io.iqdb.opensearch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.opensearch.Version;
import org.opensearch.common.bootstrap.JarHell;
import org.opensearch.plugins.PluginInfo;
import org.junit.Test;

/**
 * The plugin zip the module builds (package phase, hence a Failsafe test), checked as {@code
 * opensearch-plugin install} checks it: files at the zip's root, a descriptor that OpenSearch's own
 * parser accepts for this OpenSearch version, and no class that OpenSearch (or Lucene 10.5.1)
 * already has (jar hell). {@link PluginInstallIT} then installs it with OpenSearch's installer.
 */
public class PluginZipIT {

  @Test
  public void zipInstallsAsOpenSearchChecksIt() throws Exception {
    Path zip = Path.of(System.getProperty("iqdb.plugin.zip"));
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "plugin-zip");
    List<String> entries = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        entries.add(e.getName());
        assertTrue("entries sit at the zip's root: " + e.getName(), !e.getName().contains("/"));
        Files.copy(in, dir.resolve(e.getName()));
      }
    }
    String jarName = "iqdb-opensearch-" + System.getProperty("iqdb.version") + ".jar";
    assertEquals(Set.of("plugin-descriptor.properties", jarName), Set.copyOf(entries));

    PluginInfo info = PluginInfo.readFromProperties(dir);
    assertEquals("iqdb", info.getName());
    assertEquals(IqdbPlugin.class.getName(), info.getClassname());
    assertEquals("21", info.getJavaVersion());
    assertTrue(
        "built for " + info.getOpenSearchVersionRangesString() + ", this OpenSearch is " + Version.CURRENT,
        info.getOpenSearchVersionRanges().stream().allMatch(r -> r.isSatisfiedBy(Version.CURRENT)));

    try (JarFile jar = new JarFile(dir.resolve(jarName).toFile())) {
      assertNotNull(jar.getEntry("io/iqdb/opensearch/IqdbPlugin.class"));
      assertNotNull(jar.getEntry("io/iqdb/codecs/IqdbCodec.class"));
      assertTrue(read(jar, "META-INF/services/org.apache.lucene.codecs.Codec").contains("io.iqdb.codecs.IqdbCodec"));
      assertTrue(read(jar, "META-INF/services/org.apache.lucene.codecs.KnnVectorsFormat").contains("io.iqdb.codecs.ivf.IvfVectorsFormat"));
      assertTrue("no module descriptor: OpenSearch loads plugins on the class path", jar.getEntry("module-info.class") == null);
    }

    // The installer's jar hell check: the plugin's jar against the node's class path. Here that is
    // this test's class path (OpenSearch, Lucene 10.5.1, the test framework) without the module's
    // own classes, which are the same classes as the jar's.
    Set<URL> classPath =
        JarHell.parseClassPath().stream()
            .filter(u -> !u.getPath().contains("/opensearch/target/"))
            .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    classPath.add(dir.resolve(jarName).toUri().toURL());
    JarHell.checkJarHell(classPath, msg -> {});
  }

  private static String read(JarFile jar, String name) throws IOException {
    try (InputStream in = jar.getInputStream(jar.getEntry(name))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
