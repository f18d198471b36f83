package io.iqdb.internal;

import io.iqdb.CollectionConfig;
import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.internal.wal.CorruptWalException;
import io.iqdb.internal.wal.WalFileSystem;
import io.iqdb.internal.wal.WalOptions;
import io.iqdb.internal.wal.WalReplayer;
import io.iqdb.internal.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.util.IOUtils;

/**
 * Opens a collection of a database: its Lucene index and its write-ahead log, replaying what the
 * last commit lacks (quarantining a batch that cannot be applied), or creates one committed empty.
 */
final class CollectionOpener {
  private static final System.Logger LOG = System.getLogger("io.iqdb");

  private final DatabaseOptions options;
  private final Path dir;
  private final Executor searchExecutor;

  /** The database's background thread: runs the refreshes writers ask for. */
  private final Executor background;
  private final Uninterruptible uninterruptible;

  /**
   * An opener.
   *
   * @param options the database's options
   * @param dir the database directory, or {@code null} in memory
   * @param searchExecutor runs the searches of batches
   * @param background the database's background thread
   * @param uninterruptible where collections write files (see {@link Uninterruptible})
   */
  CollectionOpener(
      DatabaseOptions options, Path dir, Executor searchExecutor, Executor background, Uninterruptible uninterruptible) {
    this.background = background;
    this.uninterruptible = uninterruptible;
    this.options = options;
    this.dir = dir;
    this.searchExecutor = searchExecutor;
  }

  /**
   * Opens a collection, recovering it from its last commit plus its log, or creates it.
   *
   * @param name the name
   * @param config the configuration
   * @param create whether to create it (committed empty)
   * @return the collection
   * @throws IOException on an I/O error
   */
  CollectionImpl open(String name, CollectionConfig config, boolean create)
      throws IOException {
    try {
      return open(name, config, create, ParallelReplay.THREADS > 1);
    } catch (RetrySequentially e) {
      LOG.log(System.Logger.Level.WARNING,
          "collection '" + name + "': parallel replay of the write-ahead log failed (" + e.getCause()
              + "); replaying it again on one thread");
      return open(name, config, create, false);
    }
  }

  /** A parallel replay failed without harming the index: the opener rolls back and replays sequentially. */
  private static final class RetrySequentially extends RuntimeException {
    RetrySequentially(Throwable cause) {
      super(cause);
    }
  }

