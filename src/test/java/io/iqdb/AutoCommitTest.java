package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background commits by log size and age (issue 20), without any flush. */
class AutoCommitTest {
  @TempDir Path tmp;

  private static float[] vec(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = r.nextFloat();
    }
    return v;
  }

  /** The sequence number the collection's last durable Lucene commit contains, read from disk. */
  private static long committedSeq(Path db, String collection) throws IOException {
    try (Directory d = FSDirectory.open(db.resolve("collections").resolve(collection).resolve("index"))) {
      return Long.parseLong(SegmentInfos.readLatestCommit(d).getUserData().get("iqdb.seq"));
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void commitsWhenTheLogPassesItsSize() throws Exception {
    Path dir = tmp.resolve("db");
    CommitPolicy policy = new CommitPolicy(32 * 1024, Duration.ZERO);
    try (Iqdb db = Iqdb.builder().path(dir).commitPolicy(policy).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(32, Metric.L2).index(IndexSpec.flat()).build());
      Random r = new Random(1);
      for (int i = 0; i < 2_000; i++) { // about 170 bytes of log each: 10 size triggers
        c.upsert("r" + i, vec(r, 32));
      }
      await(() -> c.stats().commits() >= 3, "background commits");
      long seq = committedSeq(dir, "c");
      assertTrue(seq > 1_000, "the last durable commit contains up to seq " + seq);
      // The log holds what the last commit lacks, not all 2,000 writes (340 KB).
      assertTrue(c.stats().walBytes() < 2L << 20, "walBytes " + c.stats().walBytes());
    }
  }

  @Test
  void commitsWhenWritesAreOlderThanItsAge() throws Exception {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.builder().path(dir).commitPolicy(new CommitPolicy(0, Duration.ofMillis(200))).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(2, Metric.L2).build());
      long commitsBefore = c.stats().commits();
      c.upsert("a", new float[] {1, 2});
      // The commit reaches the disk a moment before the collection counts it: wait for both.
      await(() -> {
        try {
          return committedSeq(dir, "c") >= 1 && c.stats().commits() > commitsBefore;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "an age-triggered commit");
      // Nothing pending: no further commits.
      long commits = c.stats().commits();
      Thread.sleep(600);
      assertEquals(commits, c.stats().commits());
    }
  }

  @Test
  void neverMeansOnlyFlushCommits() throws Exception {
    Path dir = tmp.resolve("db");
    try (Iqdb db = Iqdb.builder().path(dir).commitPolicy(CommitPolicy.never()).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(2, Metric.L2).build());
      for (int i = 0; i < 100; i++) {
        c.upsert("r" + i, new float[] {i, 1});
      }
      Thread.sleep(500);
      assertEquals(0, committedSeq(dir, "c"));
      db.flush();
      assertEquals(100, committedSeq(dir, "c"));
    }
  }

  @Test
  void aCollectionsPolicyOverridesTheDatabasesAndSurvivesReopen() throws Exception {
    Path dir = tmp.resolve("db");
    CommitPolicy own = new CommitPolicy(1 << 20, Duration.ofMillis(1500));
    try (Iqdb db = Iqdb.builder().path(dir).commitPolicy(CommitPolicy.never()).open()) {
      db.createCollection("c", CollectionConfig.builder(2, Metric.L2).commitPolicy(own).build())
          .upsert("a", new float[] {1, 2});
      db.createCollection("d", CollectionConfig.builder(2, Metric.L2).build()).upsert("b", new float[] {1, 2});
      await(() -> {
        try {
          return committedSeq(dir, "c") == 1;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "the collection's own policy");
      assertEquals(0, committedSeq(dir, "d"));
    }
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(own, db.collection("c").config().commitPolicy());
      assertEquals(null, db.collection("d").config().commitPolicy());
    }
    assertThrows(InvalidArgumentException.class, () -> new CommitPolicy(-1, Duration.ZERO));
    assertThrows(InvalidArgumentException.class, () -> new CommitPolicy(1, Duration.ofSeconds(-1)));
    assertFalse(CommitPolicy.never().enabled());
  }

  @Test
  void writersKeepWritingWhileBackgroundCommitsRun() throws Exception {
    Path dir = tmp.resolve("db");
    int writers = 3;
    int perWriter = 600;
    try (Iqdb db = Iqdb.builder().path(dir).commitPolicy(new CommitPolicy(8 * 1024, Duration.ofMillis(20))).open()) {
      VectorCollection c = db.createCollection("c", CollectionConfig.builder(16, Metric.L2).index(IndexSpec.hnsw()).build());
      AtomicBoolean failed = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      // Write for at least 1.5 s, and on until the committer (every 100 ms) made its commits or 30 s
      // passed: on a loaded machine a commit's fsyncs can take longer than the 1.5 s allow for.
      AtomicBoolean stop = new AtomicBoolean();
      for (int t = 0; t < writers; t++) {
        int id = t;
        threads.add(Thread.ofPlatform().start(() -> {
          Random r = new Random(id);
          try {
            for (int i = 0; i < perWriter || !stop.get(); i++) {
              c.upsert("w" + id + "-" + (i % 200), vec(r, 16), Payload.of("i", i));
              if (i % 7 == 0) {
                c.delete("w" + id + "-" + ((i + 100) % 200));
              }
            }
          } catch (RuntimeException e) {
            e.printStackTrace();
            failed.set(true);
          }
        }));
      }
      Thread.sleep(1500);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (c.stats().commits() <= 3 && System.nanoTime() < deadline && !failed.get()) {
        Thread.sleep(100);
      }
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      assertFalse(failed.get());
      assertTrue(c.stats().commits() > 3, "commits: " + c.stats().commits());
      long count = c.count();
      db.close();
      try (Iqdb again = Iqdb.open(dir)) {
        assertEquals(count, again.collection("c").count());
      }
    }
  }
}
