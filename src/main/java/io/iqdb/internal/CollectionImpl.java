package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.CollectionStats;
import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.Hit;
import io.iqdb.InvalidArgumentException;
import io.iqdb.Payload;
import io.iqdb.SearchRequest;
import io.iqdb.SearchResult;
import io.iqdb.VectorCollection;
import io.iqdb.VectorRecord;
import io.iqdb.internal.wal.WalEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.util.IOUtils;

/**
 * A collection: one Lucene index plus its write-ahead log. This class is the public API: it
 * validates the arguments, runs the reads, and hands writes to its {@link CollectionWriter} and
 * commits to its {@link Committer}.
 *
 * <p>Writes: validated first; then, holding the commit lock shared and the lock stripes of their
 * ids, applied to the {@link IndexWriter} whole or not at all (by at most one thread per core at a
 * time; see {@link BatchApplier}) and logged (sequence number assigned); then, outside the locks,
 * synced (SYNC mode; concurrent writers share fsyncs). Striping keeps writes to one id in log
 * order, so replaying the log reproduces the index. Commits, refreshes and {@link #check} take no
 * lock that writes take (only closing does): a commit contains every batch up to the log's sequence
 * number when it starts, and maybe later ones (see {@link Committer#commit}). The lock order is in
 * {@link CollectionWriter} and {@link Committer}.
 *
 * <p>Reads: read-your-writes without a refresh. A write is applied to the index writer and kept in
 * the collection's {@link Tail} until a background refresh (see {@link Refresher}) moves it into the
 * searcher; a read takes a {@link TailView} and then a searcher and merges them ({@link TailSearch}),
 * taking no lock. Reads the tail cannot serve (text and hybrid search, Lucene query filters, count,
 * scan, stats) refresh first when writes are pending, as every read did before. A delete reads
 * under the writer's locks, from the tail and the current searcher, without refreshing.
 *
 * <p>Interrupts: whatever writes files (writes, refreshes, commits, compaction, close) runs on a
 * thread iQDB owns while the caller waits, so that interrupting the caller cannot fail the index
 * writer (see {@link Uninterruptible}).
 */
final class CollectionImpl implements VectorCollection {
  private static final System.Logger LOG = System.getLogger("io.iqdb");

  private final String name;
  private final CollectionConfig config;
  private final CollectionStore store;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Schema schema;
  private final SearchExecutor executor;
  private final CollectionLog log;
  private final CollectionWriter writes;
  private final Committer committer;
  private final Tail tail = new Tail();
  private final Refresher refresher;
  private final TailSearch tailSearch;

  /** Set when a full checksum verification found a damaged index file: every call then throws it. */
  private volatile io.iqdb.CorruptedException corruption;

  /** Runs the work that writes files where interrupts cannot reach it; the database's. */
  private final Uninterruptible uninterruptible;

  CollectionImpl(
      String name, CollectionConfig config, Durability durability, CollectionStore store,
      IndexWriter writer, SearcherManager searchers, Schema schema, CollectionLog log, long committedSeq,
      CommitPolicy policy, java.util.concurrent.Executor searchExecutor, io.iqdb.RefreshPolicy refreshPolicy,
      java.util.concurrent.Executor background, Uninterruptible uninterruptible) {
    this.uninterruptible = uninterruptible;
    this.name = name;
    this.config = config;
    this.store = store;
    this.writer = writer;
    this.searchers = searchers;
    this.schema = schema;
    this.log = log;
    this.executor = new SearchExecutor(
        config, schema, new IndexFormats(config), searchExecutor, Runtime.getRuntime().availableProcessors());
    this.writes = new CollectionWriter(name, durability, writer, schema, log, tail, this::committedSeq);
    this.committer = new Committer(name, writes, writer, log, policy, committedSeq);
    this.refresher = new Refresher(name, searchers, writes, tail, refreshPolicy, background, committer::committing);
    this.tailSearch = new TailSearch(executor, schema);
  }

  private long committedSeq() {
    return committer.committedSeq();
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
    write(prepared.stream().map(p -> p.op).toList(), prepared);
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
    shielded(() -> deleteLocked(unique, existing));
    return existing[0];
  }

