package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases written by earlier versions keep opening. Each released format has a sample database
 * under {@code src/test/resources/compat/<version>/}, written by {@link #writeSample} with
 * deterministic data; this test opens a copy and checks every record and a search.
 *
 * <p>To add a sample when a format changes (any file of a database: catalog, WAL, codec): {@code
 * ./test.sh -pl src -Dtest=CompatibilityTest -Diqdb.compat.write=$PWD/src/test/resources/compat/<version>}.
 * Every directory under {@code compat/} is tested; a sample is never rewritten or removed.
 */
class CompatibilityTest {
  /** Released versions whose samples must be present: guards against a lost resource directory. */
  static final List<String> REQUIRED_VERSIONS = List.of("0.1.0");

  private static final int RECORDS = 100;
  private static final int DIM = 16;

  private static final List<String> COLLECTIONS = List.of("flat", "hnsw", "ivf", "ivf_int8");

  private static CollectionConfig config(String name) {
    return switch (name) {
      case "flat" -> CollectionConfig.builder(DIM, Metric.L2).index(IndexSpec.flat()).build();
      case "hnsw" -> CollectionConfig.builder(DIM, Metric.COSINE).index(IndexSpec.hnsw(8, 50)).build();
      case "ivf" -> CollectionConfig.builder(DIM, Metric.L2)
          .index(IndexSpec.ivf().withLists(4).withQuantization(Quantization.NONE)).build();
      case "ivf_int8" -> CollectionConfig.builder(DIM, Metric.MAX_INNER_PRODUCT)
          .index(IndexSpec.ivf().withLists(4).withQuantization(Quantization.INT8)).build();
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static VectorRecord record(int i) {
    Random r = new Random(i);
    float[] v = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      v[d] = (float) r.nextGaussian();
    }
    return VectorRecord.of("r" + i, v, Payload.of(
        "i", i, "name", "record " + i, "half", i / 2.0, "even", i % 2 == 0, "tags", List.of("t" + i % 3)));
  }

  @Test
  @EnabledIfSystemProperty(named = "iqdb.compat.write", matches = ".+")
  void writeSample() throws IOException {
    Path dir = Path.of(System.getProperty("iqdb.compat.write"), "db");
    try (Iqdb db = Iqdb.open(dir)) {
      for (String name : COLLECTIONS) {
        VectorCollection c = db.createCollection(name, config(name));
        for (int i = 0; i < RECORDS; i++) {
          c.upsert(record(i));
        }
        c.delete("r13");
      }
    }
    Files.deleteIfExists(dir.resolve("iqdb.lock"));
  }

  @Test
  void samplesOfEveryReleasedVersionOpen(@TempDir Path tmp) throws Exception {
    List<String> versions = sampleVersions();
    assertTrue(versions.containsAll(REQUIRED_VERSIONS), "samples found: " + versions);
    for (String version : versions) {
      Path copy = copyOf(version, tmp.resolve(version));
      try (Iqdb db = Iqdb.open(copy)) {
        assertEquals(COLLECTIONS.stream().sorted().toList(), db.listCollections(), version);
        for (String name : COLLECTIONS) {
          VectorCollection c = db.collection(name);
          assertEquals(config(name), c.config(), version + "/" + name);
          assertEquals(RECORDS - 1, c.count(), version + "/" + name);
          for (int i = 0; i < RECORDS; i++) {
            VectorRecord expected = record(i);
            if (i == 13) {
              assertEquals(java.util.Optional.empty(), c.get(expected.id()));
              continue;
            }
            VectorRecord actual = c.get(expected.id()).orElseThrow();
            assertArrayEquals(expected.vector(), actual.vector(), version + "/" + name + "/" + i);
            assertEquals(expected.payload(), actual.payload());
          }
          VectorRecord probe = record(42);
          assertEquals("r42", c.search(SearchRequest.of(probe.vector(), 1).exact(true)).get(0).id());
          assertEquals(List.of("r42"), c.search(probe.vector(), 5, Filter.eq("i", 42)).stream().map(Hit::id).toList());
          // approximate search on segments written before calibration: the former defaults
          for (double target : new double[] {0.5, SearchRequest.DEFAULT_TARGET_RECALL, 0.999}) {
            assertEquals("r42", c.search(SearchRequest.of(probe.vector(), 3).targetRecall(target)).get(0).id(),
                version + "/" + name + " at target " + target);
          }
        }
        assertEquals(java.util.Map.of(), db.check());
      }
    }
  }

  /** The versions that have a sample: the directories under {@code compat/} in the test resources. */
  private static List<String> sampleVersions() throws IOException, URISyntaxException {
    Path root = Path.of(CompatibilityTest.class.getResource("/compat").toURI());
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Path copyOf(String version, Path target) throws IOException, URISyntaxException {
    Path source = Path.of(CompatibilityTest.class.getResource("/compat/" + version + "/db/catalog.iqdb").toURI()).getParent();
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : files.toList()) {
        Path t = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return target;
  }
}
