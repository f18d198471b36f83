package io.iqdb.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.NoLockFactory;
import org.apache.lucene.store.Lock;

/**
 * Where a collection lives: {@code <db>/collections/<name>/index} (the Lucene index) and {@code
 * <db>/collections/<name>/wal} (the write-ahead log), or a directory in memory.
 */
final class CollectionStore implements Closeable {
  private final Path root;
  private final Directory index;

  private CollectionStore(Path root, Directory index) {
    this.root = root;
    this.index = index;
  }

  static Path collectionDir(Path dbDir, String name) {
    return dbDir.resolve("collections").resolve(name);
  }

  static CollectionStore onDisk(Path collectionDir, UnaryOperator<Directory> wrapper) throws IOException {
    Files.createDirectories(collectionDir.resolve("index"));
    Files.createDirectories(collectionDir.resolve("wal"));
    // No index lock of its own: the database's lock (Database.LOCK_FILE) already keeps every other
    // opener out. Lucene's native lock would also be a FileChannel that the index writer checks
    // (FileChannel.size) on every file it creates, from the writing thread: an interrupt of that
    // thread closes the channel, and the index writer fails for good (a tragic exception).
    Directory index = FSDirectory.open(collectionDir.resolve("index"), NoLockFactory.INSTANCE);
    return new CollectionStore(collectionDir, wrapper.apply(index));
  }

  static CollectionStore inMemory() {
    return new CollectionStore(null, newMemoryDirectory());
  }

  /**
   * A new in-memory Lucene directory: on a JVM >= 22 one whose files live off the heap in memory
   * segments ({@code OffHeapIndexInput}, compiled for Java 22 from {@code src/main/java22}, so
   * Lucene's SIMD vector scorers read it as fast as a memory-mapped index); on Java 21, or a build
   * without that class, Lucene's heap {@link ByteBuffersDirectory}.
   */
  static Directory newMemoryDirectory() {
    if (OFF_HEAP_DIRECTORY != null) {
      try {
        return (Directory) OFF_HEAP_DIRECTORY.invokeExact();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new AssertionError("OffHeapIndexInput.directory() declares no checked exception", e);
      }
    }
    return new ByteBuffersDirectory();
  }

  /** Whether in-memory collections keep their index files off the heap (see newMemoryDirectory). */
  static boolean memoryIsOffHeap() {
    return OFF_HEAP_DIRECTORY != null;
  }

  private static final MethodHandle OFF_HEAP_DIRECTORY = offHeapDirectoryFactory();

  private static MethodHandle offHeapDirectoryFactory() {
    if (Runtime.version().feature() < 22) {
      return null;
    }
    try {
      Class<?> type = Class.forName("io.iqdb.internal.OffHeapIndexInput");
      return MethodHandles.lookup().findStatic(type, "directory", MethodType.methodType(Directory.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  Directory index() {
    return index;
  }

  /** The WAL directory, or {@code null} in memory. */
  Path walDir() {
    return root == null ? null : root.resolve("wal");
  }

  /** Records in quarantine (see {@link Quarantine}); 0 in memory. */
  long quarantined() throws IOException {
    return root == null ? 0 : Quarantine.count(root);
  }

  /** The collection's directory, or {@code null} in memory. */
  Path root() {
    return root;
  }

  long indexBytes() throws IOException {
    return root == null ? 0 : filesBytes();
  }

  /**
   * Bytes of the index files held in memory: those of an in-memory collection (off the heap on a
   * JVM >= 22); 0 on disk. A file deleted by a merge leaves the count at once, and its memory when
   * the garbage collector finds no reader of it left.
   */
  long memoryBytes() throws IOException {
    return root == null ? filesBytes() : 0;
  }

  private long filesBytes() throws IOException {
    long total = 0;
    for (String f : index.listAll()) {
      try {
        total += index.fileLength(f);
      } catch (java.nio.file.NoSuchFileException e) {
        // deleted by a merge while we listed
      }
    }
    return total;
  }

  /**
   * Runs Lucene's CheckIndex on a commit, which the caller keeps from being deleted (a snapshot).
   * CheckIndex reads the newest segments file its directory lists, so it reads a view of the index
   * directory that lists only {@code commit}'s files: commits made meanwhile are not in it.
   *
   * @param name the collection name, for the report
   * @param commit the commit to check
   * @return CheckIndex's report, or {@code null} if the index is clean
   */
  String checkIndex(String name, IndexCommit commit) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Lock noLock =
        new Lock() {
          @Override
          public void close() {}

          @Override
          public void ensureValid() {}
        };
    try {
      String[] files = commit.getFileNames().toArray(String[]::new);
      java.util.Arrays.sort(files);
      Directory onlyCommit =
          new FilterDirectory(index) {
            @Override
            public String[] listAll() {
              return files.clone();
            }
          };
      try (CheckIndex checker = new CheckIndex(onlyCommit, noLock)) {
        checker.setInfoStream(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
        CheckIndex.Status status = checker.checkIndex();
        return status.clean ? null : bytes.toString(StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      return "CheckIndex of collection '" + name + "' failed: " + e;
    }
  }

  /**
   * Verifies the checksum of every file of the last commit, the segments file first, before any is
   * parsed: a damaged header then reads as corruption ({@code CorruptIndexException} naming the
   * file), not as a format version or an end of file.
   */
  void verifyLastCommit() throws IOException {
    checkLastCommit(true);
  }

  /**
   * The cheap check at open: verifies the checksum of the segments file in full (Lucene does too,
   * reading it) and the structure of every other file's checksum footer (footer magic, algorithm
   * id, a file at least as long as its footer): a truncated, zeroed or wrong file is reported here,
   * naming it, before anything is parsed from it. Lucene's readers then verify the metadata files
   * they parse in full. Reads a few bytes per file, whatever the index size.
   */
  void checkFootersOfLastCommit() throws IOException {
    checkLastCommit(false);
  }

  private void checkLastCommit(boolean full) throws IOException {
    String segmentsFile = SegmentInfos.getLastCommitSegmentsFileName(index);
    if (segmentsFile == null) {
      return;
    }
    verifyChecksum(segmentsFile);
    SegmentInfos infos = SegmentInfos.readCommit(index, segmentsFile);
    for (String file : infos.files(false)) {
      if (full) {
        verifyChecksum(file);
      } else {
        try (IndexInput in = index.openInput(file, IOContext.READONCE)) {
          CodecUtil.retrieveChecksum(in);
        }
      }
    }
  }

  private void verifyChecksum(String file) throws IOException {
    try (IndexInput in = index.openInput(file, IOContext.READONCE)) {
      CodecUtil.checksumEntireFile(in);
    }
  }

  @Override
  public void close() throws IOException {
    index.close();
  }
}
