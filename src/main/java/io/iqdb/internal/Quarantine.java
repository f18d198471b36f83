package io.iqdb.internal;

import io.iqdb.internal.wal.WalEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IOUtils;

/**
 * Write-ahead-log records that recovery could not apply, kept aside so that one bad record never
 * makes a collection unopenable: {@code collections/<name>/quarantine/seq-<N>.qr}, one file per
 * record, written and fsynced before the commit that supersedes the record is made.
 *
 * <p>File format, version {@value #VERSION} (Lucene {@code DataOutput} conventions): {@link
 * CodecUtil#writeHeader header} with codec name {@value #CODEC}; {@code vLong seq}; {@code string
 * error} (why the record was refused); {@code vInt count}; per operation: {@code byte op} (1 upsert,
 * 2 delete), {@code string id}, and for an upsert {@code vInt dimension}, {@code dimension} ×
 * {@code int} float bits, {@code vInt payloadLength}, the encoded payload ({@link PayloadCodec});
 * then the {@link CodecUtil#writeFooter footer}.
 */
final class Quarantine {
  static final String DIR = "quarantine";
  static final String CODEC = "IqdbQuarantine";
  static final int VERSION = 1;
  private static final String SUFFIX = ".qr";

  private Quarantine() {}

  /** Keeps a refused record durably in the quarantine directory under {@code collectionDir}. */
  static Path write(Path collectionDir, long seq, List<WalEntry> ops, Throwable error) throws IOException {
    Path qdir = collectionDir.resolve(DIR);
    Files.createDirectories(qdir);
    String name = "seq-" + seq + SUFFIX;
    try (Directory dir = FSDirectory.open(qdir)) {
      if (Files.exists(qdir.resolve(name))) {
        dir.deleteFile(name); // left by an open that crashed before its commit
      }
      try (IndexOutput out = dir.createOutput(name, IOContext.DEFAULT)) {
        CodecUtil.writeHeader(out, CODEC, VERSION);
        out.writeVLong(seq);
        String message = String.valueOf(error);
        out.writeString(message.length() > 4000 ? message.substring(0, 4000) + "..." : message);
        out.writeVInt(ops.size());
        for (WalEntry e : ops) {
          switch (e.op()) {
            case UPSERT -> {
              out.writeByte((byte) 1);
              out.writeString(e.id());
              out.writeVInt(e.vector().length);
              for (float f : e.vector()) {
                out.writeInt(Float.floatToRawIntBits(f));
              }
              out.writeVInt(e.payload().length);
              out.writeBytes(e.payload(), e.payload().length);
            }
            case DELETE -> {
              out.writeByte((byte) 2);
              out.writeString(e.id());
            }
          }
        }
        CodecUtil.writeFooter(out);
      }
      dir.sync(List.of(name));
      dir.syncMetaData();
    }
    IOUtils.fsync(collectionDir, true); // the quarantine directory's own entry
    return qdir.resolve(name);
  }

  /** How many records a collection has in quarantine. */
  static long count(Path collectionDir) throws IOException {
    Path qdir = collectionDir.resolve(DIR);
    if (!Files.isDirectory(qdir)) {
      return 0;
    }
    try (var files = Files.list(qdir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).count();
    }
  }
}
