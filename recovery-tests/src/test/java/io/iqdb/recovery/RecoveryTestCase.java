package io.iqdb.recovery;

import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Base of the recovery tests: Lucene's randomized test case (seeded {@link #random()}, temp dirs
 * kept on failure, "reproduce with" seed in every failure).
 *
 * <p>Lucene's mock file systems are off ({@code SuppressFileSystems}): they would add random
 * {@code extra*} files to new directories (iQDB refuses to create a database in a non-empty
 * directory), refuse deletions at random like a Windows virus checker, or disable fsync; these
 * tests inject their own faults, through the database's hooks, and need the rest to be real.
 *
 * <p>The default locale stays LuceneTestCase's random one: the child JVMs run under the platform
 * default, so the killed-process tests also check that files written under one locale open under
 * another (see {@link TestLocaleIndependentFiles}).
 */
@LuceneTestCase.SuppressFileSystems("*")
public abstract class RecoveryTestCase extends LuceneTestCase {
  /**
   * iQDB's own log ({@code System.Logger} "io.iqdb", backed by java.util.logging): off here. These
   * tests break databases on purpose, so every trial logs a collection set aside or a quarantined
   * record, with stack traces, past LuceneTestCase's limit on printed output; they check those
   * outcomes through the API instead. Held in a field: java.util.logging keeps loggers weakly.
   */
  private static final java.util.logging.Logger IQDB_LOG = java.util.logging.Logger.getLogger("io.iqdb");

  static {
    IQDB_LOG.setLevel(java.util.logging.Level.OFF);
  }

  /** The number of cycles: the system property {@code name} if set, else {@code defaultCycles}. */
  static int cycles(String name, int defaultCycles) {
    return Integer.getInteger(name, Integer.getInteger("recovery.cycles.all", defaultCycles));
  }
}
