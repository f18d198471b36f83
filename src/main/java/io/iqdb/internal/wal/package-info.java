/**
 * The write-ahead log (WAL) of a collection: every write is logged here, and fsynced in SYNC mode,
 * before it is acknowledged; each index commit records the last sequence number it contains, and
 * recovery replays only later records. Entry point: {@link io.iqdb.internal.wal.WriteAheadLog}.
 *
 * <h2>Files</h2>
 *
 * <table>
 *   <caption>Files in a WAL directory</caption>
 *   <tr><th>Name</th><th>Contents</th></tr>
 *   <tr><td>{@code wal-<generation>.log}</td><td>A generation: a header, then records. The
 *       generation is a decimal number, zero-padded to 19 digits so that names sort like
 *       generations. Only the newest generation is appended to.</td></tr>
 *   <tr><td>{@code wal.ckp}</td><td>The checkpoint: trim point and a fsynced lower bound.</td></tr>
 *   <tr><td>{@code wal.ckp.tmp}</td><td>A checkpoint being written; deleted on open.</td></tr>
 * </table>
 *
 * <p>Other files in the directory are ignored. All integers and floats are <b>little-endian</b>;
 * floats are IEEE 754 binary32 bit patterns. CRCs are CRC-32C (Castagnoli, {@link
 * java.util.zip.CRC32C}), stored as the low 32 bits in an int32.
 *
 * <h3>Generation header (28 bytes)</h3>
 *
 * <pre>
 * offset  type    field
 * 0       int32   magic 0x4C575169 (bytes "iQWL")
 * 4       int32   version: 2 is written; 1 (no sync markers) is read too
 * 8       int64   generation, equal to the number in the file name
 * 16      int64   baseSeq: the last sequence number assigned before this generation was created;
 *                 its first record, if any, has seq baseSeq + 1
 * 24      int32   CRC-32C of bytes 0..23
 * </pre>
 *
 * <h3>Record (one batch; 12 + bodyLength bytes)</h3>
 *
 * <pre>
 * offset  type    field
 * 0       int32   magic 0x43525169 (bytes "iQRC")
 * 4       int32   bodyLength: bytes from offset 8 up to the CRC; at least 20
 * 8       int64   seq: the sequence number, &gt;= 1, +1 per record across generations
 * 16      int64   syncedOffset: when this record was written, bytes [0, syncedOffset) of this
 *                 generation file had been fsynced (a claim that is true whether or not this
 *                 record itself ever reached the disk)
 * 24      int32   entryCount &gt;= 1, or 0 for a sync marker (below)
 * 28      ...     entryCount entries
 * 8+bodyLength int32 CRC-32C of bytes [0, 8 + bodyLength) of the record
 *
 * entry:
 *   int8    op: 1 = UPSERT, 2 = DELETE (an explicit table, never the enum ordinal)
 *   int32   idLength, then idLength bytes: the id in UTF-8
 *   UPSERT only:
 *     int32   dim &gt;= 0, then dim float32: the vector
 *     int32   payloadLength, -1 for no payload, then payloadLength bytes: the opaque payload
 * </pre>
 *
 * <p>A <b>sync marker</b> (generation version 2 and later) is a record with {@code entryCount = 0}
 * and {@code bodyLength = 20} (32 bytes in all): {@code seq} is the last sequence number fsynced
 * and {@code syncedOffset} the fsynced end of the file. It is written, not fsynced, right after
 * each fsync, carries no data, is never replayed and does not take a sequence number; it only
 * testifies, if it reaches the disk, that the bytes before {@code syncedOffset} were fsynced (see
 * Recovery).
 *
 * <h3>Checkpoint {@code wal.ckp} (36 bytes)</h3>
 *
 * <pre>
 * offset  type    field
 * 0       int32   magic 0x4B435169 (bytes "iQCK")
 * 4       int32   version = 1 (the checkpoint has its own version)
 * 8       int64   committedSeq: highest sequence number known to be in a durable index commit
 *                 (the last trim point, or the committed seq given to open); records at or below it
 *                 may have been deleted
 * 16      int64   syncedGeneration: a generation, 0 if none
 * 24      int64   syncedOffset: bytes [0, syncedOffset) of syncedGeneration were fsynced
 * 32      int32   CRC-32C of bytes 0..31
 * </pre>
 *
 * <p>The checkpoint is replaced, never modified: written to {@code wal.ckp.tmp}, fsynced, renamed
 * over {@code wal.ckp} atomically, then the directory is fsynced. So it is never torn, and any
 * damage in it is corruption. It is written on open (after recovery, pointing at the new
 * generation), on {@code trim} and on {@code close} (then {@code syncedOffset} is the end of the
 * file) — not on every fsync: between those points the {@code syncedOffset} claims inside the
 * records carry the same information at no extra cost.
 *
 * <h2>Writing</h2>
 *
 * <ul>
 *   <li>A new generation is created with {@code CREATE_NEW}, its header written and fsynced, then
 *       the directory is fsynced, all before its first record.
 *   <li>Before a generation is <em>sealed</em> (a successor is created, on reaching {@code
 *       maxGenerationBytes}, on trim or on open) it is fsynced completely. So every generation
 *       other than the newest is entirely durable.
 *   <li>Records are written in sequence order at the end of the newest generation; {@code sync}
 *       fsyncs the file (fdatasync) up to the end of what was appended, then writes a sync marker.
 *       So every fsynced record is followed by a witness (a later record's or a marker's {@code
 *       syncedOffset}) unless the fsync itself was the last thing before a power loss.
 *   <li>When a record is written: in ASYNC mode, by the append itself (one positional write). In
 *       SYNC mode appended records wait in memory, and the thread that leads the next fsync writes
 *       all of them (and a pending sync marker) with one write just before the fsync; a roll and a
 *       close write them too. A SYNC writer is acknowledged only after that fsync, so nothing
 *       acknowledged is ever only in memory; a killed process loses only unacknowledged records.
 *   <li>In SYNC mode the newest generation is <em>preallocated</em>: whenever the records being
 *       written would reach past the file's end, 1 MiB of zeros is written after them (not fsynced
 *       on its own: the fsync that follows carries it). Later records overwrite those zeros, so
 *       most fsyncs flush allocated blocks of a file whose size does not change, which on ext4 or
 *       XFS needs no journal commit. The zeros after the last record read as a torn tail (bad
 *       magic) and are cut off by recovery like one; before a generation is sealed, and on close,
 *       the file is truncated to its last record, so a sealed generation never ends in zeros.
 * </ul>
 *
 * <h2>Recovery: torn tail or corruption</h2>
 *
 * <p>Open reads all generations in order and checks each record's magic, length and CRC. The
 * <em>synced region</em> of a generation is what is known to have been fsynced:
 *
 * <ul>
 *   <li>a sealed generation (not the newest): the whole file;
 *   <li>the newest generation: the first {@code syncedOffset} bytes if the checkpoint names it,
 *       extended by any valid record or sync marker whose {@code syncedOffset} claim reaches
 *       further.
 * </ul>
 *
 * <p>A damaged record (bad magic, impossible length, shorter than its length, or CRC mismatch) at
 * offset {@code p} is a <b>torn tail</b>, cut off (the file is truncated to {@code p} and fsynced)
 * together with everything after it, if and only if it lies in the newest generation, {@code p} is
 * at or past the checkpoint's {@code syncedOffset}, and no valid record later in the file claims
 * {@code syncedOffset > p}. That is exactly the damage a crash can leave: bytes never fsynced may
 * be missing, cut, garbled, or written out of order (a hole followed by later, valid but unsynced
 * records, which are dropped too because replay must be a gap-free prefix). Anything else is
 * <b>corruption</b> and raises {@link io.iqdb.internal.wal.CorruptWalException} naming the file and
 * offset: damage in a sealed generation, inside the checkpoint's synced region, or before an offset
 * that a later valid record proves was fsynced (a synced record is never lost silently).
 *
 * <p>A newest generation whose header is missing or damaged, with no synced region and no valid
 * record, is a generation created just before a crash: it is deleted. Also corruption: a valid
 * record whose seq does not increase; a gap in the sequence numbers after the caller's committed
 * seq (records {@code committedSeq + 1 ..} must all be present, which the {@code baseSeq} of each
 * generation header also checks, so a lost generation is noticed even if no later record exists); a
 * first record whose seq is not {@code baseSeq + 1}; a checkpoint {@code committedSeq} above both
 * the caller's committed seq and the last record (the log was trimmed past what the caller's index
 * contains); a checkpoint naming a generation file that does not exist; a record body that is
 * malformed behind a valid CRC.
 *
 * <p>Recovery fsyncs the newest generation (after cutting its torn tail, if any) before it starts
 * the next one: after a killed process its valid tail may be only in the page cache, and it is
 * about to become a sealed generation. After recovery a new generation is started (numbered after
 * every generation seen and the checkpoint's), the checkpoint is rewritten, and sequence numbers
 * continue after the highest recovered record or the caller's committed seq, whichever is larger.
 *
 * <p><b>Limits.</b> Damage that removes its own witness cannot be told from a torn tail: a synced
 * region cut at a record boundary together with every later record and marker (say, the file
 * truncated by hand), or damage to records whose only witness, the sync marker, was lost because
 * the power failed right after the fsync. A newest generation deleted by hand after the last
 * checkpoint is likewise invisible. Everything a crash can do is handled; the limits concern
 * outside tampering and media errors at the very end of the log. Only one log may be open on a
 * directory at a time; the caller's database lock guarantees it.
 *
 * <h2>Version history</h2>
 *
 * <ul>
 *   <li>Generation version 1 (iQDB 0.1.0): header, records and checkpoint as above, no sync
 *       markers.
 *   <li>Generation version 2: sync markers. A version 1 reader would reject them as malformed
 *       records, hence the new version. Checkpoint version 1 unchanged.
 * </ul>
 */
package io.iqdb.internal.wal;
