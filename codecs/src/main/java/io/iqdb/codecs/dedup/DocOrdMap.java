package io.iqdb.codecs.dedup;

import java.io.IOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.RamUsageEstimator;

/**
 * One field's mapping between documents and the inner format's ordinals (distinct vectors), as
 * read from the {@code .vdup} file. Position {@code i} is the field's i-th document by increasing
 * doc id; it is also the ordinal of the document-space vector values this format presents.
 */
final class DocOrdMap {
  /** Documents with a vector, increasing. */
  final int[] docs;

  /** The inner ordinal of each document, by position. */
  final int[] ordOfDoc;

  /** Where each ordinal's documents start in {@link #ordDocs}; {@code ordCount + 1} entries. */
  final int[] ordStart;

  /** The documents of each ordinal, grouped by ordinal, increasing within a group. */
  final int[] ordDocs;

  /** The last document bits mapped to ordinals, and the result; reused while the bits are. */
  private volatile CachedAccept cached;

  private record CachedAccept(Bits docBits, FixedBitSet ords, int cardinality) {}

  /** Whether the inner format's documents are the real ones: no mapping at all. */
  final boolean identity;

  private final int identityCount;

  /** An identity mapping over {@code count} vectors. */
  private DocOrdMap(int count) {
    this.identity = true;
    this.identityCount = count;
    this.docs = null;
    this.ordOfDoc = null;
    this.ordStart = null;
    this.ordDocs = null;
  }

  private DocOrdMap(int[] docs, int[] ordOfDoc, int ordCount) {
    this.identity = false;
    this.identityCount = -1;
    this.docs = docs;
    this.ordOfDoc = ordOfDoc;
    this.ordStart = new int[ordCount + 1];
    for (int ord : ordOfDoc) {
      ordStart[ord + 1]++;
    }
    for (int i = 0; i < ordCount; i++) {
      ordStart[i + 1] += ordStart[i];
    }
    this.ordDocs = new int[docs.length];
    int[] next = ordStart.clone();
    for (int i = 0; i < docs.length; i++) {
      ordDocs[next[ordOfDoc[i]]++] = docs[i];
    }
  }

  /**
   * Reads one field's entry after its field number.
   *
   * @param in the mapping file, positioned after the field number
   * @param maxDoc the segment's document count
   * @param inputName the resource named by a {@link CorruptIndexException}
   */
  static DocOrdMap read(DataInput in, int maxDoc, String inputName) throws IOException {
    int count = in.readVInt();
    int ordCount = in.readVInt();
    if (count > maxDoc || ordCount > count || (count > 0 && ordCount == 0)) {
      throw new CorruptIndexException(
          "bad counts: docs=" + count + ", ords=" + ordCount + ", maxDoc=" + maxDoc, inputName);
    }
    byte mode = in.readByte();
    if (mode == DedupVectorsFormat.MODE_IDENTITY) {
      if (ordCount != count) {
        throw new CorruptIndexException(
            "identity mapping with docs=" + count + ", ords=" + ordCount, inputName);
      }
      return new DocOrdMap(ordCount);
    }
    if (mode != DedupVectorsFormat.MODE_MAPPED) {
      throw new CorruptIndexException("unknown mapping mode " + mode, inputName);
    }
    int[] docs = new int[count];
    int[] ords = new int[count];
    FixedBitSet seen = new FixedBitSet(ordCount);
    int doc = -1;
    for (int i = 0; i < count; i++) {
      int delta = in.readVInt();
      int ord = in.readVInt();
      if (delta <= 0 || (long) doc + delta >= maxDoc || ord < 0 || ord >= ordCount) {
        throw new CorruptIndexException(
            "bad entry " + i + ": doc delta=" + delta + " after " + doc + ", ord=" + ord
                + ", ords=" + ordCount + ", maxDoc=" + maxDoc,
            inputName);
      }
      doc += delta;
      docs[i] = doc;
      ords[i] = ord;
      seen.set(ord);
    }
    if (seen.cardinality() != ordCount) {
      throw new CorruptIndexException(
          "only " + seen.cardinality() + " of " + ordCount + " ords have a document", inputName);
    }
    return new DocOrdMap(docs, ords, ordCount);
  }

  int ordCount() {
    return identity ? identityCount : ordStart.length - 1;
  }

  /**
   * The ordinals with at least one accepted document.
   *
   * @param docBits accepted documents, not null
   * @return the ordinal bits and their cardinality
   */
  FixedBitSet acceptedOrds(Bits docBits, int[] cardinality) {
    CachedAccept c = cached;
    if (c == null || c.docBits != docBits) {
      // live docs are one object per reader: an unfiltered search with deletions maps them once
      FixedBitSet ords = new FixedBitSet(ordCount());
      for (int i = 0; i < docs.length; i++) {
        if (docBits.get(docs[i])) {
          ords.set(ordOfDoc[i]);
        }
      }
      c = new CachedAccept(docBits, ords, ords.cardinality());
      // a mutable bit set may change between searches; read-only bits (live docs) do not
      if (docBits instanceof org.apache.lucene.util.BitSet == false) {
        cached = c;
      }
    }
    cardinality[0] = c.cardinality;
    return c.ords;
  }

  long ramBytesUsed() {
    if (identity) {
      return 0;
    }
    return RamUsageEstimator.sizeOf(docs)
        + RamUsageEstimator.sizeOf(ordOfDoc)
        + RamUsageEstimator.sizeOf(ordStart)
        + RamUsageEstimator.sizeOf(ordDocs);
  }
}
