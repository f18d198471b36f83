package io.iqdb.bench.data;

import io.iqdb.Metric;
import io.iqdb.embeddings.DuplicateCounts;
import io.iqdb.embeddings.RealTextCorpus;
import io.iqdb.embeddings.TextEmbedder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Real sentence embeddings with the exact duplicates real corpora have: {@link RealTextCorpus}
 * (lines of {@code /usr/share/doc/*}{@code /copyright} and manual page summaries, what every Debian
 * machine has) embedded with all-MiniLM-L6-v2 (384 dimensions, cosine), the vectors cached so that
 * only the first run pays for the model.
 *
 * <p>The queries are rows drawn at random (seeded) and held out of the indexed vectors; the rest is
 * indexed as it is, duplicates included. The de-duplicated variant indexes the same rows with every
 * exact copy of a vector after the first removed, and has the same queries, so that an index's
 * recall with and without duplicates can be compared directly.
 *
 * <p>The corpus depends on the packages installed, so the dataset's name carries a checksum of its
 * vectors: cached ground truth is never reused for other data.
 */
public final class RealTextDataset {
  /** Default number of texts (a Debian machine with a few hundred packages has some 50,000). */
  public static final int DEFAULT_SIZE = 60_000;

  /** Default number of held-out queries. */
  public static final int DEFAULT_QUERIES = 1_000;

  private RealTextDataset() {}

  /**
   * The dataset and what it holds.
   *
   * @param dataset the vectors and queries
   * @param duplicates the exact duplicates among the indexed vectors
   * @param description the corpus's sources and sizes, for the report
   */
  public record Loaded(Dataset dataset, DuplicateCounts duplicates, String description) {}

  /**
   * Builds (embedding what the cache lacks) the dataset.
   *
   * @param size the number of texts, at most what the machine has
   * @param queries the number of held-out queries
   * @param seed the seed of the corpus selection and of the queries
   * @param dedup whether to drop the exact copies from the indexed vectors
   * @param cacheDir the embedding cache (a {@code target/} directory)
   * @return the dataset
   */
  public static Loaded load(int size, int queries, long seed, boolean dedup, Path cacheDir) {
    RealTextCorpus corpus = RealTextCorpus.builder().size(size).seed(seed).build();
    RealTextCorpus.Embedded embedded;
    try (TextEmbedder embedder = TextEmbedder.allMiniLmL6V2()) {
      long[] last = {System.nanoTime()};
      embedded = corpus.embed(embedder, cacheDir, (done, total) -> {
        if (System.nanoTime() - last[0] > 10_000_000_000L || done == total) {
          last[0] = System.nanoTime();
          System.err.printf("[real-text] embedded %d of %d texts%n", done, total);
        }
      });
    }
    List<float[]> rows = embedded.vectors();
    if (queries >= rows.size()) {
      throw new IllegalArgumentException("only " + rows.size() + " texts on this machine; asked for " + queries + " queries");
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed));
    Set<Integer> held = new HashSet<>(order.subList(0, queries));
    float[][] q = new float[queries][];
    for (int i = 0; i < queries; i++) {
      q[i] = rows.get(order.get(i));
    }
    List<float[]> train = new ArrayList<>(rows.size() - queries);
    Set<ByteBuffer> seen = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      if (held.contains(i) || (dedup && !seen.add(bytes(rows.get(i))))) {
        continue;
      }
      train.add(rows.get(i));
    }
    DuplicateCounts duplicates = DuplicateCounts.ofVectors(train);
    float[][] t = train.toArray(new float[0][]);
    String name = "real-text" + (dedup ? "-dedup" : "") + "-" + t.length + "-q" + queries + "-s" + seed + "-"
        + checksum(t, q);
    String description = "real text (" + corpus.sources() + "): " + rows.size() + " texts, " + t.length
        + " indexed, " + queries + " held-out queries; indexed vectors: " + duplicates.summary();
    return new Loaded(new Dataset(name, t, q, Metric.COSINE), duplicates, description);
  }

  private static ByteBuffer bytes(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES);
    b.asFloatBuffer().put(v);
    return b;
  }

  private static String checksum(float[][] train, float[][] queries) {
    CRC32 crc = new CRC32();
    for (float[][] part : new float[][][] {train, queries}) {
      for (float[] v : part) {
        crc.update(bytes(v));
      }
    }
    return String.format("%08x", crc.getValue());
  }
}
