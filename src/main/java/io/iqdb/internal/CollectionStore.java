package io.iqdb.internal;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;

/**
 * Where a collection lives: {@code <db>/collections/<name>/index} (the Lucene index) and {@code
 * <db>/collections/<name>/wal} (the write-ahead log), or a heap directory in memory.
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
    Directory index = FSDirectory.open(collectionDir.resolve("index"));
    return new CollectionStore(collectionDir, wrapper.apply(index));
  }

  static CollectionStore inMemory() {
    return new CollectionStore(null, new ByteBuffersDirectory());
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
    if (root == null) {
      return 0;
    }
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
   * Runs Lucene's CheckIndex on the last commit. The caller must keep commits from running.
   *
   * @param name the collection name, for the report
   * @return CheckIndex's report, or {@code null} if the index is clean
   */
  String checkIndex(String name) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Lock noLock =
        new Lock() {
          @Override
          public void close() {}

          @Override
          public void ensureValid() {}
        };
    try (CheckIndex checker = new CheckIndex(index, noLock)) {
      checker.setInfoStream(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_INTEGRITY_CHECKS);
      CheckIndex.Status status = checker.checkIndex();
      return status.clean ? null : bytes.toString(StandardCharsets.UTF_8);
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
    String segmentsFile = SegmentInfos.getLastCommitSegmentsFileName(index);
    if (segmentsFile == null) {
      return;
    }
    verifyChecksum(segmentsFile);
    SegmentInfos infos = SegmentInfos.readCommit(index, segmentsFile);
    for (String file : infos.files(false)) {
      verifyChecksum(file);
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
