package io.iqdb.opensearch;

import com.carrotsearch.randomizedtesting.ThreadFilter;

/**
 * The JDK's "process reaper" threads, pooled and kept for a while after a child process exits: not
 * a leak of the suites that run the iqdb command line.
 */
public final class ProcessReaperThreadFilter implements ThreadFilter {
  /** Created by the randomized runner. */
  public ProcessReaperThreadFilter() {}

  @Override
  public boolean reject(Thread t) {
    return t.getName().startsWith("process reaper");
  }
}