  private void deleteLocked(TreeSet<String> unique, int[] existing) {
    writes.write(unique, "delete from", () -> {
      // Under the stripe locks no other write to these ids can land, so what the tail and the
      // searcher show is what this delete removes. No refresh: it would make the delete wait for
      // the index writer's flush.
      List<WalEntry> ops = new ArrayList<>();
      TailView view = tail.view();
      IndexSearcher s = searchers.acquire();
      try {
        for (String id : unique) {
          if (TailSearch.exists(s, view, id)) {
            ops.add(WalEntry.delete(id));
          }
        }
      } finally {
        searchers.release(s);
      }
      existing[0] = ops.size();
      return ops.isEmpty() ? CollectionWriter.NOTHING_WRITTEN : writes.applyAndLog(ops, List.of(), List.of());
    });
    refresher.afterWrite();
  }

  /** A checked upsert; {@code text} may be null, so the texts of a batch go in an ArrayList. */
  private record PreparedUpsert(WalEntry op, Payload payload, String text) {}

  private PreparedUpsert prepare(String id, float[] vector, Payload payload, String text) {
    Validation.checkId(id);
    Validation.checkVector(config, vector, "record '" + id + "'");
    Validation.checkText(text, "record '" + id + "'");
    Payload p = payload == null ? Payload.empty() : payload;
    schema.check(id, p);
    return new PreparedUpsert(WalEntry.upsert(id, vector.clone(), PayloadCodec.encode(p, text)), p, text);
  }

  private void write(List<WalEntry> ops, List<PreparedUpsert> upserts) {
    List<String> texts = new ArrayList<>(upserts.size());
    upserts.forEach(u -> texts.add(u.text()));
    shielded(() -> {
      writes.write(ops.stream().map(WalEntry::id).toList(), "upsert into",
          () -> writes.applyAndLog(ops, upserts.stream().map(PreparedUpsert::payload).toList(), texts));
      refresher.afterWrite();
    });
  }

