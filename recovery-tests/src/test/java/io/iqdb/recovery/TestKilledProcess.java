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
 * Kills a child JVM that writes in SYNC mode ({@link CrashChild}) with {@code
 * ProcessHandle.destroyForcibly()} (SIGKILL) at a random moment, reopens the database and checks
 * that every acknowledged operation is there, that each operation in flight is all-or-nothing,
 * and that CheckIndex passes.
 *
 * <p>The child runs 1 to 4 writer threads on disjoint ids, so that concurrent writers share
 * fsyncs (group commit) when the kill lands; each operation in flight may then be applied or not,
 * independently, but entirely.
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
    final int[] threads = new int[4];

    @Override
    public String toString() {
      return "write cycles=" + write + ", flush cycles=" + flush + " (killed inside flush: " + flushKilledMidFlush
          + "), replay cycles=" + replay + " (open kills=" + replayKills + ", of which before open returned: "
          + replayKilledMidOpen + "), acknowledged ops=" + acknowledged + ", in-flight ops found applied="
          + inFlightApplied + ", not applied=" + inFlightNotApplied + ", write/flush cycles by writer threads 1..4="
          + java.util.Arrays.toString(threads);
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

  /** Follows the {@code B}/{@code A} lines of a writer child and keeps the model up to date. */
  private final class Tracker {
    private final Workload[] workloads;
    private final List<List<Workload.Op>> streams = new ArrayList<>();
    private final Workload.Op[] inFlight;
    int acks;

    Tracker(long seed, int threads, int ids, double flushRate, int maxBatch) {
      workloads = new Workload[threads];
      inFlight = new Workload.Op[threads];
      for (int t = 0; t < threads; t++) {
        workloads[t] = Workload.forThread(seed, t, ids, flushRate, maxBatch);
        streams.add(new ArrayList<>());
      }
    }

    /** Handles a line; returns the operation that started, or null. */
    Workload.Op onLine(String line) {
      boolean begin = line.startsWith("B ");
      if (!begin && !line.startsWith("A ")) {
        assertFalse("child found the database locked: " + line, line.startsWith("LOCKED"));
        return null;
      }
      String[] parts = line.split(" ");
      int t = Integer.parseInt(parts[1]);
      long n = Long.parseLong(parts[2]);
      List<Workload.Op> stream = streams.get(t);
      while (stream.size() <= n) {
        stream.add(workloads[t].next());
      }
      Workload.Op op = stream.get((int) n);
      if (begin) {
        assertNull("thread " + t + " started " + op + " while " + inFlight[t] + " was in flight", inFlight[t]);
        inFlight[t] = op;
        return op;
      }
      assertSame("thread " + t + " acknowledged " + op + " while " + inFlight[t] + " was in flight", op, inFlight[t]);
      model.apply(op);
      stats.acknowledged++;
      acks++;
      inFlight[t] = null;
      return null;
    }

    List<Workload.Op> inFlight() {
      List<Workload.Op> out = new ArrayList<>();
      for (Workload.Op op : inFlight) {
        if (op != null) {
          out.add(op);
        }
      }
      return out;
    }
  }

  /** Runs a writer child (1 to 4 threads) and kills it mid-operation (or inside a flush); then checks. */
  private void writeCycle(long seed, boolean killInFlush) throws Exception {
    Random r = new Random(seed);
    int threads = 1 + r.nextInt(killInFlush ? 2 : 4);
    int ops = 5 + r.nextInt(40 / threads);
    int killAfterAcks = r.nextInt(ops * threads);
    double flushRate = killInFlush ? 0.25 : 0.05;
    Tracker tracker = new Tracker(seed, threads, 30, flushRate, 8);
    try (ChildJvm child = new ChildJvm(db.getParent(), "write", db.toString(), Long.toString(seed),
        Integer.toString(ops), "30", Double.toString(flushRate), "8", Integer.toString(threads))) {
      boolean killed = false;
      for (String line = child.take(); !line.equals(ChildJvm.EOF); line = child.take()) {
        Workload.Op started = tracker.onLine(line);
        if (killed) {
          continue; // lines printed before the kill landed still count
        }
        if (killInFlush ? started != null && started.isFlush() : tracker.acks >= killAfterAcks && line.startsWith("A ")) {
          LockSupport.parkNanos(r.nextInt(killInFlush ? 3_000_000 : 2_000_000));
          child.kill();
          killed = true;
        } else if (line.equals("DONE")) {
          child.kill();
          killed = true;
        }
      }
      if (!killed) {
        fail("child exited by itself" + child.describe());
      }
    }
    List<Workload.Op> inFlight = tracker.inFlight();
    if (killInFlush && inFlight.stream().anyMatch(Workload.Op::isFlush)) {
      stats.flushKilledMidFlush++;
    }
    stats.threads[threads - 1]++;
    verify(inFlight);
  }

  /** Writes a longer log without flushing, then kills one or two children during their open. */
  private void replayCycle(long seed) throws Exception {
    Random r = new Random(seed);
    int threads = 1 + r.nextInt(3);
    int ops = (60 + r.nextInt(60)) / threads;
    Tracker tracker = new Tracker(seed, threads, 30, 0, 16);
    try (ChildJvm child = new ChildJvm(db.getParent(), "write", db.toString(), Long.toString(seed),
        Integer.toString(ops), "30", "0", "16", Integer.toString(threads))) {
      for (String line = child.take(); !line.equals("DONE"); line = child.take()) {
        tracker.onLine(line);
      }
      child.kill();
    }
    assertEquals(List.of(), tracker.inFlight());
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
    verify(List.of());
  }

  /**
   * Reopens the database in this JVM and checks it against the model, allowing the operation that
   * was in flight to be either applied or not (then the model follows what was found).
   */
  private void verify(List<Workload.Op> inFlight) {
    try (Iqdb d = Iqdb.builder().path(db).durability(Durability.sync()).open()) {
      Model before = model;
      model = model.verifyConcurrent(d, inFlight);
      for (String c : d.listCollections()) {
        // The open replayed the log and committed: what is left is at most a fresh generation.
        long walBytes = d.collection(c).stats().walBytes();
        assertTrue("collection '" + c + "': " + walBytes + " log bytes after a reopen", walBytes <= 2L << 20);
      }
      for (Workload.Op op : inFlight) {
        if (op.isFlush() || before.equals(before.after(op))) {
          continue; // a flush, or an operation that changes nothing (a delete of absent ids)
        }
        // Operations in flight touch disjoint ids: judge each by its first id.
        String id = op.upserts().isEmpty() ? op.deletes().get(0) : op.upserts().get(0).id();
        boolean applied = java.util.Objects.equals(
            model.records(op.collection()).get(id), before.after(op).records(op.collection()).get(id));
        boolean notApplied = java.util.Objects.equals(
            model.records(op.collection()).get(id), before.records(op.collection()).get(id));
        if (applied && !notApplied) {
          stats.inFlightApplied++;
        } else if (notApplied && !applied) {
          stats.inFlightNotApplied++;
        }
      }
    }
  }
}
