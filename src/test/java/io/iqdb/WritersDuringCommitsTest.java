package io.iqdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iqdb.internal.FaultHooks;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes go on while a commit, a refresh or {@code check()} runs for as long as it likes: each test
 * holds one of them inside the index directory (a {@link Gate} blocks a chosen thread when it
 * creates or opens an index file, as a long IVF flush or a slow disk would keep it there), and
 * upserts and deletes from another thread must complete before it is let go. Each test then checks
 * that nothing was lost, through a reopen or a copy of the files as a crash would leave them.
 */
class WritersDuringCommitsTest {
  /** How long a write may take before the test calls it stalled: far beyond any write here. */
  private static final long STALLED_SECONDS = 30;

  @TempDir Path tmp;

  /**
   * Blocks the threads of one name in the index directory until released: when they open any file,
   * or create one whose name ends with {@link #blockCreatesEndingWith} (by default any).
   */
  private static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    volatile String blockCreatesOf;
    volatile String blockCreatesEndingWith = "";
    volatile String blockOpensOf;

    void pass(String threadToBlock, String file, String suffix) throws IOException {
      if (threadToBlock == null || !threadToBlock.equals(FaultHooks.caller().getName()) || !file.endsWith(suffix)) {
        return;
      }
      entered.countDown();
      try {
        if (!released.await(2 * STALLED_SECONDS, TimeUnit.SECONDS)) {
          throw new IOException("the test never released the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted at the gate");
      }
    }

    void release() {
      blockCreatesOf = null;
      blockOpensOf = null;
      released.countDown();
    }

    FaultHooks hooks() {
      return FaultHooks.NONE.withDirectoryWrapper(d -> {
        boolean index = d instanceof FSDirectory fs && fs.getDirectory().getFileName().toString().equals("index");
        return !index ? d : new FilterDirectory(d) {
          @Override
          public IndexOutput createOutput(String name, IOContext context) throws IOException {
            pass(blockCreatesOf, name, blockCreatesEndingWith);
            return super.createOutput(name, context);
          }

          @Override
          public IndexInput openInput(String name, IOContext context) throws IOException {
            pass(blockOpensOf, name, "");
            return super.openInput(name, context);
          }
        };
      });
    }
  }

  private static CollectionConfig config() {
    return CollectionConfig.builder(8, Metric.L2).index(IndexSpec.flat()).build();
  }

  private static float[] vector(int i) {
    float[] v = new float[8];
    for (int d = 0; d < v.length; d++) {
      v[d] = (i * 31 + d * 7) % 101;
    }
    return v;
  }

  /** Starts {@code body} on a thread of the given name. */
  private static <T> FutureTask<T> start(String threadName, Callable<T> body) {
    FutureTask<T> task = new FutureTask<>(body);
    Thread t = new Thread(task, threadName);
    t.setDaemon(true);
    t.start();
    return task;
  }

