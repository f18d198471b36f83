package io.iqdb.recovery;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import io.iqdb.Durability;
import io.iqdb.Iqdb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Kills a child JVM that writes in SYNC mode ({@link CrashChild}) with {@code destroyForcibly}
 * (SIGKILL) at a random moment, reopens the database and checks that every acknowledged operation
 * is there, that the operation in flight is all-or-nothing, and that CheckIndex passes.
 *
 * <p>Cycles, each picked at random:
 *
 * <ul>
 *   <li><b>write</b>: killed after a random number of acknowledged operations, mid-operation;
 *   <li><b>flush</b>: killed a random few microseconds after a flush started;
 *   <li><b>replay</b>: a child writes a longer log without flushing and is killed, then one or two
 *       children opening the database (replaying that log, then committing) are killed at a random
 *       moment of the open.
 * </ul>
 *
 * <p>The database lives on across cycles, so later cycles recover logs and commits left by earlier
 * ones. Cycles: {@value #DEFAULT_CYCLES} by default; {@code -Drecovery.cycles=2000} for the long
 * run (pass it to Maven as {@code -Dtests.jvm.extra=-Drecovery.cycles=2000} or directly, since
 * Surefire forwards {@code recovery.*} properties given on the command line).
 */
public class TestKilledProcess extends RecoveryTestCase {
  static final int DEFAULT_CYCLES = 50;

  private Path db;
  private Model model;
  private Stats stats;

  private static final class Stats {
    int write;
    int flush;
    int flushKilledMidFlush;
    int replay;
    int replayKills;
    int replayKilledMidOpen;
    int inFlightApplied;
    int inFlightNotApplied;
    long acknowledged;
    long lastOpenMillis = 500;

    @Override
    public String toString() {
      return "write cycles=" + write + ", flush cycles=" + flush + " (killed inside flush: " + flushKilledMidFlush
          + "), replay cycles=" + replay + " (open kills=" + replayKills + ", of which before open returned: "
          + replayKilledMidOpen + "), acknowledged ops=" + acknowledged + ", in-flight ops found applied="
          + inFlightApplied + ", not applied=" + inFlightNotApplied;
    }
  }

  public void testKilledWriters() throws Exception {
    int cycles = cycles("recovery.cycles", DEFAULT_CYCLES);
    String testSeed = RandomizedContext.current().getRunnerSeedAsString();
    System.out.println("TestKilledProcess: seed " + testSeed + ", " + cycles + " cycles");
    db = createTempDir("killed");
    try (Iqdb d = Iqdb.builder().path(db).durability(Durability.sync()).open()) {
      Workload.createCollections(d);
    }
    model = new Model();
    stats = new Stats();
    for (int cycle = 0; cycle < cycles; cycle++) {
      long seed = random().nextLong();
      String where = "test seed " + testSeed + ", cycle " + cycle + ", cycle seed " + seed;
      int kind = random().nextInt(10);
      try {
        if (kind < 6) {
          stats.write++;
          writeCycle(seed, false);
        } else if (kind < 8) {
          stats.flush++;
          writeCycle(seed, true);
        } else {
          stats.replay++;
          replayCycle(seed);
        }
      } catch (AssertionError e) {
        throw new AssertionError(where + ": " + e.getMessage(), e);
      }
      if ((cycle + 1) % 100 == 0) {
        System.out.println("TestKilledProcess: " + (cycle + 1) + " cycles passed: " + stats);
      }
    }
    System.out.println("TestKilledProcess: " + cycles + " cycles passed: " + stats);
  }

  /** Runs a writer child and kills it mid-operation (or inside a flush); then checks. */
  private void writeCycle(long seed, boolean killInFlush) throws Exception {
    Random r = new Random(seed);
    int ops = 10 + r.nextInt(40);
    int killAfterAcks = r.nextInt(ops);
    double flushRate = killInFlush ? 0.25 : 0.05;
    Workload parent = new Workload(seed, 30, flushRate, 8);
    List<Workload.Op> stream = new ArrayList<>();
    Workload.Op inFlight = null;
    try (ChildJvm child = new ChildJvm(db.getParent(), "write", db.toString(), Long.toString(seed),
        Integer.toString(ops), "30", Double.toString(flushRate), "8")) {
      boolean killed = false;
      int acks = 0;
      for (String line = child.take(); !line.equals(ChildJvm.EOF); line = child.take()) {
        if (line.startsWith("B ")) {
          long n = Long.parseLong(line.substring(2));
          while (stream.size() <= n) {
            stream.add(parent.next());
          }
          inFlight = stream.get((int) n);
          if (!killed && killInFlush && inFlight.isFlush()) {
            LockSupport.parkNanos(r.nextInt(3_000_000));
            child.kill();
            killed = true;
          }
        } else if (line.startsWith("A ")) {
          long n = Long.parseLong(line.substring(2));
          assertTrue("ack of op " + n + " while " + inFlight + " was in flight", inFlight != null && inFlight.n() == n);
          model.apply(inFlight);
          stats.acknowledged++;
          inFlight = null;
          if (!killed && !killInFlush && ++acks >= killAfterAcks) {
            LockSupport.parkNanos(r.nextInt(2_000_000));
            child.kill();
            killed = true;
          }
        } else if (line.equals("DONE") && !killed) {
          child.kill();
          killed = true;
        } else if (line.startsWith("LOCKED")) {
          fail("child found the database locked: " + line);
        }
      }
      if (!killed) {
        fail("child exited by itself" + child.describe());
      }
      if (killInFlush && inFlight != null && inFlight.isFlush()) {
        stats.flushKilledMidFlush++;
      }
    }
    verify(inFlight);
  }

  /** Writes a longer log without flushing, then kills one or two children during their open. */
  private void replayCycle(long seed) throws Exception {
    Random r = new Random(seed);
    int ops = 60 + r.nextInt(60);
    Workload parent = new Workload(seed, 30, 0, 16);
    try (ChildJvm child = new ChildJvm(db.getParent(), "write", db.toString(), Long.toString(seed),
        Integer.toString(ops), "30", "0", "16")) {
      for (String line = child.take(); !line.equals("DONE"); line = child.take()) {
        if (line.startsWith("A ")) {
          model.apply(parent.next());
          stats.acknowledged++;
        }
      }
      child.kill();
    }
    int opens = 1 + r.nextInt(2);
    for (int i = 0; i < opens; i++) {
      stats.replayKills++;
      try (ChildJvm child = new ChildJvm(db.getParent(), "open", db.toString())) {
        String line = child.take();
        assertEquals("OPENING", line);
        long delay = (long) (r.nextDouble() * stats.lastOpenMillis * 1.2);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
        boolean opened = false;
        for (long left = delay; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
          String next = child.poll(left);
          if (next != null && next.startsWith("OPENED")) {
            opened = true;
            stats.lastOpenMillis = Math.max(50, Long.parseLong(next.substring(7)));
            break;
          } else if (next != null) {
            fail("unexpected line during open: " + next + child.describe());
          }
        }
        child.kill();
        if (!opened) {
          stats.replayKilledMidOpen++;
        }
      }
    }
    verify(null);
  }

  /**
   * Reopens the database in this JVM and checks it against the model, allowing the operation that
   * was in flight to be either applied or not (then the model follows what was found).
   */
  private void verify(Workload.Op inFlight) {
    try (Iqdb d = Iqdb.builder().path(db).durability(Durability.sync()).open()) {
      Model before = model;
      model = model.verify(d, inFlight == null ? List.of() : List.of(inFlight));
      if (inFlight != null && !inFlight.isFlush()) {
        if (model.equals(before) && !before.equals(before.after(inFlight))) {
          stats.inFlightNotApplied++;
        } else if (!model.equals(before)) {
          stats.inFlightApplied++;
        }
      }
    }
  }
}
