package io.iqdb.internal.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.lucene.tests.util.LuceneTestCase;

/** The bytes on disk match the specification in package-info.java, and version 1 files open. */
public class TestWalFormat extends LuceneTestCase {

  /**
   * Files frozen when each generation format version was introduced, never to be regenerated (a new
   * version gets new samples next to these). Both hold two records, seq 1: upsert "a" [1, -2.5]
   * payload 07 08 09 and delete "b"; seq 2: upsert "é" [0.5] without payload; closed cleanly.
   * Version 2 adds the sync marker written after the fsync of seq 2.
   */
  private static final String V1_GENERATION_1 =
      "6951574c01000000010000000000000000000000000000006de4141e695152433300000001000000000000001c"
          + "0000000000000002000000010100000061020000000000803f000020c0030000000708090201000000620a"
          + "3c797b695152432700000002000000000000001c00000000000000010000000102000000c3a90100000000"
          + "00003fffffffff37c7252d";

  private static final String V1_CHECKPOINT =
      "6951434b01000000000000000000000001000000000000008e00000000000000017ff947";

  private static final String V2_GENERATION_1 =
      "6951574c0200000001000000000000000000000000000000aafcd047695152433300000001000000000000001c"
          + "0000000000000002000000010100000061020000000000803f000020c0030000000708090201000000620a"
          + "3c797b695152432700000002000000000000001c00000000000000010000000102000000c3a90100000000"
          + "00003fffffffff37c7252d695152431400000002000000000000008e0000000000000000000000dfa269db";

  private static final String V2_CHECKPOINT =
      "6951434b0100000000000000000000000100000000000000ae00000000000000981af94a";

  private static Path writeSample(String generation, String checkpoint) throws IOException {
    Path dir = createTempDir();
    Files.write(dir.resolve(WalFormat.generationFileName(1)), HexFormat.of().parseHex(generation));
    Files.write(dir.resolve(WalFormat.CHECKPOINT_NAME), HexFormat.of().parseHex(checkpoint));
    return dir;
  }

  public void testVersion1And2FilesStillOpen() throws IOException {
    for (String[] sample :
        new String[][] {{V1_GENERATION_1, V1_CHECKPOINT}, {V2_GENERATION_1, V2_CHECKPOINT}}) {
      Path dir = writeSample(sample[0], sample[1]);
      WalTestUtil.Collector replay = new WalTestUtil.Collector();
      try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), 0, replay)) {
        assertEquals(2, wal.lastSeq());
      }
      assertEquals(
          List.of(
              WalEntry.upsert("a", new float[] {1f, -2.5f}, new byte[] {7, 8, 9}),
              WalEntry.delete("b")),
          replay.batches.get(1L));
      assertEquals(List.of(WalEntry.upsert("é", new float[] {0.5f}, null)), replay.batches.get(2L));
    }
  }

  public void testNewerVersionIsRefusedNotTruncated() throws IOException {
    byte[] header = WalFormat.encodeGenerationHeader(1, 0).array();
    ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 3);
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 24);
    ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(24, (int) crc.getValue());
    Path dir = createTempDir();
    Path file = dir.resolve(WalFormat.generationFileName(1));
    Files.write(file, header);
    CorruptWalException e =
        expectThrows(
            CorruptWalException.class,
            () -> WriteAheadLog.open(dir, WalOptions.defaults(), 0, (s, b) -> {}));
    assertTrue(
        e.getMessage(), e.getMessage().contains("unsupported WAL generation format version 3"));
    assertTrue(Files.exists(file));
  }

  public void testSyncMarkerInAVersion1FileIsCorruption() throws IOException {
    // The version 2 sample relabelled as version 1: its sync marker cannot be there.
    byte[] generation = HexFormat.of().parseHex(V2_GENERATION_1);
    ByteBuffer.wrap(generation).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1);
    CRC32C crc = new CRC32C();
    crc.update(generation, 0, 24);
    ByteBuffer.wrap(generation).order(ByteOrder.LITTLE_ENDIAN).putInt(24, (int) crc.getValue());
    Path dir = writeSample(HexFormat.of().formatHex(generation), V2_CHECKPOINT);
    CorruptWalException e =
        expectThrows(
            CorruptWalException.class,
            () -> WriteAheadLog.open(dir, WalOptions.defaults(), 0, (s, b) -> {}));
    assertTrue(e.getMessage(), e.getMessage().contains("sync marker"));
  }

  /** Builds a record field by field from the specification and compares with the encoder. */
  public void testRecordBytesFollowTheSpecification() {
    ByteBuffer spec = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
    spec.put(new byte[] {0x69, 0x51, 0x52, 0x43}); // "iQRC"
    int bodyLengthAt = spec.position();
    spec.putInt(0); // body length, patched below
    spec.putLong(42); // seq
    spec.putLong(1234); // synced offset claim
    spec.putInt(2); // entry count
    spec.put((byte) 1).putInt(2).put("id".getBytes(StandardCharsets.UTF_8)); // UPSERT "id"
    spec.putInt(3).putFloat(1f).putFloat(Float.NaN).putFloat(-0f); // dim 3, vector
    spec.putInt(-1); // no payload
    spec.put((byte) 2).putInt(0); // DELETE ""
    spec.putInt(bodyLengthAt, spec.position() - 8);
    CRC32C crc = new CRC32C();
    crc.update(spec.array(), 0, spec.position());
    spec.putInt((int) crc.getValue());
    byte[] expected = new byte[spec.position()];
    spec.flip().get(expected);

    ByteBuffer record =
        WalFormat.encodeRecord(
            List.of(
                WalEntry.upsert("id", new float[] {1f, Float.NaN, -0f}, null),
                WalEntry.delete("")));
    WalFormat.seal(record, 42, 1234);
    byte[] actual = new byte[record.remaining()];
    record.duplicate().get(actual);
    assertArrayEquals(expected, actual);
  }

  public void testHeaderAndCheckpointBytesFollowTheSpecification() throws IOException {
    ByteBuffer header = WalFormat.encodeGenerationHeader(7, 99);
    ByteBuffer spec = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    spec.put(new byte[] {0x69, 0x51, 0x57, 0x4C}).putInt(2).putLong(7).putLong(99);
    CRC32C crc = new CRC32C();
    crc.update(spec.array(), 0, 24);
    spec.putInt((int) crc.getValue());
    assertArrayEquals(spec.array(), header.array());

    Path dir = createTempDir();
    new Checkpoint(5, 7, 28).write(WalFileSystem.defaultFileSystem(), dir);
    ByteBuffer ckp = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
    ckp.put(new byte[] {0x69, 0x51, 0x43, 0x4B}).putInt(1).putLong(5).putLong(7).putLong(28);
    crc.reset();
    crc.update(ckp.array(), 0, 32);
    ckp.putInt((int) crc.getValue());
    assertArrayEquals(ckp.array(), Files.readAllBytes(dir.resolve(WalFormat.CHECKPOINT_NAME)));
    assertEquals(new Checkpoint(5, 7, 28), Checkpoint.read(WalFileSystem.defaultFileSystem(), dir));
  }

  public void testRandomBatchesRoundTripThroughTheCodec() {
    for (int i = 0; i < atLeast(200); i++) {
      List<WalEntry> batch = WalTestUtil.randomBatch(random(), 8);
      ByteBuffer record = WalFormat.encodeRecord(batch);
      WalFormat.seal(record, 1 + random().nextInt(1000), random().nextInt(1000));
      assertEquals(batch, WalFormat.decodeEntries(record));
    }
  }
}
