package io.iqdb.internal;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.MemorySegmentAccessInput;
import org.apache.lucene.store.RandomAccessInput;
import org.apache.lucene.store.SingleInstanceLockFactory;

/**
 * An index file of an in-memory database, held off the heap in one {@link MemorySegment}.
 *
 * <p>Why: Lucene's SIMD vector scorers (and its postings decoder) read vectors straight out of an
 * input's memory when the input is a {@link MemorySegmentAccessInput}, as {@code MMapDirectory}'s
 * inputs are; a heap {@link ByteBuffersDirectory} input is not one, so they fall back to copying
 * every vector into an array first (searching in memory was 2.3x slower than on disk). {@link
 * #directory()} keeps {@link ByteBuffersDirectory}'s file management (its public hook turns a
 * closed output into an input) and serves each file, once written, from a segment.
 *
 * <p>Lifetime: each file's segment comes from its own {@link Arena#ofAuto()}, freed by the garbage
 * collector once neither the directory (the file was deleted, or the directory dropped) nor any
 * input, clone or slice can reach it. Lucene clones and slices inputs freely and never closes the
 * clones, so no explicit close could know that the last reader is gone: tying the memory to
 * reachability makes a use after free impossible (a closed input throws {@link
 * AlreadyClosedException}; its clones keep reading the still-live segment). The allocations count
 * against {@code -XX:MaxDirectMemorySize} (default: the maximum heap size), which makes the JVM
 * collect dropped files when that limit nears, as for direct byte buffers.
 *
 * <p>Multi-byte values are little-endian, as Lucene writes them.
 */
final class OffHeapIndexInput extends IndexInput implements MemorySegmentAccessInput {
  private static final ValueLayout.OfShort SHORT =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat FLOAT =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  /** Alignment of a file's first byte: Lucene aligns vector data within a file to at most 64. */
  private static final long ALIGNMENT = 64;

  /** The bytes; {@code null} once this input is closed. */
  private MemorySegment segment;
  private long pos;

  private OffHeapIndexInput(String description, MemorySegment segment) {
    super(description);
    this.segment = segment;
  }

  /**
   * A directory whose files live off the heap once written; see the class documentation.
   *
   * @return a new, empty directory
   */
  static Directory directory() {
    return new ByteBuffersDirectory(new SingleInstanceLockFactory(), ByteBuffersDataOutput::new, OffHeapIndexInput::copyOf);
  }

  /** Copies a closed output into a new segment; the output's heap buffers become garbage. */
  private static IndexInput copyOf(String fileName, ByteBuffersDataOutput output) {
    MemorySegment segment = Arena.ofAuto().allocate(output.size(), ALIGNMENT);
    long offset = 0;
    for (ByteBuffer buffer : output.toBufferList()) {
      int n = buffer.remaining();
      MemorySegment.copy(MemorySegment.ofBuffer(buffer), 0, segment, offset, n);
      offset += n;
    }
    return new OffHeapIndexInput("OffHeapIndexInput(file=" + fileName + ")", segment.asReadOnly());
  }

  private MemorySegment segment() {
    MemorySegment s = segment;
    if (s == null) {
      throw new AlreadyClosedException("Already closed: " + this);
    }
    return s;
  }

  private EOFException pastEof(long position, long length) {
    return new EOFException("read past EOF: " + this + " (pos=" + position + ", length=" + length
        + ", file length=" + segment().byteSize() + ")");
  }

  @Override
  public byte readByte() throws IOException {
    MemorySegment s = segment();
    if (pos >= s.byteSize()) {
      throw pastEof(pos, 1);
    }
    return s.get(ValueLayout.JAVA_BYTE, pos++);
  }

  @Override
  public void readBytes(byte[] b, int offset, int len) throws IOException {
    readBytes(pos, b, offset, len);
    pos += len;
  }

  @Override
  public short readShort() throws IOException {
    short v = readShort(pos);
    pos += Short.BYTES;
    return v;
  }

  @Override
  public int readInt() throws IOException {
    int v = readInt(pos);
    pos += Integer.BYTES;
    return v;
  }

  @Override
  public long readLong() throws IOException {
    long v = readLong(pos);
    pos += Long.BYTES;
    return v;
  }

  @Override
  public void readInts(int[] dst, int offset, int length) throws IOException {
    try {
      MemorySegment.copy(segment(), INT, pos, dst, offset, length);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(pos, (long) length * Integer.BYTES);
    }
    pos += (long) length * Integer.BYTES;
  }

  @Override
  public void readLongs(long[] dst, int offset, int length) throws IOException {
    try {
      MemorySegment.copy(segment(), LONG, pos, dst, offset, length);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(pos, (long) length * Long.BYTES);
    }
    pos += (long) length * Long.BYTES;
  }

  @Override
  public void readFloats(float[] dst, int offset, int length) throws IOException {
    try {
      MemorySegment.copy(segment(), FLOAT, pos, dst, offset, length);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(pos, (long) length * Float.BYTES);
    }
    pos += (long) length * Float.BYTES;
  }

  @Override
  public byte readByte(long position) throws IOException {
    try {
      return segment().get(ValueLayout.JAVA_BYTE, position);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(position, 1);
    }
  }

  @Override
  public void readBytes(long position, byte[] b, int offset, int len) throws IOException {
    try {
      MemorySegment.copy(segment(), ValueLayout.JAVA_BYTE, position, b, offset, len);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(position, len);
    }
  }

  @Override
  public short readShort(long position) throws IOException {
    try {
      return segment().get(SHORT, position);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(position, Short.BYTES);
    }
  }

  @Override
  public int readInt(long position) throws IOException {
    try {
      return segment().get(INT, position);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(position, Integer.BYTES);
    }
  }

  @Override
  public long readLong(long position) throws IOException {
    try {
      return segment().get(LONG, position);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(position, Long.BYTES);
    }
  }

  @Override
  public MemorySegment segmentSliceOrNull(long position, long length) throws IOException {
    try {
      return segment().asSlice(position, length);
    } catch (IndexOutOfBoundsException e) {
      throw pastEof(position, length);
    }
  }

  @Override
  public long getFilePointer() {
    segment();
    return pos;
  }

  @Override
  public void seek(long position) throws IOException {
    if (position < 0 || position > segment().byteSize()) {
      throw new EOFException("seek beyond EOF: " + this + " (pos=" + position + ", length="
          + segment().byteSize() + ")");
    }
    pos = position;
  }

  @Override
  public long length() {
    return segment().byteSize();
  }

  @Override
  public OffHeapIndexInput clone() {
    OffHeapIndexInput clone = (OffHeapIndexInput) super.clone();
    clone.segment = segment();
    return clone;
  }

  @Override
  public OffHeapIndexInput slice(String sliceDescription, long offset, long length) {
    MemorySegment s = segment();
    if (offset < 0 || length < 0 || length > s.byteSize() - offset) {
      throw new IllegalArgumentException("slice() " + sliceDescription + " out of bounds: offset=" + offset
          + ", length=" + length + ", fileLength=" + s.byteSize() + ": " + this);
    }
    return new OffHeapIndexInput(getFullSliceDescription(sliceDescription), s.asSlice(offset, length));
  }

  @Override
  public RandomAccessInput randomAccessSlice(long offset, long length) {
    return slice("randomaccess", offset, length);
  }

  /** Closes this input only: clones and slices keep the segment, which the GC frees. */
  @Override
  public void close() {
    segment = null;
  }
}
