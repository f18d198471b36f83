package io.iqdb.internal;

/**
 * Tells whether a write that Lucene's {@code IndexWriter} failed without a tragic exception left
 * the index unchanged, from where the exception was thrown. Established on Lucene 10.6's sources:
 *
 * <ul>
 *   <li>{@code IndexWriter.updateDocument(s)} hands the documents to {@code
 *       DocumentsWriter.updateDocuments}, which runs {@code preUpdate} (flushing other threads'
 *       pending segments), then {@code DocumentsWriterPerThread.updateDocuments}, then {@code
 *       postUpdate}; {@code IndexWriter} then runs {@code maybeProcessEvents}.
 *   <li>An exception inside {@code DocumentsWriterPerThread.updateDocuments} is either
 *       <em>aborting</em> (stored fields, term vectors: the per-thread buffer is dropped and the
 *       exception becomes the writer's tragic exception) or not (analysis, a field Lucene refuses,
 *       a vector writer's {@code addValue}): then Lucene marks the documents of the call that it had
 *       already buffered as deleted ({@code deleteLastDocs}) and never adds the call's delete to the
 *       delete queue ({@code finishDocuments} is not reached). Nothing of the call is visible.
 *   <li>After {@code DocumentsWriterPerThread.updateDocuments} returned, the documents and their
 *       delete are buffered. What follows in the same call can still throw without a tragic
 *       exception: flushing a segment and publishing it run the flush itself as aborting (tragic),
 *       but then delete the files a compound file replaced ({@code deleteNewFiles}), checkpoint
 *       (deleting files no longer referenced) and ask the merge policy for merges, and an {@code
 *       IOException} there (a failed {@code Directory.deleteFile}, say) reaches the caller while
 *       the write is in the buffer and will be in the next commit.
 *   <li>{@code IndexWriter.deleteDocuments} queues the delete first; anything it throws afterwards
 *       comes from the same event processing, so a delete may always have been applied.
 * </ul>
 *
 * <p>So only an exception thrown inside {@code DocumentsWriterPerThread.updateDocuments} or {@code
 * DocumentsWriter.preUpdate}, or before the call reached the index writer at all, proves the
 * write is not in the index ({@link #leftIndexUnchanged}): the call then fails alone. An exception
 * thrown from {@code IndexWriter.maybeProcessEvents}, which {@code IndexWriter.updateDocuments} and
 * {@code deleteDocuments} run on the result of handing the write to {@code DocumentsWriter}, proves
 * the whole write is buffered ({@link #appliedBeforeFailing}): the write is then logged and
 * acknowledged like any other, so index and log agree. Anything else may or may not have been
 * applied: the collection must then fail (a reopen rolls back to the last commit and replays the
 * log, which lacks the write). The tests are on the exception's stack trace, so if Lucene renames
 * these methods the answer becomes "may have been applied": safe, only less precise ({@code
 * WriteFailuresTest} checks the names against Lucene's behaviour).
 */
final class WriteFailures {

  private static final String INDEX_WRITER = "org.apache.lucene.index.IndexWriter";
  private static final String DOCUMENTS_WRITER = "org.apache.lucene.index.DocumentsWriter";
  private static final String PER_THREAD = "org.apache.lucene.index.DocumentsWriterPerThread";

  private WriteFailures() {}

  /**
   * Whether {@code e}, thrown by a write through Lucene's index writer that left no tragic
   * exception, proves that nothing of the write is in the index.
   *
   * @param e the exception the write threw
   * @return true if the write was refused before Lucene buffered any of it; false if it may have
   *     been applied (or the stack trace is missing, as for some JIT-optimized exceptions)
   */
  static boolean leftIndexUnchanged(Throwable e) {
    StackTraceElement[] trace = e.getStackTrace();
    if (trace.length == 0) {
      return false;
    }
    boolean reachedWriter = false;
    for (StackTraceElement frame : trace) {
      String cls = frame.getClassName();
      String method = frame.getMethodName();
      if (cls.equals(PER_THREAD) && (method.equals("updateDocuments") || method.equals("updateBatch"))) {
        return true;
      }
      if (cls.equals(DOCUMENTS_WRITER) && method.equals("preUpdate")) {
        return true;
      }
      reachedWriter |= cls.equals(INDEX_WRITER);
    }
    // Thrown outside the index writer: by the preparation of the write (building its documents),
    // which runs before the writer is called.
    return !reachedWriter;
  }

  /**
   * Whether {@code e}, thrown by a write through Lucene's index writer that left no tragic
   * exception, proves that the whole write is in the index: it was thrown by the event processing
   * (deleting the files a flushed compound file replaced, say) that the index writer runs after
   * {@code DocumentsWriter} buffered the documents and queued their delete.
   *
   * @param e the exception the write threw
   * @return true if the write is buffered whole; false if it may not be
   */
  static boolean appliedBeforeFailing(Throwable e) {
    if (leftIndexUnchanged(e)) {
      return false;
    }
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getClassName().equals(INDEX_WRITER) && frame.getMethodName().equals("maybeProcessEvents")) {
        return true;
      }
    }
    return false;
  }
}
