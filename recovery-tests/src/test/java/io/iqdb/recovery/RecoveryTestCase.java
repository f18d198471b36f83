package io.iqdb.recovery;

import java.util.Locale;
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
 * <p>The default locale is pinned to {@link Locale#ROOT} because WAL generation file names are
 * currently formatted with the default locale (see {@link TestLocaleIndependentFiles}): under a
 * locale with non-ASCII digits, which LuceneTestCase picks at random, the log writes files that a
 * later open does not recognize, and every other test here would fail for that one reason.
 */
@LuceneTestCase.SuppressFileSystems("*")
public abstract class RecoveryTestCase extends LuceneTestCase {
  private Locale saved;

  @Override
  public void setUp() throws Exception {
    super.setUp();
    saved = Locale.getDefault();
    Locale.setDefault(Locale.ROOT);
  }

  @Override
  public void tearDown() throws Exception {
    Locale.setDefault(saved);
    super.tearDown();
  }

  /** The number of cycles: the system property {@code name} if set, else {@code defaultCycles}. */
  static int cycles(String name, int defaultCycles) {
    return Integer.getInteger(name, Integer.getInteger("recovery.cycles.all", defaultCycles));
  }
}