  /** The result of {@code task}, failing the test if it takes longer than a write ever should. */
  private static <T> T within(FutureTask<T> task, String what) throws Exception {
    try {
      return task.get(STALLED_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      StringBuilder threads = new StringBuilder();
      Thread.getAllStackTraces().forEach((t, stack) -> {
        threads.append('\n').append(t.getName()).append(':');
        for (StackTraceElement frame : stack) {
          threads.append("\n    ").append(frame);
        }
      });
      throw new AssertionError(what + " did not complete in " + STALLED_SECONDS + " s: it stalled. Threads:" + threads, e);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed", e.getCause());
    }
  }

  private static void awaitEntered(Gate gate, String what) throws InterruptedException {
    assertTrue(gate.entered.await(STALLED_SECONDS, TimeUnit.SECONDS), what + " never reached the gate");
  }

  /**
   * Copies the database's files as they are: what a crash at this moment would leave on disk. A
   * file deleted while the tree is walked or copied (a flush's temporary file, an obsolete
   * commit's) is skipped: a crash a moment later would not have left it either.
   */
  private static Path crashImage(Path dir, Path target) throws IOException {
    Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes attrs)
          throws IOException {
        Files.createDirectories(target.resolve(dir.relativize(d).toString()));
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes attrs)
          throws IOException {
        if (!f.getFileName().toString().endsWith(".lock")) {
          try {
            Files.copy(f, target.resolve(dir.relativize(f).toString()));
          } catch (java.nio.file.NoSuchFileException gone) {
            // deleted since the listing
          }
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
        if (e instanceof java.nio.file.NoSuchFileException) {
          return java.nio.file.FileVisitResult.CONTINUE; // deleted since the listing
        }
        throw e;
      }
    });
    return target;
  }

  @Test
  void writesAndFlushesGoOnWhileCheckReadsTheLastCommit() throws Exception {
    Path dir = tmp.resolve("db");
    Gate gate = new Gate();
    FutureTask<Map<String, String>> check;
    try (Iqdb db = Iqdb.builder().path(dir).faultHooks(gate.hooks()).open()) {
      VectorCollection c = db.createCollection("c", config());
      for (int i = 0; i < 50; i++) {
        c.upsert("a" + i, vector(i));
      }
      c.flush();
      gate.blockOpensOf = "checker";
      check = start("checker", db::check);
      try {
        awaitEntered(gate, "check()");
        // check() is inside CheckIndex, reading the commit: writes, and commits that replace that
        // commit, go on.
        within(start("writer", () -> {
          for (int i = 0; i < 50; i++) {
            c.upsert("b" + i, vector(100 + i));
          }
          assertTrue(c.delete("a0"));
          c.flush();
          c.upsert("c0", vector(200));
          c.flush();
          return null;
        }), "writes and flushes during check()");
        assertFalse(check.isDone(), "check() is still held at the gate");
      } finally {
        gate.release();
      }
      assertEquals(Map.of(), within(check, "check()"), "the commit check() pinned was intact when it read it");
      assertEquals(Map.of(), db.check(), "and so is the last one");
    }
    try (Iqdb db = Iqdb.open(dir)) {
      VectorCollection c = db.collection("c");
      assertEquals(100, c.count());
      assertFalse(c.get("a0").isPresent());
      assertTrue(c.get("b49").isPresent());
      assertTrue(c.get("c0").isPresent());
    }
  }

  @Test
  void writersPastTheTailLimitDoNotWaitForACommitsFlush() throws Exception {
    Path dir = tmp.resolve("db");
    Gate gate = new Gate();
    // No refresh by age; the tail asks for one at 10 records, and a writer refreshed itself at 40
    // (four times that), which waited for the index writer's flush, the commit's.
    RefreshPolicy refresh = new RefreshPolicy(Duration.ofHours(1), 10);
    try (Iqdb db = Iqdb.builder().path(dir).refreshPolicy(refresh).commitPolicy(CommitPolicy.never())
        .faultHooks(gate.hooks()).open()) {
      VectorCollection c = db.createCollection("c", config());
      for (int i = 0; i < 5; i++) {
        c.upsert("a" + i, vector(i)); // buffered in the index writer: the flush below writes them
      }
      gate.blockCreatesOf = "flusher";
      FutureTask<Void> flush = start("flusher", () -> {
        c.flush();
        return null;
      });
      try {
        awaitEntered(gate, "the flush");
        within(start("writer", () -> {
          for (int i = 0; i < 60; i++) {
            c.upsert("b" + i, vector(100 + i));
            assertTrue(c.get("b" + i).isPresent(), "read-your-writes during the flush");
          }
          assertTrue(c.delete("a1"));
          assertTrue(c.delete("b7"));
          return null;
        }), "writes during the flush");
        assertFalse(flush.isDone(), "the flush is still held at the gate");
      } finally {
        gate.release();
      }
      within(flush, "the flush");
      // The writes during the flush are in the log after the commit's sequence number (and maybe
      // in the commit too): a crash now recovers every one.
      Path image = crashImage(dir, tmp.resolve("crash"));
      try (Iqdb copy = Iqdb.open(image)) {
        VectorCollection cc = copy.collection("c");
        assertEquals(63, cc.count());
        assertFalse(cc.get("a1").isPresent());
        assertFalse(cc.get("b7").isPresent());
        assertTrue(cc.get("a4").isPresent());
        assertTrue(cc.get("b59").isPresent());
      }
      assertEquals(63, c.count());
    }
    try (Iqdb db = Iqdb.open(dir)) {
      assertEquals(63, db.collection("c").count());
    }
  }

  @Test
  void aWriteStuckInItsOwnFlushStallsNeitherACommitStartingNorOtherWriters() throws Exception {
    Path dir = tmp.resolve("db");
    Gate gate = new Gate();
    // A small indexing buffer, so the first writer soon flushes it inside one of its upserts (the
    // gate holds it there, writing the segment's terms, as IVF's k-means would hold it); no
    // refresh meanwhile. (Held while it indexes a document, not flushing, it would stall more:
    // Lucene's full flush waits for a document in progress, and deletes wait for the full flush to
    // start. A document takes microseconds to index, a buffer's flush seconds.)
    RefreshPolicy refresh = new RefreshPolicy(Duration.ofHours(1), RefreshPolicy.MAX_TAIL_RECORDS);
    try (Iqdb db = Iqdb.builder().path(dir).ramBufferMb(0.25).refreshPolicy(refresh)
        .commitPolicy(CommitPolicy.never()).faultHooks(gate.hooks()).open()) {
      VectorCollection c = db.createCollection("c", config());
      AtomicReference<String> stuckId = new AtomicReference<>();
      AtomicInteger written = new AtomicInteger();
      gate.blockCreatesEndingWith = ".tim";
      gate.blockCreatesOf = "stuck";
      FutureTask<Void> stuck = start("stuck", () -> {
        for (int i = 0; gate.entered.getCount() > 0 && i < 1_000_000; i++) {
          stuckId.set("s" + i);
          c.upsert("s" + i, vector(i));
          written.incrementAndGet();
        }
        return null;
      });
      FutureTask<Void> flush;
      try {
        awaitEntered(gate, "the first writer's flush");
        flush = start("flusher", () -> {
          c.flush();
          return null;
        });
        Thread.sleep(500); // lets the flush get as far as it can: before, it queued for the commit lock
        // Writes of ids other than the stuck one's (whose lock stripe it holds; 64 stripes by hash)
        int stuckStripe = Math.floorMod(stuckId.get().hashCode(), 64);
        List<String> others = new ArrayList<>();
        for (int i = 0; others.size() < 20; i++) {
          if (Math.floorMod(("o" + i).hashCode(), 64) != stuckStripe) {
            others.add("o" + i);
          }
        }
        within(start("other", () -> {
          for (int i = 0; i < others.size(); i++) {
            c.upsert(others.get(i), vector(1000 + i));
          }
          assertTrue(c.delete(others.get(0)));
          return null;
        }), "another writer's writes");
        assertFalse(stuck.isDone(), "the first writer is still held at the gate");
      } finally {
        gate.release();
      }
      within(stuck, "the first writer");
      within(flush, "the flush");
      int expected = written.get() + 19;
      assertEquals(expected, c.count());
      Path image = crashImage(dir, tmp.resolve("crash"));
      try (Iqdb copy = Iqdb.open(image)) {
        assertEquals(expected, copy.collection("c").count());
      }
    }
  }
}
