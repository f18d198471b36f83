package io.iqdb.internal;

import io.iqdb.Durability;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Payload;
import io.iqdb.StorageException;
import io.iqdb.internal.wal.WalEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.apache.lucene.index.IndexWriter;

/**
 * The write path of a collection: runs a validated batch under the locks, applies it to the
 * {@link IndexWriter} whole or not at all, logs it, and (SYNC) waits for its log record to be
 * synced. It owns the collection's state too: open or closed, and failed (refusing writes until the
 * database is reopened) or not.
 *
 * <p>It owns these locks, taken in this order:
 *
 * <ol>
 *   <li>the lock stripes of the batch's ids, in ascending stripe order: writes to one id are applied
 *       and logged in the same order, so replaying the log reproduces the index;
 *   <li>the commit lock, shared by writes; only closing the collection takes it exclusively (see
 *       {@link Committer#lockAll}): commits and refreshes take no lock that writes take, as each write
 *       applies its batch to the index writer before it logs it and appends it to the tail;
 *   <li>the schema lock, by a batch that gives a payload field its first type;
 *   <li>an indexer permit, while the batch is added to the index writer.
 * </ol>
 *
 * The log's own locks are taken inside all of these; its sync waits outside them, so concurrent
 * writers share fsyncs.
 */
final class CollectionWriter {
  private static final System.Logger LOG = System.getLogger("io.iqdb");

  private static final int STRIPES = 64;

  /** How many threads may add documents to one collection's index writer at once: one per core. */
  private static final int INDEXERS = Runtime.getRuntime().availableProcessors();

  /** How often a writer waiting to index yields before it blocks. */
  private static final int INDEXER_SPINS = 100;

  /** What a {@link LockedWrite} returns when it wrote nothing. */
  static final long NOTHING_WRITTEN = -1;

  /** A write done under the locks: returns the batch's sequence number, or {@link #NOTHING_WRITTEN}. */
  interface LockedWrite {
    long run() throws IOException;
  }

  private final String name;
  private final Durability durability;
  private final IndexWriter writer;
  private final Schema schema;
  private final CollectionLog log;

  /** Where a write goes once applied and logged, so that reads see it before a refresh. */
  private final Tail tail;

  /** The sequence number the last commit contains (the {@link Committer}'s). */
  private final LongSupplier committedSeq;

  private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();

  /** Held by a write that gives a payload field its first type; see {@link #applyAndLog}. */
  private final ReentrantLock schemaLock = new ReentrantLock();
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  /** Permits to add documents to the index writer; see {@link #applyAdmitted}. */
  private final Semaphore indexers = new Semaphore(INDEXERS);

  /** Counts the changes of the index, so that a read knows when to refresh its searcher. */
  private final AtomicLong writeGen = new AtomicLong();
  private volatile boolean closed;
  private volatile Throwable failure;

