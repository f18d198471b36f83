package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;

/**
 * Opening-time scan of all generations: replays records after the committed sequence number,
 * truncates a torn tail and raises {@link CorruptWalException} on anything a crash cannot explain.
 * The rules are specified in {@code package-info.java}, section "Recovery".
 */
final class WalRecovery {

  /** A generation that survived recovery. {@code firstSeq} and {@code lastSeq} are -1 if empty. */
  record Generation(long generation, long firstSeq, long lastSeq, long sizeBytes) {}

  /** What recovery found. */
  record Result(
      List<Generation> generations,
      long highestSeq,
      long highestGeneration,
      Checkpoint checkpoint) {}

  private final WalFileSystem fs;
  private final Path dir;
  private final long committedSeq;
  private final WalReplayer replayer;
  private long previousSeq = -1;
  private long lastReplayed = -1;

  private WalRecovery(WalFileSystem fs, Path dir, long committedSeq, WalReplayer replayer) {
    this.fs = fs;
    this.dir = dir;
    this.committedSeq = committedSeq;
    this.replayer = replayer;
  }

  static Result recover(WalFileSystem fs, Path dir, long committedSeq, WalReplayer replayer)
      throws IOException {
    return new WalRecovery(fs, dir, committedSeq, replayer).run();
  }