  private void ensureOpen() {
    writes.ensureOpen();
    io.iqdb.CorruptedException c = corruption;
    if (c != null) {
      throw new io.iqdb.CorruptedException(c.getMessage(), c.file(), c.getCause());
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
        if (writes.isClosed() || stop.getAsBoolean()) {
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
      if (!writes.isClosed() && !stop.getAsBoolean()) {
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

  /**
   * A searcher that contains every write that returned before the call: refreshes first if writes
   * are pending. For the reads the tail cannot serve.
   */
  IndexSearcher acquire() throws IOException {
    ensureOpen();
    refresh();
    return searchers.acquire();
  }

  /**
   * Refreshes the searcher if writes are pending, on an owned thread: a refresh flushes the index
   * writer's buffers to files, which an interrupt of the calling thread must not cut short (see
   * {@link Uninterruptible}).
   */
  private void refresh() throws IOException {
    if (!refresher.pending()) {
      return;
    }
    try {
      shielded(() -> {
        try {
          refresher.refresh();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  void release(IndexSearcher s) {
    try {
      searchers.release(s);
    } catch (IOException e) {
      throw Errors.translate(e, "release of a searcher of collection '" + name + "'");
    }
  }

  /**
   * Refreshes if the refresh policy says so; see {@link Refresher#maybeRefresh}.
   *
   * @param nowMillis the current time
   */
  void maybeRefresh(long nowMillis) {
    refresher.maybeRefresh(nowMillis);
  }

  @Override
  public Optional<VectorRecord> get(String id) {
    ensureOpen();
    Validation.checkId(id);
    return read("get from", false, (s, v) -> Optional.ofNullable(TailSearch.get(s, v, id)));
  }

  @Override
  public long count() {
    return read("count of", true, (s, v) -> (long) s.getIndexReader().numDocs());
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
    return search(request, null);
  }

  /**
   * {@link #search(SearchRequest)} that stops early once {@code cancelled} says so (Lucene checks
   * it as it visits documents and graph nodes); what it returns then is partial, for the caller to
   * drop.
   *
   * @param request the request
   * @param cancelled says to stop, or {@code null}
   * @return hits, best first
   */
  List<Hit> search(SearchRequest request, QueryTimeout cancelled) {
    ensureOpen();
    if (request == null) {
      throw new InvalidArgumentException("search request must not be null");
    }
    return read("search of", !TailSearch.servesFromTail(request), cancelled,
        (s, v) -> tailSearch.search(s, v, request));
  }

  @Override
  public SearchResult searchResult(SearchRequest request) {
    ensureOpen();
    if (request == null) {
      throw new InvalidArgumentException("search request must not be null");
    }
    if (!request.explain()) {
      return new SearchResult(search(request), null);
    }
    long start = System.nanoTime();
    SearchTrace trace = new SearchTrace();
    List<Hit> hits =
        read("search of", !TailSearch.servesFromTail(request), (s, v) -> tailSearch.search(s, v, request, trace));
    return new SearchResult(hits, trace.toExplanation(System.nanoTime() - start));
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
    return searchBatchRequests(requests, null);
  }

  /**
   * {@link #searchBatchRequests(List)} that stops early once {@code cancelled} says so; see {@link
   * #search(SearchRequest, QueryTimeout)}.
   *
   * @param requests the requests
   * @param cancelled says to stop, or {@code null}
   * @return one hit list per request
   */
  List<List<Hit>> searchBatchRequests(List<SearchRequest> requests, QueryTimeout cancelled) {
    ensureOpen();
    if (requests == null) {
      throw new InvalidArgumentException("requests must not be null");
    }
    boolean refresh = false;
    for (SearchRequest r : requests) {
      if (r == null) {
        throw new InvalidArgumentException("a search request of the batch is null");
      }
      refresh |= !TailSearch.servesFromTail(r);
    }
    return read("batch search of", refresh, cancelled, (s, v) -> {
      List<java.util.concurrent.Callable<List<Hit>>> tasks = new ArrayList<>(requests.size());
      for (SearchRequest r : requests) {
        tasks.add(() -> tailSearch.search(s, v, r));
      }
      return executor.runAll(tasks); // an interrupt of the caller fails no search of the batch
    });
  }

  private interface Read<T> {
    T apply(IndexSearcher s, TailView view) throws IOException;
  }

  /**
   * Runs a read on a searcher and the tail view taken before it, or, if {@code refresh}, on a
   * refreshed searcher alone (which then holds every write that returned before the read).
   */
  private <T> T read(String what, boolean refresh, Read<T> fn) {
    return read(what, refresh, null, fn);
  }

  /** {@link #read(String, boolean, Read)} on a searcher that stops when {@code cancelled} says so. */
  private <T> T read(String what, boolean refresh, QueryTimeout cancelled, Read<T> fn) {
    ensureOpen();
    IndexSearcher s = null;
    try {
      TailView view;
      if (refresh) {
        refresh();
        view = TailView.EMPTY;
      } else {
        view = tail.view(); // before the searcher: see Tail
      }
      s = searchers.acquire();
      return fn.apply(cancelled == null ? s : cancellable(s, cancelled), view);
    } catch (IOException | RuntimeException e) {
      throw Errors.translate(e, what + " collection '" + name + "'");
    } finally {
      if (s != null) {
        release(s);
      }
    }
  }

  /**
   * Runs {@code body} where an interrupt of the calling thread cannot fail the index writer or the
   * log: on an owned thread (see {@link Uninterruptible}) for a collection on disk; on the calling
   * thread for one in memory, whose directory has no file channel an interrupt could close (an
   * interrupt can at most make Lucene refuse the call while it waits, which leaves the index
   * unchanged: see {@link WriteFailures}).
   */
  private void shielded(Runnable body) {
    if (store.root() == null) {
      body.run();
    } else {
      uninterruptible.run(body);
    }
  }

  /**
   * A searcher over the same point-in-time reader as {@code s} that stops when {@code cancelled}
   * says so: Lucene's timeout, which ends a query's document loop and an approximate vector search
   * early (their results are then partial), and which {@link SearchExecutor#exact} checks too. A
   * searcher of its own because the timeout is a setting of the searcher, which other reads share.
   */
  private static IndexSearcher cancellable(IndexSearcher s, QueryTimeout cancelled) {
    IndexSearcher c = new IndexSearcher(s.getIndexReader());
    c.setSimilarity(s.getSimilarity());
    c.setQueryCache(s.getQueryCache());
    c.setQueryCachingPolicy(s.getQueryCachingPolicy());
    c.setTimeout(cancelled);
    return c;
  }

  // ---------------------------------------------------------------- maintenance

  @Override
  public void flush() {
    ensureOpen();
    commit();
  }

  /** Commits the index and trims the log (see {@link Committer#commit}), on an owned thread. */
  void commit() {
    shielded(committer::commit);
  }

  /**
   * Commits if the commit policy says so; see {@link Committer#maybeCommit}.
   *
   * @param nowMillis the current time
   * @return whether it committed
   */
  boolean maybeCommit(long nowMillis) {
    return committer.maybeCommit(nowMillis);
  }

  @Override
  public void compact(int maxSegments) {
    ensureOpen();
    if (maxSegments < 1) {
      throw new InvalidArgumentException("maxSegments must be >= 1; maxSegments=" + maxSegments);
    }
    shielded(() -> compactLocked(maxSegments));
  }

  private void compactLocked(int maxSegments) {
    try {
      writes.ensureWritable();
      writer.forceMergeDeletes(true);
      writer.forceMerge(maxSegments, true);
    } catch (IOException | RuntimeException e) {
      throw writes.fail(e, "compaction of collection '" + name + "'");
    }
    writes.changed();
    commit();
    try {
      refresher.refresh(); // searches after compact() see the merged segments, not the old ones
    } catch (IOException e) {
      throw Errors.translate(e, "refresh after compaction of collection '" + name + "'");
    }
  }

  @Override
  public CollectionStats stats() {
    return read("stats of", true, (s, v) -> {
      var reader = s.getIndexReader();
      return new CollectionStats(
          name, reader.numDocs(), reader.maxDoc() - reader.numDocs(), reader.leaves().size(),
          store.indexBytes(), log.sizeInBytes(), store.quarantined(),
          java.time.Instant.ofEpochMilli(committer.lastCommitMillis()), committer.commits(), store.memoryBytes(),
          config);
    });
  }

  /**
   * Index integrity: Lucene's CheckIndex over the last commit. The commit is pinned with a snapshot
   * of the index writer's deletion policy, so commits (and writes) go on while it is checked.
   */
  String check() {
    writes.ensureOpen(); // a collection found corrupted is still checked: the report says so
    String report = checkLastCommit();
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

  private String checkLastCommit() {
    SnapshotDeletionPolicy snapshots = (SnapshotDeletionPolicy) writer.getConfig().getIndexDeletionPolicy();
    IndexCommit commit;
    try {
      commit = snapshots.snapshot();
    } catch (IOException | RuntimeException e) {
      throw Errors.translate(e, "check of collection '" + name + "'");
    }
    try {
      return store.checkIndex(name, commit);
    } finally {
      try {
        snapshots.release(commit);
        writer.deleteUnusedFiles(); // the files of commits made meanwhile, now unpinned
      } catch (IOException | RuntimeException e) {
        // The files stay until the next commit deletes them; nothing is lost.
        LOG.log(System.Logger.Level.DEBUG, "collection '" + name + "': files of an older commit kept after check", e);
      }
    }
  }

  /** Commits (unless failed) and closes everything, on an owned thread (see {@link #commit}). */
  void close(boolean commitFirst) {
    shielded(() -> closeNow(commitFirst));
  }

  private void closeNow(boolean commitFirst) {
    Throwable first = null;
    // Under the commit lock, so that a write is either wholly before the last commit or sees the
    // collection closed before it does anything.
    committer.lockAll();
    try {
      if (writes.isClosed()) {
        return;
      }
      if (commitFirst && writes.failure() == null && writer.getTragicException() == null) {
        try {
          commit();
        } catch (RuntimeException e) {
          first = e;
        }
      }
      writes.markClosed();
    } finally {
      committer.unlockAll();
    }
    try {
      IOUtils.close(refresher::closeSearchers, log, writes.failure() == null ? writer : () -> writer.rollback(), store);
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