  CollectionWriter(
      String name, Durability durability, IndexWriter writer, Schema schema, CollectionLog log, Tail tail,
      LongSupplier committedSeq) {
    this.tail = tail;
    this.name = name;
    this.durability = durability;
    this.writer = writer;
    this.schema = schema;
    this.log = log;
    this.committedSeq = committedSeq;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * Runs a write holding the stripes of its ids and the commit lock shared, then (SYNC) waits for
   * its log record to be fsynced, outside the locks so that concurrent writers share the fsync.
   */
  void write(Collection<String> ids, String what, LockedWrite body) {
    List<ReentrantLock> held = lockStripes(ids);
    long seq;
    try {
      commitLock.readLock().lock();
      try {
        ensureOpen();
        ensureWritable();
        seq = body.run();
      } finally {
        commitLock.readLock().unlock();
      }
    } catch (IOException | RuntimeException e) {
      throw writeFailed(e, what + " collection '" + name + "'");
    } finally {
      held.forEach(ReentrantLock::unlock);
    }
    if (seq != NOTHING_WRITTEN) {
      syncLog(seq);
    }
  }

  /**
   * Applies the batch to the index, all or nothing, then logs it. Caller holds the stripes and the
   * commit lock (shared). Applying first means that a batch the index refuses never reaches the log,
   * so replaying the log can never meet it, and that every logged batch is in the index writer:
   * a commit that starts after the log reached a sequence number holds every batch up to it (see
   * {@link Committer#commit}).
   *
   * <p>A batch that gives a payload field its first type takes {@link #schemaLock}: it checks its
   * types again under the lock and records them only once applied and logged, so a type is known
   * only when a logged record has it, and two writes cannot give one new field two types.
   *
   * <p>Once logged, the batch goes to the {@link Tail}, where reads see it at once.
   */
  long applyAndLog(List<WalEntry> ops, List<Payload> payloads, List<String> texts) throws IOException {
    CollectionLog.Encoded encoded = log.encode(ops); // may refuse the batch: before anything is done
    boolean extendsSchema = schema.extendedBy(payloads);
    if (extendsSchema) {
      schemaLock.lock();
    }
    try {
      if (extendsSchema) {
        schema.checkAll(BatchApplier.upserts(ops, payloads));
      }
      try {
        applyAdmitted(ops, payloads, texts);
      } catch (IOException | RuntimeException e) {
        if (writer.getTragicException() != null || !WriteFailures.appliedBeforeFailing(e)) {
          throw e;
        }
        // Lucene buffered the whole write, then failed in the housekeeping that follows in the same
        // call (see WriteFailures): the write is in the index, so it is logged and acknowledged
        // like any other, and index and log agree.
        LOG.log(System.Logger.Level.WARNING, "collection '" + name + "': the index writer applied a write,"
            + " then failed in its housekeeping (the write stands): " + e, e);
      }
      long seq;
      try {
        seq = log.append(encoded);
      } catch (IOException | RuntimeException e) {
        // The index now holds a batch the log lacks: only a reopen (rollback to the last commit,
        // then replay) makes them agree again.
        throw fail(e, "write-ahead log append of collection '" + name + "'");
      }
      if (extendsSchema) {
        for (Map.Entry<String, Payload> u : BatchApplier.upserts(ops, payloads)) {
          schema.register(u.getKey(), u.getValue());
        }
      }
      // After the apply: a refresh that freezes a generation holding this write opens its reader
      // after the write was in the index writer (see Refresher).
      tail.append(ops, payloads, texts);
      writeGen.incrementAndGet();
      return seq;
    } finally {
      if (extendsSchema) {
        schemaLock.unlock();
      }
    }
  }

  /**
   * The exception for a failed write. Bad input and a closed collection fail only the call. An
   * exception from Lucene's index writer fails the collection (it refuses writes until the
   * database is reopened, which recovers from the last commit plus the log) after a tragic
   * exception or when the write may be in the index although the log lacks it (a later commit would
   * then hold an unlogged write; see {@link WriteFailures}). A write Lucene provably buffered whole
   * before failing in the housekeeping that follows never gets here: {@link #applyAndLog} logs
   * and acknowledges it. When the
   * exception proves that Lucene refused the write before buffering any of it (a value it refuses
   * as input, say), only the call fails: {@link InvalidArgumentException} for refused input,
   * {@link StorageException} otherwise. A failed log append fails the collection (see {@link
   * #applyAndLog}).
   */
  private RuntimeException writeFailed(Throwable e, String what) {
    if (e instanceof io.iqdb.IqdbException iq) {
      if (iq instanceof StorageException && failure == null && !closed) {
        failure = iq; // an I/O failure, translated below this method
      }
      return iq;
    }
    if (failure == null && closed) {
      return Errors.closed("collection '" + name + "'");
    }
    if (failure == null && writer.getTragicException() == null && WriteFailures.leftIndexUnchanged(e)) {
      return e instanceof IllegalArgumentException iae
          ? new InvalidArgumentException(what + " failed: the index refused the write: " + iae.getMessage(), iae)
          : Errors.translate(e, what);
    }
    return fail(failure != null ? failure : e, what);
  }

  /**
   * Applies a batch to the index while at most {@link #INDEXERS} threads do so. Lucene gives each
   * thread inside the index writer at the same moment its own in-memory segment and applies every
   * update's delete term to each of them, so more indexing threads than cores add that work (and
   * more, smaller segments) but no throughput: with 8 SYNC writers on 2 cores this raised flat
   * upserts by 13-20% (JMH, see the benchmarks' results). A waiting writer yields a while before
   * it blocks, as batches are usually short and waking a blocked thread costs about as much.
   */
  private void applyAdmitted(List<WalEntry> ops, List<Payload> payloads, List<String> texts)
      throws IOException {
    boolean admitted = indexers.tryAcquire();
    for (int i = 0; i < INDEXER_SPINS && !admitted; i++) {
      Thread.yield();
      admitted = indexers.tryAcquire();
    }
    if (!admitted) {
      indexers.acquireUninterruptibly();
    }
    try {
      BatchApplier.applyOps(writer, schema, ops, payloads, texts);
    } finally {
      indexers.release();
    }
  }

  private void syncLog(long seq) {
    if (durability.mode() == Durability.Mode.SYNC) {
      try {
        log.sync(seq);
      } catch (IOException | RuntimeException e) {
        if (closed) {
          if (committedSeq.getAsLong() >= seq) {
            return; // the commit of close() made it durable
          }
          throw Errors.closed("collection '" + name + "'");
        }
        throw fail(e, "sync of the write-ahead log of collection '" + name + "'");
      }
    }
  }

  private List<ReentrantLock> lockStripes(Collection<String> ids) {
    TreeSet<Integer> idx = new TreeSet<>();
    for (String id : ids) {
      idx.add(Math.floorMod(id.hashCode(), STRIPES));
    }
    List<ReentrantLock> held = new ArrayList<>(idx.size());
    for (int i : idx) {
      stripes[i].lock();
      held.add(stripes[i]);
    }
    return held;
  }

  /** Marks the collection failed: it refuses writes until the database is reopened. */
  RuntimeException fail(Throwable t, String what) {
    if (failure == null) {
      failure = t;
    }
    return Errors.translate(t, what);
  }

  /** Throws if the collection is failed (or its index writer hit a tragic exception). */
  void ensureWritable() {
    Throwable f = failure;
    if (f != null) {
      // Name the root cause too: a failure is often Lucene's "this writer hit an unrecoverable
      // error" wrapping what really happened (a full disk, say), and the caller acts on the latter.
      Throwable root = f;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new StorageException(
          "collection '" + name + "' refuses writes after an earlier failure (" + f
              + (root == f ? "" : ", caused by " + root)
              + "); reopen the database to recover from the last commit plus the write-ahead log", f);
    }
    Throwable tragic = writer.getTragicException();
    if (tragic != null) {
      failure = tragic;
      ensureWritable();
    }
  }

  /** Throws if the collection is closed. */
  void ensureOpen() {
    if (closed) {
      throw Errors.closed("collection '" + name + "'");
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Marks the collection closed; the caller holds the commit lock exclusively. */
  void markClosed() {
    closed = true;
  }

  /** What failed the collection, or null. */
  Throwable failure() {
    return failure;
  }

  /** The lock writes hold shared; closing takes it exclusively ({@link Committer#lockAll}). */
  ReentrantReadWriteLock commitLock() {
    return commitLock;
  }

  /** How many changes the index has had; grows with every write (and compaction). */
  long writeGen() {
    return writeGen.get();
  }

  /** Records a change of the index made outside {@link #applyAndLog} (a compaction). */
  void changed() {
    writeGen.incrementAndGet();
  }
}
