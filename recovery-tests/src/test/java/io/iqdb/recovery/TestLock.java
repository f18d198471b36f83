package io.iqdb.recovery;

import io.iqdb.Durability;
import io.iqdb.Iqdb;
import io.iqdb.LockedException;
import java.nio.file.Path;
import java.util.List;

/**
 * The database lock across processes: while a child JVM holds a database open, a second process
 * (this JVM, and another child JVM) gets {@link LockedException}; once the holder is killed with
 * SIGKILL, which releases its OS file lock without any cleanup, the next open succeeds and finds
 * every write the holder acknowledged.
 *
 * <p>Cycles: {@value #DEFAULT_CYCLES} by default, {@code -Drecovery.lock.cycles=N} (or {@code
 * -Drecovery.cycles.all=N}) for more.
 */
public class TestLock extends RecoveryTestCase {
  static final int DEFAULT_CYCLES = 3;

  public void testLockedWhileHeldAndFreeAfterSigkill() throws Exception {
    int cycles = cycles("recovery.lock.cycles", DEFAULT_CYCLES);
    Path db = createTempDir("lock").resolve("db");
    try (Iqdb d = Iqdb.builder().path(db).durability(Durability.sync()).open()) {
      Workload.createCollections(d);
    }
    Model model = new Model();
    for (int cycle = 0; cycle < cycles; cycle++) {
      long seed = random().nextLong();
      int ops = 5 + random().nextInt(10);
      Workload w = Workload.forThread(seed, 0, 20, 0, 4);
      try (ChildJvm holder = new ChildJvm(db.getParent(), "write", db.toString(), Long.toString(seed),
          Integer.toString(ops), "20", "0", "4", "1")) {
        for (String line = holder.take(); !line.equals("DONE"); line = holder.take()) {
          assertFalse("holder could not open: " + line, line.startsWith("LOCKED"));
          if (line.startsWith("A ")) {
            model.apply(w.next());
          }
        }
        // The holder now sits with the database open. This process:
        LockedException e = expectThrows(LockedException.class, () -> Iqdb.builder().path(db).open());
        assertTrue(e.getMessage(), e.getMessage().contains("already open"));
        // Another process:
        if (cycle == 0) {
          try (ChildJvm second = new ChildJvm(db.getParent(), "tryopen", db.toString())) {
            assertEquals("OPENING", second.take());
            String line = second.take();
            assertTrue("second process: " + line + second.describe(), line.startsWith("LOCKED"));
            assertEquals(0, second.waitFor());
          }
        }
        holder.kill(); // SIGKILL: no shutdown hook, no close
      }
      try (Iqdb d = Iqdb.builder().path(db).durability(Durability.sync()).open()) {
        model = model.verify(d, List.of());
      }
    }
    System.out.println("TestLock: " + cycles + " cycles passed");
  }
}