  private CollectionImpl open(String name, CollectionConfig config, boolean create, boolean parallelReplay)
      throws IOException {
    CollectionStore store =
        dir == null
            ? CollectionStore.inMemory()
            : CollectionStore.onDisk(CollectionStore.collectionDir(dir, name), options.hooks().directoryWrapper());
    IndexWriter writer = null;
    SearcherManager searchers = null;
    CollectionLog log = null;
    boolean success = false;
    try {
      if (!create && options.verifyOnOpen()) {
        store.verifyLastCommit();
      } else if (!create) {
        store.checkFootersOfLastCommit(); // data files: verified in full later (IntegrityVerifier)
      }
      IndexWriterConfig iwc = new IndexWriterConfig();
      OpeningMergePolicy merges = new OpeningMergePolicy(iwc.getMergePolicy());
      iwc.setMergePolicy(merges)
              .setCodec(new IndexFormats(config).codec())
              .setOpenMode(create ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.APPEND)
              .setCommitOnClose(false)
              // check() pins the commit it reads with a snapshot, so commits go on meanwhile
              .setIndexDeletionPolicy(new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy()))
              // A writer never takes over a flush it did not cause, such as one of the buffers a
              // commit or refresh is flushing: that would make it wait for a whole buffer's
              // indexing (IVF's k-means, say). It still flushes its own buffer when it fills.
              .setCheckPendingFlushUpdate(false)
              .setMergeScheduler(new QuietMergeScheduler())
              .setRAMBufferSizeMB(options.ramBufferMb());
      writer = new IndexWriter(store.index(), iwc);
      if (create) {
        writer.setLiveCommitData(Map.of(Committer.SEQ_KEY, "0").entrySet());
        writer.commit();
      }
      long committedSeq = committedSeq(writer, name);
      Schema schema;
      try (DirectoryReader reader = DirectoryReader.open(writer)) {
        schema = new Schema(reader, IndexFormats.similarity(config.metric()));
      }
      Durability durability = config.durability() != null ? config.durability() : options.durability();
      CommitPolicy policy = config.commitPolicy() != null ? config.commitPolicy() : options.commitPolicy();
      log = openLog(store, durability, committedSeq, writer, schema, name, config, policy, parallelReplay);
      searchers = new SearcherManager(writer, null);
      CollectionImpl c = new CollectionImpl(
          name, config, durability, store, writer, searchers, schema, log, committedSeq, policy, searchExecutor,
          options.refreshPolicy(), background, uninterruptible);
      if (log.lastSeq() > committedSeq) {
        c.commit(); // makes the replayed batches part of a commit, so the log can be trimmed
      }
      merges.opened();
      writer.maybeMerge(); // in the background (ConcurrentMergeScheduler)
      success = true;
      return c;
    } catch (CorruptWalException e) {
      throw new io.iqdb.CorruptedException(
          "collection '" + name + "': write-ahead log corrupted: " + e.getMessage(), e.file().toString(), e);
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(searchers, log);
        if (writer != null) {
          IOUtils.closeWhileHandlingException(writer::rollback);
        }
        IOUtils.closeWhileHandlingException(store);
      }
    }
  }

  /**
   * Opens the collection's write-ahead log and replays what its last commit lacks into the writer.
   * With durability NONE, a log left by an earlier open with another durability is replayed,
   * committed and emptied, then no log is kept.
   */
  private CollectionLog openLog(
      CollectionStore store, Durability durability, long committedSeq, IndexWriter writer, Schema schema,
      String name, CollectionConfig config, CommitPolicy policy, boolean parallelReplay) throws IOException {
    Path walDir = store.walDir();
    if (walDir == null) {
      return CollectionLog.none(committedSeq);
    }
    if (durability.mode() == Durability.Mode.NONE && isEmptyDir(walDir)) {
      return CollectionLog.none(committedSeq);
    }
    WalFileSystem fs = options.hooks().walFileSystem();
    WalOptions walOptions = WalOptions.defaults().withFileSystem(fs);
    if (durability.mode() == Durability.Mode.ASYNC) {
      walOptions = walOptions.withMode(WalOptions.Mode.ASYNC, durability.interval());
    }
    if (policy.maxLogBytes() > 0) {
      // A commit trims whole generations only: with generations of half the size trigger, the log
      // on disk stays within about 1.5 times the trigger.
      walOptions = walOptions.withMaxGenerationBytes(
          Math.max(1 << 20, Math.min(walOptions.maxGenerationBytes(), policy.maxLogBytes() / 2)));
    }
    ParallelReplay parallel =
        parallelReplay ? new ParallelReplay(writer, schema, config, store.root(), name) : null;
    WalReplayer replayer = parallel != null ? parallel : (seq, batch) -> {
      try {
        BatchApplier.applyReplayed(writer, schema, config, batch);
      } catch (RuntimeException e) {
        if (writer.getTragicException() != null) {
          throw e;
        }
        // The record was refused whole (see applyReplayed); keep it aside and go on, so that one
        // record can never make the collection unopenable.
        ParallelReplay.quarantine(store.root(), name, seq, batch, e);
      }
    };
    WriteAheadLog wal;
    try {
      wal = WriteAheadLog.open(walDir, walOptions, committedSeq, replayer);
    } catch (IOException | RuntimeException e) {
      if (parallel != null && parallel.finish() != null) {
        throw replayFailed(writer, parallel.failure());
      }
      throw e;
    }
    if (parallel != null && parallel.finish() != null) {
      IOUtils.closeWhileHandlingException(wal);
      throw replayFailed(writer, parallel.failure());
    }
    if (durability.mode() != Durability.Mode.NONE) {
      return new WalLog(wal);
    }
    long last;
    try (wal) {
      last = wal.lastSeq();
      if (last > committedSeq) {
        writer.setLiveCommitData(Map.of(Committer.SEQ_KEY, Long.toString(last)).entrySet());
        writer.commit();
      }
    }
    // Everything the log held is committed: NONE keeps no log files at all.
    try (DirectoryStream<Path> files = Files.newDirectoryStream(walDir)) {
      for (Path f : files) {
        fs.deleteIfExists(f);
      }
    }
    fs.syncDirectory(walDir);
    return CollectionLog.none(last);
  }

  /**
   * What a failed worker of a parallel replay means: the open fails as a sequential replay's would
   * if the index had a tragic failure; otherwise the writer is rolled back and the log replayed
   * sequentially, which quarantines a record that Lucene refuses whole.
   */
  private static RuntimeException replayFailed(IndexWriter writer, Throwable failure) throws IOException {
    if (writer.getTragicException() != null) {
      if (failure instanceof IOException io) {
        throw io;
      }
      if (failure instanceof RuntimeException re) {
        return re;
      }
      if (failure instanceof Error err) {
        throw err;
      }
    }
    return new RetrySequentially(failure);
  }

  private static boolean isEmptyDir(Path d) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
      return !entries.iterator().hasNext();
    }
  }

  private static long committedSeq(IndexWriter writer, String name) {
    for (Map.Entry<String, String> e : writer.getLiveCommitData()) {
      if (e.getKey().equals(Committer.SEQ_KEY)) {
        try {
          return Long.parseLong(e.getValue());
        } catch (NumberFormatException nfe) {
          throw new io.iqdb.CorruptedException(
              "collection '" + name + "': commit holds a bad sequence number " + e.getValue(), null, nfe);
        }
      }
    }
    throw new io.iqdb.CorruptedException(
        "collection '" + name + "': its last commit records no sequence number; not an iQDB index", null, null);
  }
}
