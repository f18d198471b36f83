package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.internal.wal.WalEntry;
import io.iqdb.internal.wal.WalReplayer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.lucene.index.IndexWriter;

/**
 * Replays the log into the index at open on several threads, so that recovery indexes (for HNSW,
 * builds graphs) as fast as live writers do, not on one core.
 *
 * <p>Each record is checked whole on the reading thread, as {@link BatchApplier#applyReplayed}
 * does (a record the index would refuse is quarantined whole), its field types are registered, and
 * its operations are handed to the worker that owns their id ({@code hash(id) mod threads}): every
 * id's operations reach the index in log order, and two workers never touch the same id, so the
 * result is the sequential replay's. A worker that fails leaves its record possibly half applied:
 * the caller then rolls the writer back and replays sequentially ({@link #failure()}).
 */
final class ParallelReplay implements WalReplayer, AutoCloseable {
  /** The number of replay threads: one per core, at most four (Lucene indexes one segment each). */
  static final int THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());

  private static final System.Logger LOG = System.getLogger("io.iqdb");
  private static final int QUEUE = 64;

  /** What a worker applies: the operations of one record that it owns, and their decoded payloads. */
  private record Task(List<WalEntry> ops, List<io.iqdb.Payload> payloads, List<String> texts) {}

  private static final Task END = new Task(List.of(), List.of(), List.of());

  private final IndexWriter writer;
  private final Schema schema;
  private final CollectionConfig config;
  private final Path collectionDir;
  private final String name;
  private final List<BlockingQueue<Task>> queues = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile Throwable failure;

  ParallelReplay(IndexWriter writer, Schema schema, CollectionConfig config, Path collectionDir, String name) {
    this.writer = writer;
    this.schema = schema;
    this.config = config;
    this.collectionDir = collectionDir;
    this.name = name;
    for (int i = 0; i < THREADS; i++) {
      BlockingQueue<Task> queue = new ArrayBlockingQueue<>(QUEUE);
      queues.add(queue);
      Thread t = new Thread(() -> work(queue), "iqdb-replay-" + name + "-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  @Override
  public void replay(long seq, List<WalEntry> ops) throws IOException {
    throwIfFailed();
    BatchApplier.Checked checked;
    try {
      checked = BatchApplier.check(schema, config, ops);
    } catch (RuntimeException e) {
      quarantine(collectionDir, name, seq, ops, e);
      return;
    }
    checked.register(schema);
    List<List<WalEntry>> parts = new ArrayList<>(THREADS);
    List<List<io.iqdb.Payload>> payloads = new ArrayList<>(THREADS);
    List<List<String>> texts = new ArrayList<>(THREADS);
    for (int i = 0; i < THREADS; i++) {
      parts.add(new ArrayList<>());
      payloads.add(new ArrayList<>());
      texts.add(new ArrayList<>());
    }
    int u = 0;
    for (WalEntry op : ops) {
      int w = Math.floorMod(op.id().hashCode(), THREADS);
      parts.get(w).add(op);
      if (op.op() == WalEntry.Op.UPSERT) {
        payloads.get(w).add(checked.payloads().get(u));
        texts.get(w).add(checked.texts().get(u));
        u++;
      }
    }
    for (int i = 0; i < THREADS; i++) {
      if (!parts.get(i).isEmpty()) {
        put(queues.get(i), new Task(parts.get(i), payloads.get(i), texts.get(i)));
      }
    }
  }

  /**
   * Waits until every handed-out record is applied.
   *
   * @return the first failure of a worker, or null if all applied
   */
  Throwable finish() {
    close();
    return failure;
  }

  /** The first failure of a worker, or null. */
  Throwable failure() {
    return failure;
  }

  /** Stops the workers once they have applied what they hold (or at once after a failure). */
  @Override
  public void close() {
    for (BlockingQueue<Task> q : queues) {
      try {
        put(q, END);
      } catch (IOException e) {
        // a worker failed: it no longer takes tasks, and the failure is kept
      }
    }
    boolean interrupted = false;
    for (Thread t : threads) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Keeps a record that cannot be applied aside, so that it can never make the collection unopenable. */
  static void quarantine(Path collectionDir, String name, long seq, List<WalEntry> ops, Throwable e)
      throws IOException {
    Path file = Quarantine.write(collectionDir, seq, ops, e);
    LOG.log(System.Logger.Level.WARNING,
        "collection '" + name + "': write-ahead-log record " + seq + " could not be applied and was"
            + " quarantined in " + file + ": " + e.getMessage());
  }

  private void work(BlockingQueue<Task> queue) {
    try {
      for (Task t = queue.take(); t != END; t = queue.take()) {
        if (failure == null) {
          BatchApplier.applyOps(writer, schema, t.ops(), t.payloads(), t.texts());
        }
      }
    } catch (Throwable e) {
      synchronized (this) {
        if (failure == null) {
          failure = e;
        }
      }
    }
  }

  /** Hands a task to a worker, waiting while its queue is full unless a worker failed. */
  private void put(BlockingQueue<Task> queue, Task task) throws IOException {
    try {
      while (!queue.offer(task, 10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        throwIfFailed();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while replaying the log of collection '" + name + "'");
    }
  }

  private void throwIfFailed() throws IOException {
    if (failure != null) {
      throw new IOException("replay of collection '" + name + "' failed on a worker", failure);
    }
  }
}
