package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.CollectionStats;
import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.Hit;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.StorageException;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.util.IOUtils;

/**
 * A collection: one Lucene index plus its write-ahead log.
 *
 * <p>Writes: validated first; then, holding the commit lock shared and the lock stripes of their
 * ids, applied to the {@link IndexWriter} whole or not at all (by at most one thread per core at a
 * time; see {@link BatchApplier}) and logged (sequence number assigned); then, outside the locks,
 * synced (SYNC mode; concurrent writers share fsyncs). Striping keeps writes to one id in log
 * order, so replaying the log reproduces the index. A commit takes the commit lock exclusively only
 * to fix its sequence number: it contains every batch up to it, and maybe later ones (see {@link
 * #commit}).
 *
 * <p>Reads: read-your-writes by refreshing the {@link SearcherManager} when writes are pending; a
 * read with nothing pending takes no lock.
 */
final class CollectionImpl implements VectorCollection {
  private static final System.Logger LOG = System.getLogger("io.iqdb");

  /** The commit user-data key holding the last sequence number a commit contains. */
  static final String SEQ_KEY = "iqdb.seq";

  private static final int STRIPES = 64;

  /** How many threads may add documents to one collection's index writer at once: one per core. */
  private static final int INDEXERS = Runtime.getRuntime().availableProcessors();

  /** How often a writer waiting to index yields before it blocks. */
  private static final int INDEXER_SPINS = 100;

  private final String name;
  private final CollectionConfig config;
  private final CollectionStore store;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Schema schema;
  private final SearchExecutor executor;
  private final CollectionLog log;
  private final Durability durability;

  private final ReentrantReadWriteLock commitLock = new ReentrantReadWriteLock();

  /** Held by a write that gives a payload field its first type; see {@link #applyAndLog}. */
  private final ReentrantLock schemaLock = new ReentrantLock();
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  /** Permits to add documents to the index writer; see {@link #applyAdmitted}. */
  private final Semaphore indexers = new Semaphore(INDEXERS);
  private final AtomicLong writeGen = new AtomicLong();
  private final Object refreshLock = new Object();
  private volatile long refreshedGen;
  private volatile boolean closed;
  private volatile Throwable failure;

  /** Set when a full checksum verification found a damaged index file: every call then throws it. */
  private volatile io.iqdb.CorruptedException corruption;

  /** The sequence number the last commit contains. */
  private volatile long committedSeq;

  /** Serializes commits; taken before {@link #commitLock}. */
  private final ReentrantLock commitMutex = new ReentrantLock();

  private final CommitPolicy policy;

  /** Runs the searches of a batch; see {@code Iqdb.Builder.searchExecutor}. */
  private final TaskExecutor searchTasks;
  private volatile long lastCommitMillis = System.currentTimeMillis();
  private volatile long logBytesAtCommit;
  private final AtomicLong commits = new AtomicLong();

