package io.iqdb.internal;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.MemorySegmentAccessInput;
import org.apache.lucene.tests.store.BaseDirectoryTestCase;

/**
 * Lucene's own conformance suite for directories, run against the directory of in-memory
 * collections ({@link CollectionStore#newMemoryDirectory()}: the off-heap one on this JVM).
 */
public class TestOffHeapDirectory extends BaseDirectoryTestCase {

  @Override
  protected Directory getDirectory(Path path) {
    // The path is ignored: nothing of an in-memory directory touches the file system.
    return CollectionStore.newMemoryDirectory();
  }

  /** The build compiles the off-heap directory for the JVM >= 22 the tests run on. */
  public void testOffHeapOnThisJvm() {
    assumeTrue("Java >= 22", Runtime.version().feature() >= 22);
    assertTrue(CollectionStore.memoryIsOffHeap());
  }

  /**
   * What the whole point is: Lucene's vector scorers get direct memory access from every input, its
   * slices and clones, and see the bytes as written (little-endian values at any offset).
   */
  public void testInputsGiveMemorySegmentAccess() throws IOException {
    assumeTrue("off-heap directory", CollectionStore.memoryIsOffHeap());
    try (Directory dir = CollectionStore.newMemoryDirectory()) {
      try (IndexOutput out = dir.createOutput("vec", IOContext.DEFAULT)) {
        out.writeByte((byte) 7);
        for (int i = 0; i < 100; i++) {
          out.writeInt(Float.floatToIntBits(i * 0.5f));
        }
      }
      try (IndexInput in = dir.openInput("vec", IOContext.DEFAULT)) {
        assertTrue(in instanceof MemorySegmentAccessInput);
        IndexInput slice = in.slice("floats", 1, 400);
        assertTrue(slice instanceof MemorySegmentAccessInput);
        assertTrue(slice.clone() instanceof MemorySegmentAccessInput);
        float[] floats = new float[100];
        slice.readFloats(floats, 0, 100);
        assertEquals(49.5f, floats[99], 0f);
        assertEquals(2.5f, Float.intBitsToFloat(((MemorySegmentAccessInput) slice).readInt(20)), 0f);
        assertNotNull(((MemorySegmentAccessInput) slice).segmentSliceOrNull(0, 400));
      }
    }
  }

  /** A closed input refuses reads with Lucene's exception; the file stays readable for others. */
  public void testClosedInputThrowsAlreadyClosed() throws IOException {
    try (Directory dir = CollectionStore.newMemoryDirectory()) {
      try (IndexOutput out = dir.createOutput("f", IOContext.DEFAULT)) {
        out.writeLong(42);
      }
      IndexInput in = dir.openInput("f", IOContext.DEFAULT);
      IndexInput clone = in.clone();
      in.close();
      expectThrows(org.apache.lucene.store.AlreadyClosedException.class, in::readByte);
      assertEquals(42L, clone.readLong());
      try (IndexInput again = dir.openInput("f", IOContext.DEFAULT)) {
        assertEquals(42L, again.readLong());
      }
    }
  }

  /**
   * Lucene may delete a file that a reader still reads (a merge replaces a segment under an open
   * searcher): the memory must stay valid for that reader's inputs, clones and slices until they
   * are unreachable, however often the collector runs.
   */
  public void testDeletedFileStaysReadableForItsReaders() throws IOException {
    try (Directory dir = CollectionStore.newMemoryDirectory()) {
      try (IndexOutput out = dir.createOutput("f", IOContext.DEFAULT)) {
        for (int i = 0; i < 10_000; i++) {
          out.writeInt(i);
        }
      }
      IndexInput in = dir.openInput("f", IOContext.DEFAULT);
      IndexInput slice = in.slice("tail", 20_000, 20_000);
      dir.deleteFile("f");
      assertFalse(java.util.Arrays.asList(dir.listAll()).contains("f"));
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      in.seek(4 * 9_999);
      assertEquals(9_999, in.readInt());
      assertEquals(5_000, slice.readInt());
      in.close();
      assertEquals(5_001, slice.clone().readInt());
    }
  }
}