  private Result run() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    for (Path file : fs.list(dir)) {
      String name = file.getFileName().toString();
      long generation = WalFormat.parseGeneration(name);
      if (generation >= 0) {
        files.put(generation, file);
      } else if (name.equals(WalFormat.CHECKPOINT_TEMP_NAME)) {
        // A checkpoint write that crashed before its rename; the old checkpoint is still valid.
        fs.deleteIfExists(file);
      }
    }
    Checkpoint checkpoint = Checkpoint.read(fs, dir);
    if (checkpoint == null) {
      checkpoint = Checkpoint.EMPTY;
    }
    Path checkpointFile = dir.resolve(WalFormat.CHECKPOINT_NAME);
    if (checkpoint.syncedGeneration() != 0 && !files.containsKey(checkpoint.syncedGeneration())) {
      throw new CorruptWalException(
          "checkpoint records "
              + checkpoint.syncedOffset()
              + " fsynced bytes of "
              + WalFormat.generationFileName(checkpoint.syncedGeneration())
              + ", but that file is missing",
          checkpointFile,
          -1);
    }
    long highestGeneration =
        Math.max(checkpoint.syncedGeneration(), files.isEmpty() ? 0 : files.lastKey());
    List<Generation> survivors = new ArrayList<>();
    for (var e : files.entrySet()) {
      boolean sealed = e.getKey() < files.lastKey();
      Generation g = scan(e.getKey(), e.getValue(), sealed, checkpoint);
      if (g != null) {
        survivors.add(g);
      }
    }
    if (checkpoint.committedSeq() > Math.max(committedSeq, lastReplayed)) {
      throw new CorruptWalException(
          "records up to seq "
              + checkpoint.committedSeq()
              + " were trimmed as committed, but the caller's commit holds only seq <= "
              + committedSeq
              + " and the log continues only to "
              + Math.max(committedSeq, lastReplayed),
          checkpointFile,
          -1);
    }
    return new Result(survivors, Math.max(previousSeq, 0), highestGeneration, checkpoint);
  }

  /** Scans one generation; returns null if it was the newest and only a torn header (deleted). */
  private Generation scan(long generation, Path file, boolean sealed, Checkpoint checkpoint)
      throws IOException {
    long syncedBound;
    if (sealed) {
      // A generation is fsynced completely before its successor is created.
      syncedBound = Long.MAX_VALUE;
    } else {
      syncedBound = generation == checkpoint.syncedGeneration() ? checkpoint.syncedOffset() : 0;
    }
    long firstSeq = -1;
    long size;
    boolean tornHeader = false;
    try (FileChannel channel =
        fs.open(
            file,
            sealed
                ? EnumSet.of(StandardOpenOption.READ)
                : EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE))) {
      size = channel.size();
      if (!sealed && size < syncedBound) {
        throw new CorruptWalException(
            "file has "
                + size
                + " bytes but the checkpoint records "
                + syncedBound
                + " fsynced bytes",
            file,
            size);
      }
      GenerationReader reader = new GenerationReader(channel, size);
      byte[] header = new byte[WalFormat.GENERATION_HEADER_BYTES];
      String headerProblem = readHeader(channel, size, generation, header);
      if (headerProblem != null) {
        // The header is fsynced before any record is written, so a valid record proves it was
        // durable.
        if (sealed || syncedBound > 0 || reader.findValidRecordClaimingBeyond(-1, -1) >= 0) {
          throw new CorruptWalException(headerProblem, file, 0);
        }
        tornHeader = true;
        size = 0;
      }
      if (!tornHeader) {
        // A file of a newer format is never a torn tail, whatever its contents.
        String versionProblem = WalFormat.checkGenerationVersion(header);
        if (versionProblem != null) {
          throw new CorruptWalException(versionProblem, file, 4);
        }
        checkBaseSeq(WalFormat.baseSeq(header), file);
      }
      boolean markersAllowed =
          !tornHeader && WalFormat.headerVersion(header) >= WalFormat.SYNC_MARKER_VERSION;
      long baseSeq = tornHeader ? -1 : WalFormat.baseSeq(header);
      long pos = WalFormat.GENERATION_HEADER_BYTES;
      while (!tornHeader && pos < size) {
        GenerationReader.Parsed record = reader.tryRead(pos);
        if (record == null) {
          String problem = reader.problem();
          if (sealed) {
            throw new CorruptWalException(
                problem + " in a generation that was fsynced completely", file, pos);
          }
          if (pos < syncedBound) {
            throw new CorruptWalException(
                problem
                    + " inside the region the checkpoint records as fsynced ("
                    + syncedBound
                    + " bytes)",
                file,
                pos);
          }
          long witness = reader.findValidRecordClaimingBeyond(pos, pos);
          if (witness >= 0) {
            throw new CorruptWalException(
                problem
                    + "; the valid record at offset "
                    + witness
                    + " was written after this offset had been fsynced",
                file,
                pos);
          }
          // A torn tail: never fsynced, so never acknowledged in SYNC mode. Cut it off (durably,
          // below) before a new generation is created, or a later crash could bring it back
          // behind newer records.
          channel.truncate(pos);
          size = pos;
          break;
        }
        if (record.isSyncMarker()) {
          if (record.length() != WalFormat.RECORD_PREFIX_BYTES + WalFormat.MIN_BODY_BYTES + 4
              || record.seq() > Math.max(previousSeq, baseSeq)
              || !markersAllowed) {
            throw new CorruptWalException(
                "malformed sync marker behind a valid checksum (seq " + record.seq() + ")",
                file,
                pos);
          }
          pos += record.length();
          continue;
        }
        if (firstSeq < 0 && record.seq() != baseSeq + 1) {
          throw new CorruptWalException(
              "first record has seq "
                  + record.seq()
                  + " but the generation header says "
                  + (baseSeq + 1),
              file,
              pos);
        }
        accept(record, file);
        if (firstSeq < 0) {
          firstSeq = record.seq();
        }
        pos += record.length();
      }
      if (!sealed && !tornHeader) {
        // This generation is sealed once open creates the next one, and sealed means fsynced.
        // Its tail may never have been: after a killed process the records (or a truncation)
        // are only in the page cache. Without this, a power loss after new records were
        // acknowledged in the next generation would leave a hole in front of them.
        channel.force(true);
      }
    }
    if (tornHeader) {
      // Created just before a crash, before anything was fsynced into it.
      fs.deleteIfExists(file);
      fs.syncDirectory(dir);
      return null;
    }
    return new Generation(generation, firstSeq, firstSeq < 0 ? -1 : previousSeq, size);
  }

  private void accept(GenerationReader.Parsed record, Path file) throws IOException {
    long seq = record.seq();
    if (seq <= previousSeq || seq <= 0) {
      throw new CorruptWalException(
          "sequence number " + seq + " does not follow " + previousSeq + " (records must increase)",
          file,
          record.offset());
    }
    if (seq > committedSeq) {
      long expected = lastReplayed < 0 ? committedSeq + 1 : lastReplayed + 1;
      if (seq != expected) {
        throw new CorruptWalException(
            "records " + expected + " to " + (seq - 1) + " are missing before seq " + seq,
            file,
            record.offset());
      }
    }
    List<WalEntry> entries = WalFormat.decodeEntries(record.bytes());
    if (entries == null) {
      throw new CorruptWalException(
          "malformed record body behind a valid checksum, seq " + seq, file, record.offset());
    }
    previousSeq = seq;
    if (seq > committedSeq) {
      lastReplayed = seq;
      replayer.replay(seq, entries);
    }
  }

  /**
   * The header's base seq is the last seq assigned before the generation was created: every needed
   * record up to it must have been seen in the older generations. This catches a lost generation
   * even when no later record exists to reveal the gap.
   */
  private void checkBaseSeq(long baseSeq, Path file) throws IOException {
    if (baseSeq < previousSeq) {
      throw new CorruptWalException(
          "generation header says it starts after seq "
              + baseSeq
              + " but seq "
              + previousSeq
              + " came before it",
          file,
          16);
    }
    long have = Math.max(committedSeq, lastReplayed);
    if (baseSeq > have) {
      throw new CorruptWalException(
          "records " + (have + 1) + " to " + baseSeq + " are missing before this generation",
          file,
          16);
    }
  }

  private static String readHeader(FileChannel channel, long size, long generation, byte[] header)
      throws IOException {
    if (size < WalFormat.GENERATION_HEADER_BYTES) {
      return "incomplete generation header (" + size + " bytes)";
    }
    WalIo.readFully(channel, ByteBuffer.wrap(header), 0);
    return WalFormat.checkGenerationHeader(header, generation);
  }
}
