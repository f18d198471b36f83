package io.iqdb.recovery;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Simulated power loss, in this JVM: while one to three writer threads run in SYNC mode (on
 * disjoint ids, sharing fsyncs through group commit), the WAL file layer ({@link
 * io.iqdb.internal.wal.FaultInjectingWalFileSystem#crash()}: unsynced bytes dropped, torn, garbled
 * or holed) and every Lucene directory ({@link
 * org.apache.lucene.tests.store.MockDirectoryWrapper#crash()}: unsynced files deleted, truncated,
 * zeroed or bit-flipped) fall back to what was fsynced. The database is then reopened on fresh
 * layers and must hold every acknowledged operation, the one in flight all or nothing, and pass
 * CheckIndex.
 *
 * <p>Cycles: {@value #DEFAULT_CYCLES} by default, {@code -Drecovery.powerloss.cycles=N} (or {@code
 * -Drecovery.cycles.all=N} for every fault test) for more.
 */
public class TestPowerLoss extends RecoveryTestCase {
  static final int DEFAULT_CYCLES = 30;

  public void testPowerLossWhileWriting() throws Exception {
    int cycles = cycles("recovery.powerloss.cycles", DEFAULT_CYCLES);
    String testSeed = RandomizedContext.current().getRunnerSeedAsString();
    Path path = createTempDir("power");
    try (FaultDb f = FaultDb.open(path, random(), w -> {}, null)) {
      Workload.createCollections(f.db);
    }
    Model model = new Model();
    List<Workload.Op> maybe = List.of();
    int inFlightAtCrash = 0;
    long acked = 0;
    int leakedAfterCrash = 0;
    int[] byThreads = new int[3];
    for (int cycle = 0; cycle <= cycles; cycle++) {
      long seed = random().nextLong();
      Random r = new Random(seed);
      String where = "test seed " + testSeed + ", cycle " + cycle + ", cycle seed " + seed;
      FaultDb f = FaultDb.open(path, r, w -> {}, null);
      try {
        model = model.verifyConcurrent(f.db, maybe);
      } catch (AssertionError e) {
        f.closeAbandoned();
        throw new AssertionError(where + ": after the power loss of the previous cycle: " + e.getMessage(), e);
      }
      if (cycle == cycles) {
        f.close();
        break;
      }
      int threads = 1 + r.nextInt(3);
      List<BackgroundWriter> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        writers.add(new BackgroundWriter(f.db, Workload.forThread(seed, t, 30, 0.08, 8)));
      }
      writers.get(0).awaitAcks(r.nextInt(40 / threads));
      LockSupport.parkNanos(r.nextInt(2_000_000));
      FaultDb.ignoringMergeThreadFailures(() -> {
        writers.forEach(BackgroundWriter::markCrashed);
        try {
          f.crash(r);
        } finally {
          writers.forEach(BackgroundWriter::close);
          f.closeAbandoned();
        }
      });
      List<Workload.Op> inFlight = new ArrayList<>();
      for (BackgroundWriter writer : writers) {
        if (writer.afterCrash() != null) {
          leakedAfterCrash++;
        }
        for (Workload.Op op : writer.acked()) {
          model.apply(op);
        }
        acked += writer.acked().size();
        if (writer.inFlight() != null) {
          inFlight.add(writer.inFlight());
        }
      }
      maybe = inFlight;
      byThreads[threads - 1]++;
      inFlightAtCrash += maybe.size();
    }
    System.out.println("TestPowerLoss: seed " + testSeed + ": " + cycles + " power losses passed; acknowledged ops="
        + acked + ", ops in flight at the crash=" + inFlightAtCrash + ", records at the end=" + model.size()
        + ", writes that failed with a non-IqdbException after the crash=" + leakedAfterCrash
        + ", cycles by writer threads 1..3=" + java.util.Arrays.toString(byThreads));
  }
}