  CollectionImpl(
      String name, CollectionConfig config, Durability durability, CollectionStore store,
      IndexWriter writer, SearcherManager searchers, Schema schema, CollectionLog log, long committedSeq,
      CommitPolicy policy, java.util.concurrent.Executor searchExecutor) {
    this.committedSeq = committedSeq;
    this.searchTasks = new TaskExecutor(searchExecutor);
    this.policy = policy;
    this.logBytesAtCommit = log.sizeInBytes();
    this.name = name;
    this.config = config;
    this.durability = durability;
    this.store = store;
    this.writer = writer;
    this.searchers = searchers;
    this.schema = schema;
    this.log = log;
    this.executor = new SearchExecutor(config, schema, new IndexFormats(config));
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CollectionConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void upsert(String id, float[] vector, Payload payload, String text) {
    ensureOpen();
    Args.notNull(vector, "vector");
    PreparedUpsert p = prepare(id, vector, payload, text);
    write(List.of(p.op), List.of(p));
  }

  @Override
  public void upsertAll(Collection<VectorRecord> records) {
    ensureOpen();
    if (records == null) {
      throw new InvalidArgumentException("records must not be null");
    }
    Map<String, PreparedUpsert> byId = new LinkedHashMap<>();
    int i = 0;
    for (VectorRecord r : records) {
      if (r == null) {
        throw new InvalidArgumentException("record " + i + " of the batch is null");
      }
      PreparedUpsert p = prepare(r.id(), r.vector(), r.payload(), r.text());
      byId.remove(p.op.id()); // the last occurrence of an id wins, in its position
      byId.put(p.op.id(), p);
      i++;
    }
    if (byId.isEmpty()) {
      return;
    }
    schema.checkAll(byId.values().stream().map(p -> Map.entry(p.op.id(), p.payload)).toList());
    List<PreparedUpsert> prepared = new ArrayList<>(byId.values());
    write(prepared.stream().map(p -> (CollectionLog.Op) p.op).toList(), prepared);
  }

  @Override
  public boolean delete(String id) {
    ensureOpen();
    return deleteAll(List.of(Validation.checkId(id))) == 1;
  }

  @Override
  public int deleteAll(Collection<String> ids) {
    ensureOpen();
    if (ids == null) {
      throw new InvalidArgumentException("ids must not be null");
    }
    TreeSet<String> unique = new TreeSet<>();
    for (String id : ids) {
      unique.add(Validation.checkId(id));
    }
    if (unique.isEmpty()) {
      return 0;
    }
    int[] existing = {0};
    write(unique, "delete from", () -> {
      // Under the stripe locks no other write to these ids can land, so what a fresh reader sees
      // is what this delete removes.
      List<CollectionLog.Op> ops = new ArrayList<>();
      IndexSearcher s = acquire();
      try {
        for (String id : unique) {
          if (SearchExecutor.docOf(s, id) >= 0) {
            ops.add(new CollectionLog.Delete(id));
          }
        }
      } finally {
        searchers.release(s);
      }
      existing[0] = ops.size();
      return ops.isEmpty() ? NOTHING_WRITTEN : applyAndLog(ops, List.of(), List.of());
    });
    return existing[0];
  }

  /** A checked upsert; {@code text} may be null, so the texts of a batch go in an ArrayList. */
  private record PreparedUpsert(CollectionLog.Upsert op, Payload payload, String text) {}

  private PreparedUpsert prepare(String id, float[] vector, Payload payload, String text) {
    Validation.checkId(id);
    Validation.checkVector(config, vector, "record '" + id + "'");
    Validation.checkText(text, "record '" + id + "'");
    Payload p = payload == null ? Payload.empty() : payload;
    schema.check(id, p);
    return new PreparedUpsert(new CollectionLog.Upsert(id, vector.clone(), PayloadCodec.encode(p, text)), p, text);
  }

  private void write(List<CollectionLog.Op> ops, List<PreparedUpsert> upserts) {
    List<String> texts = new ArrayList<>(upserts.size());
    upserts.forEach(u -> texts.add(u.text()));
    write(ops.stream().map(CollectionLog.Op::id).toList(), "upsert into",
        () -> applyAndLog(ops, upserts.stream().map(PreparedUpsert::payload).toList(), texts));
  }

  /** A write done under the locks: returns the batch's sequence number, or {@link #NOTHING_WRITTEN}. */
  private interface LockedWrite {
    long run() throws IOException;
  }

  private static final long NOTHING_WRITTEN = -1;

  /**
   * Runs a write holding the stripes of its ids and the commit lock shared, then (SYNC) waits for
   * its log record to be fsynced, outside the locks so that concurrent writers share the fsync.
   */
  private void write(Collection<String> ids, String what, LockedWrite body) {
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
   * commit lock (shared), so no commit can fall between the two: a commit holds exactly the logged
   * batches up to its sequence number. Applying first means that a batch the index refuses never
   * reaches the log, so replaying the log can never meet it.
   *
   * <p>A batch that gives a payload field its first type takes {@link #schemaLock}: it checks its
   * types again under the lock and records them only once applied and logged, so a type is known
   * only when a logged record has it, and two writes cannot give one new field two types.
   */
  private long applyAndLog(List<CollectionLog.Op> ops, List<Payload> payloads, List<String> texts) throws IOException {
    CollectionLog.Encoded encoded = log.encode(ops); // may refuse the batch: before anything is done
    boolean extendsSchema = schema.extendedBy(payloads);
    if (extendsSchema) {
      schemaLock.lock();
    }
    try {
      if (extendsSchema) {
        schema.checkAll(BatchApplier.upserts(ops, payloads));
      }
      applyAdmitted(ops, payloads, texts);
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
      writeGen.incrementAndGet();
      return seq;
    } finally {
      if (extendsSchema) {
        schemaLock.unlock();
      }
    }
  }

  /**
   * The exception for a failed write. Bad input and a closed collection fail only the call, and so
   * does a write Lucene's index writer refused as input ({@link IllegalArgumentException}) without
   * a tragic exception: the write was refused whole (see {@link BatchApplier#applyOps}) before it was logged.
   * The collection is failed (it refuses writes until the database is reopened, which recovers from
   * the last commit plus the log) after a tragic exception, a failed log write, or an I/O error:
   * Lucene may have dropped buffered documents after one, and a later commit would then record
   * them as contained and trim the log records that still hold them.
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
    if (failure == null && writer.getTragicException() == null && e instanceof IllegalArgumentException iae) {
      return new InvalidArgumentException(what + " failed: the index refused the write: " + iae.getMessage(), iae);
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
  private void applyAdmitted(List<CollectionLog.Op> ops, List<Payload> payloads, List<String> texts)
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
          if (committedSeq >= seq) {
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
  private RuntimeException fail(Throwable t, String what) {
    if (failure == null) {
      failure = t;
    }
    return Errors.translate(t, what);
  }

  private void ensureWritable() {
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

  private void ensureOpen() {
    ensureNotClosed();
    io.iqdb.CorruptedException c = corruption;
    if (c != null) {
      throw new io.iqdb.CorruptedException(c.getMessage(), c.file(), c.getCause());
    }
  }

  private void ensureNotClosed() {
    if (closed) {
      throw Errors.closed("collection '" + name + "'");
    }
  }

  /**
   * Verifies in full the checksum of every file the current searcher reads, segment by segment
   * (Lucene's {@code LeafReader.checkIntegrity}). On a mismatch the collection is marked corrupted:
   * every later call throws {@link io.iqdb.CorruptedException} naming the file, and {@link #check()}
   * reports it. Holding the searcher keeps merges from deleting the files being read.
   *
   * @param stop says to stop between segments (the database is closing)
   */
  void verifyIntegrity(java.util.function.BooleanSupplier stop) {
    IndexSearcher s;
    try {
      s = searchers.acquire();
    } catch (IOException | org.apache.lucene.store.AlreadyClosedException e) {
      return; // closed meanwhile
    }
    try {
      for (org.apache.lucene.index.LeafReaderContext leaf : s.getIndexReader().leaves()) {
        if (closed || stop.getAsBoolean()) {
          return;
        }
        leaf.reader().checkIntegrity();
      }
    } catch (org.apache.lucene.index.CorruptIndexException e) {
      corruption = new io.iqdb.CorruptedException("collection '" + name + "': an index file is damaged (found by the"
          + " checksum verification after open; restore the collection's files or drop it): " + e.getMessage(),
          e.getResourceDescription(), e);
      LOG.log(System.Logger.Level.ERROR, corruption.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      if (!closed && !stop.getAsBoolean()) {
        LOG.log(System.Logger.Level.WARNING, "collection '" + name + "': checksum verification failed", e);
      }
    } finally {
      try {
        searchers.release(s);
      } catch (IOException | org.apache.lucene.store.AlreadyClosedException e) {
        // closing: the reader goes with the collection
      }
    }
  }

  // ---------------------------------------------------------------- reads

  IndexSearcher acquire() throws IOException {
    ensureOpen();
    long gen = writeGen.get();
    if (gen > refreshedGen) {
      synchronized (refreshLock) {
        if (gen > refreshedGen) {
          searchers.maybeRefreshBlocking();
          refreshedGen = gen;
        }
      }
    }
    return searchers.acquire();
  }

  void release(IndexSearcher s) {
    try {
      searchers.release(s);
    } catch (IOException e) {
      throw Errors.translate(e, "release of a searcher of collection '" + name + "'");
    }
  }

  @Override
  public Optional<VectorRecord> get(String id) {
    ensureOpen();
    Validation.checkId(id);
    return read("get from", s -> Optional.ofNullable(SearchExecutor.get(s, id)));
  }

  @Override
  public long count() {
    return read("count of", s -> (long) s.getIndexReader().numDocs());
  }

  @Override
  public Stream<VectorRecord> scan() {
    ensureOpen();
    IndexSearcher s;
    try {
      s = acquire();
    } catch (IOException | RuntimeException e) {
      throw Errors.translate(e, "scan of collection '" + name + "'");
    }
    return RecordScan.stream(s, () -> release(s), name);
  }

  @Override
  public List<Hit> search(SearchRequest request) {
    ensureOpen();
    if (request == null) {
      throw new InvalidArgumentException("search request must not be null");
    }
    return read("search of", s -> executor.search(s, request));
  }

  @Override
  public List<List<Hit>> searchBatch(List<float[]> queries, int k) {
    if (queries == null) {
      throw new InvalidArgumentException("queries must not be null");
    }
    SearchRequest.of(new float[0], k); // validates k once, up front
    return searchBatchRequests(queries.stream().map(q -> SearchRequest.of(q, k)).toList());
  }

  @Override
  public List<List<Hit>> searchBatchRequests(List<SearchRequest> requests) {
    ensureOpen();
    if (requests == null) {
      throw new InvalidArgumentException("requests must not be null");
    }
    for (SearchRequest r : requests) {
      if (r == null) {
        throw new InvalidArgumentException("a search request of the batch is null");
      }
    }
    return read("batch search of", s -> {
      List<java.util.concurrent.Callable<List<Hit>>> tasks = new ArrayList<>(requests.size());
      for (SearchRequest r : requests) {
        tasks.add(() -> executor.search(s, r));
      }
      return searchTasks.invokeAll(tasks);
    });
  }

  private interface Read<T> {
    T apply(IndexSearcher s) throws IOException;
  }

  private <T> T read(String what, Read<T> fn) {
    ensureOpen();
    IndexSearcher s = null;
    try {
      s = acquire();
      return fn.apply(s);
    } catch (IOException | RuntimeException e) {
      throw Errors.translate(e, what + " collection '" + name + "'");
    } finally {
      if (s != null) {
        release(s);
      }
    }
  }

  // ---------------------------------------------------------------- maintenance

  @Override
  public void flush() {
    ensureOpen();
    commit();
  }

  /**
   * Commits the index with a sequence number it contains everything up to, then trims the log.
   *
   * <p>Writers are blocked only while the sequence number is fixed: under the commit lock taken
   * exclusively, no write is between its apply and its append, so every logged batch up to {@code
   * seq} is in the index writer. The Lucene commit itself (flushing the indexing buffer, building
   * graphs or IVF lists, fsyncs) runs without the lock, so writes go on meanwhile; some of them may
   * land in this commit too. Replaying them from the log after a crash is harmless: each batch sets
   * or deletes whole records by id, the log and the index apply one id's writes in the same order
   * (the id's lock stripe covers both), so replaying every batch after {@code seq} in log order
   * leaves each record as its last logged write left it, whichever of them the commit held.
   * Commits are serialized by {@link #commitMutex}.
   */
  void commit() {
    commitMutex.lock();
    try {
      long seq;
      commitLock.writeLock().lock();
      try {
        ensureWritable();
        seq = log.lastSeq();
        if (seq == committedSeq && !writer.hasUncommittedChanges()) {
          return; // nothing new: a commit would only add a segments file
        }
        writer.setLiveCommitData(Map.of(SEQ_KEY, Long.toString(seq)).entrySet());
      } finally {
        commitLock.writeLock().unlock();
      }
      try {
        writer.commit();
      } catch (IOException | RuntimeException e) {
        throw fail(e, "commit of collection '" + name + "'");
      }
      committedSeq = seq;
      lastCommitMillis = System.currentTimeMillis();
      commits.incrementAndGet();
      try {
        log.trim(seq);
      } catch (IOException | RuntimeException e) {
        // The commit is durable; the log keeps generations it no longer needs, and the next
        // commit's trim deletes them. Nothing is lost, so the collection stays usable.
        LOG.log(System.Logger.Level.WARNING,
            "collection '" + name + "': could not trim the write-ahead log after a commit; will retry at the next", e);
      }
      logBytesAtCommit = log.sizeInBytes();
    } finally {
      commitMutex.unlock();
    }
  }

  /**
   * Commits if the commit policy says so: writes are pending and enough log was written, or enough
   * time passed, since the last commit. Called by the database's background committer.
   *
   * @param nowMillis the current time
   * @return whether it committed
   */
  boolean maybeCommit(long nowMillis) {
    if (closed || failure != null || !policy.enabled() || log.lastSeq() == committedSeq) {
      return false;
    }
    boolean bySize = policy.maxLogBytes() > 0 && log.sizeInBytes() - logBytesAtCommit >= policy.maxLogBytes();
    boolean byAge = !policy.maxAge().isZero() && nowMillis - lastCommitMillis >= policy.maxAge().toMillis();
    if (!bySize && !byAge) {
      return false;
    }
    try {
      commit();
      return true;
    } catch (io.iqdb.ClosedException e) {
      return false;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "collection '" + name + "': background commit failed", e);
      return false;
    }
  }

  @Override
  public void compact(int maxSegments) {
    ensureOpen();
    if (maxSegments < 1) {
      throw new InvalidArgumentException("maxSegments must be >= 1; maxSegments=" + maxSegments);
    }
    try {
      ensureWritable();
      writer.forceMergeDeletes(true);
      writer.forceMerge(maxSegments, true);
    } catch (IOException | RuntimeException e) {
      throw fail(e, "compaction of collection '" + name + "'");
    }
    writeGen.incrementAndGet();
    commit();
  }

  @Override
  public CollectionStats stats() {
    return read("stats of", s -> {
      var reader = s.getIndexReader();
      return new CollectionStats(
          name, reader.numDocs(), reader.maxDoc() - reader.numDocs(), reader.leaves().size(),
          store.indexBytes(), log.sizeInBytes(), store.quarantined(),
          java.time.Instant.ofEpochMilli(lastCommitMillis), commits.get(), store.memoryBytes(), config);
    });
  }

  /** Index integrity: Lucene's CheckIndex over the last commit. */
  String check() {
    ensureNotClosed();
    String report;
    commitMutex.lock(); // no commit may delete the files being checked; writers go on
    try {
      report = store.checkIndex(name);
    } finally {
      commitMutex.unlock();
    }
    long quarantined;
    try {
      quarantined = store.quarantined();
    } catch (IOException e) {
      throw Errors.translate(e, "check of collection '" + name + "'");
    }
    io.iqdb.CorruptedException c = corruption;
    if (c != null) {
      report = report == null ? c.getMessage() : c.getMessage() + "\n" + report;
    }
    if (quarantined > 0) {
      String q = quarantined + " write-ahead-log record(s) could not be applied at recovery and were"
          + " quarantined in " + store.root().resolve(Quarantine.DIR);
      report = report == null ? q : report + "\n" + q;
    }
    return report;
  }

  /** Commits (unless failed) and closes everything. */
  void close(boolean commitFirst) {
    Throwable first = null;
    // Under the commit lock, so that a write is either wholly before the last commit or sees the
    // collection closed before it does anything.
    commitMutex.lock();
    commitLock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      if (commitFirst && failure == null && writer.getTragicException() == null) {
        try {
          commit();
        } catch (RuntimeException e) {
          first = e;
        }
      }
      closed = true;
    } finally {
      commitLock.writeLock().unlock();
      commitMutex.unlock();
    }
    try {
      IOUtils.close(searchers, log, failure == null ? writer : () -> writer.rollback(), store);
    } catch (IOException | RuntimeException e) {
      if (first == null) {
        first = e;
      }
    }
    if (first != null) {
      throw Errors.translate(first, "close of collection '" + name + "'");
    }
  }
}
