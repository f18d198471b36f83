package io.iqdb.internal;

import org.apache.lucene.index.ConcurrentMergeScheduler;

/**
 * Lucene's concurrent merge scheduler, except that a failed background merge is not rethrown on
 * the merge thread, where it would reach the application's uncaught-exception handler. The
 * failure is not lost: a merge failure that endangers the index is the writer's tragic exception,
 * which makes the collection refuse writes; any other leaves the merge undone, and the merge is
 * tried again later.
 */
final class QuietMergeScheduler extends ConcurrentMergeScheduler {
  @Override
  protected void handleMergeException(Throwable exc) {
    // See the class comment.
  }
}
