package io.iqdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.junit.jupiter.api.Test;

/**
 * Lucene 10.6's index writer, failing a write without a tragic exception: before the write is
 * buffered (nothing of it in the index) and after (all of it in the index), and {@link
 * WriteFailures} telling the two apart.
 */
class WriteFailuresTest {

  private static Document doc(String id, String version) {
    Document d = new Document();
    d.add(new StringField("id", id, Field.Store.YES));
    d.add(new StringField("version", version, Field.Store.YES));
    return d;
  }

  private static long count(Directory dir, String field, String value) throws IOException {
    try (DirectoryReader r = DirectoryReader.open(dir)) {
      return new IndexSearcher(r).count(new TermQuery(new Term(field, value)));
    }
  }

  /** A token stream whose reading fails: analysis is not aborting in Lucene. */
  private static final class FailingTokens extends TokenStream {
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private int tokens;

    @Override
    public boolean incrementToken() throws IOException {
      if (++tokens > 2) {
        throw new IOException("simulated read failure of a field's text");
      }
      clearAttributes();
      term.append("t").append(Integer.toString(tokens));
      return true;
    }
  }

  @Test
  void aNonAbortingFailureLeavesTheIndexUnchanged() throws IOException {
    try (Directory dir = new ByteBuffersDirectory();
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
      w.updateDocument(new Term("id", "a"), doc("a", "1"));
      w.commit();
      Document second = doc("a", "2");
      second.add(new TextField("text", new FailingTokens()));
      IOException e = assertThrows(IOException.class, () -> w.updateDocument(new Term("id", "a"), second));
      assertNull(w.getTragicException());
      assertTrue(WriteFailures.leftIndexUnchanged(e));
      // A block: the first document was buffered, then dropped with the block.
      IOException b = assertThrows(IOException.class,
          () -> w.updateDocuments(new Term("id", "a"), java.util.List.of(doc("a", "3"), second)));
      assertTrue(WriteFailures.leftIndexUnchanged(b));
      w.commit();
      // Neither the new versions nor the delete of the old one is in the index.
      assertEquals(1, count(dir, "version", "1"));
      assertEquals(0, count(dir, "version", "2"));
      assertEquals(0, count(dir, "version", "3"));
      assertEquals(1, w.getDocStats().numDocs);
    }
  }

  @Test
  void refusedInputLeavesTheIndexUnchanged() throws IOException {
    try (Directory dir = new ByteBuffersDirectory();
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
      Document d = doc("a", "1");
      d.add(new StringField("big", "x".repeat(IndexWriter.MAX_TERM_LENGTH + 1), Field.Store.NO));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.addDocument(d));
      assertNull(w.getTragicException());
      assertTrue(WriteFailures.leftIndexUnchanged(e));
      w.commit();
      assertEquals(0, count(dir, "id", "a"));
    }
  }

  @Test
  void aFailureAfterBufferingIsNotTragicButTheWriteIsInTheIndex() throws IOException {
    AtomicBoolean failDeletes = new AtomicBoolean();
    Directory base = new ByteBuffersDirectory();
    Directory dir = new FilterDirectory(base) {
      @Override
      public void deleteFile(String name) throws IOException {
        // Temporary files are deleted inside the flush itself, which is aborting (tragic); the
        // files a compound file replaced are deleted after it.
        if (failDeletes.get() && !name.endsWith(".tmp")) {
          throw new IOException("simulated failure deleting " + name);
        }
        super.deleteFile(name);
      }
    };
    // Two buffered documents flush a segment, as a compound file: the flush then deletes the
    // files the compound file replaced, in the writing thread, after the document is buffered.
    IndexWriterConfig iwc = new IndexWriterConfig().setMaxBufferedDocs(2).setUseCompoundFile(true);
    try (IndexWriter w = new IndexWriter(dir, iwc)) {
      w.updateDocument(new Term("id", "a"), doc("a", "1"));
      failDeletes.set(true);
      IOException e = assertThrows(IOException.class, () -> w.updateDocument(new Term("id", "b"), doc("b", "1")));
      assertTrue(e.getMessage().contains("simulated failure deleting"), e.getMessage());
      assertNull(w.getTragicException(), "not tragic");
      assertFalse(WriteFailures.leftIndexUnchanged(e));
      assertTrue(WriteFailures.appliedBeforeFailing(e));
      failDeletes.set(false);
      w.commit();
    }
    // The write that threw is in the index: a caller that treats the failure as "not written"
    // and keeps writing would commit a write it never logged.
    assertEquals(1, count(base, "id", "b"));
  }

  @Test
  void exceptionsWithoutAStackTraceOrFromTheWriterMayHaveBeenApplied() {
    IOException bare = new IOException("no trace");
    bare.setStackTrace(new StackTraceElement[0]);
    assertFalse(WriteFailures.leftIndexUnchanged(bare));
    assertFalse(WriteFailures.appliedBeforeFailing(bare)); // unknown: neither proven
    IOException closed = new IOException("writer closed");
    closed.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("org.apache.lucene.index.IndexWriter", "ensureOpen", null, 1),
        new StackTraceElement("org.apache.lucene.index.IndexWriter", "updateDocuments", null, 2)});
    assertFalse(WriteFailures.leftIndexUnchanged(closed));
    assertFalse(WriteFailures.appliedBeforeFailing(closed));
    IOException fromWriter = new IOException("from the writer");
    fromWriter.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("org.apache.lucene.index.IndexWriter", "maybeProcessEvents", null, 1)});
    assertFalse(WriteFailures.leftIndexUnchanged(fromWriter));
    assertTrue(WriteFailures.appliedBeforeFailing(fromWriter));
    // Thrown while preparing the write, before the writer was called.
    assertTrue(WriteFailures.leftIndexUnchanged(new IllegalStateException("here")));
  }
}
