package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Random batches and replay collection for the WAL tests. */
final class WalTestUtil {

  private WalTestUtil() {}

  /**
   * A random batch of 1..maxEntries entries: upserts (random dim, optional payload) and deletes.
   */
  static List<WalEntry> randomBatch(Random r, int maxEntries) {
    int n = 1 + r.nextInt(maxEntries);
    List<WalEntry> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = randomId(r);
      if (r.nextInt(5) == 0) {
        batch.add(WalEntry.delete(id));
      } else {
        float[] vector = new float[r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(48)];
        for (int d = 0; d < vector.length; d++) {
          vector[d] = r.nextInt(20) == 0 ? Float.NaN : (float) r.nextGaussian();
        }
        byte[] payload = null;
        if (r.nextBoolean()) {
          payload = new byte[r.nextInt(64)];
          r.nextBytes(payload);
        }
        batch.add(WalEntry.upsert(id, vector, payload));
      }
    }
    return batch;
  }

  static String randomId(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> "";
      case 1 -> "id-" + r.nextInt(1000);
      case 2 -> "ünï\u00e7ødé-" + r.nextInt(100) + "\uD83D\uDE00";
      default -> Long.toHexString(r.nextLong());
    };
  }

  /** Collects what recovery replays, checking that seqs increase by one. */
  static final class Collector implements WalReplayer {
    final TreeMap<Long, List<WalEntry>> batches = new TreeMap<>();

    @Override
    public void replay(long seq, List<WalEntry> batch) {
      if (!batches.isEmpty() && seq != batches.lastKey() + 1) {
        throw new AssertionError("replayed seq " + seq + " after " + batches.lastKey());
      }
      if (batch.isEmpty()) {
        throw new AssertionError("empty batch replayed for seq " + seq);
      }
      batches.put(seq, batch);
    }
  }

  /** The generation files in dir, sorted by name (= by generation). */
  static List<Path> generationFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> WalFormat.parseGeneration(p.getFileName().toString()) >= 0)
          .sorted()
          .toList();
    }
  }

  /** Copies the WAL files (not foreign files) of one directory into a new one. */
  static void copyWal(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (WalFormat.parseGeneration(name) >= 0 || name.equals(WalFormat.CHECKPOINT_NAME)) {
          Files.copy(p, to.resolve(name));
        }
      }
    }
  }

  static void flipByte(Path file, long offset, int xor) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= (byte) xor;
    Files.write(file, bytes);
  }
}
