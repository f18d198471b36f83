package io.iqdb.internal;

import java.io.IOException;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.MergeTrigger;
import org.apache.lucene.index.SegmentInfos;

/**
 * A merge policy that finds no natural merges while its collection opens, then is its delegate.
 *
 * <p>A crash usually interrupts merges (their merged segments were never committed), so the first
 * flush of a reopened index would start them again at once, and on a small machine they take the
 * cores that replaying the log needs: measured on 2 cores, merges took three times the CPU of the
 * replay during a reopen after 200,000 unflushed writes. Deferred, they run in the background once
 * {@link #opened} is called. Forced merges ({@code compact}) are never deferred.
 */
final class OpeningMergePolicy extends FilterMergePolicy {
  private volatile boolean opening = true;

  OpeningMergePolicy(MergePolicy delegate) {
    super(delegate);
  }

  /** The collection is open: natural merges are found again (the caller asks the writer for them). */
  void opened() {
    opening = false;
  }

  @Override
  public MergeSpecification findMerges(MergeTrigger trigger, SegmentInfos infos, MergeContext context)
      throws IOException {
    return opening ? null : super.findMerges(trigger, infos, context);
  }

  @Override
  public MergeSpecification findFullFlushMerges(MergeTrigger trigger, SegmentInfos infos, MergeContext context)
      throws IOException {
    return opening ? null : super.findFullFlushMerges(trigger, infos, context);
  }
}
