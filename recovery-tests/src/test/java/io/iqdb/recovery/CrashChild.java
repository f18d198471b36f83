package io.iqdb.recovery;

import io.iqdb.CommitPolicy;
import io.iqdb.Durability;
import io.iqdb.Iqdb;
import io.iqdb.LockedException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process the killed-process tests kill: a {@code main} run in a child JVM. It talks to the
 * test through stdout, one line per event, flushed before it goes on:
 *
 * <ul>
 *   <li>{@code OPENING} before {@code Iqdb.open}, {@code OPENED <millis>} after it;
 *   <li>{@code B <t> <n>} before operation {@code n} of writer thread {@code t} starts, {@code
 *       A <t> <n>} once it returned (acknowledged);
 *   <li>{@code DONE} when every operation ran (it then waits to be killed);
 *   <li>{@code LOCKED <message>} when the database was locked, {@code ERROR <exception>} on any
 *       other failure (then it exits with status 2).
 * </ul>
 *
 * <p>Modes (first argument):
 *
 * <ul>
 *   <li>{@code write <db> <seed> <ops> <ids> <flushRate> <maxBatch> <threads>}: opens the
 *       database (SYNC), runs {@code ops} operations of {@link Workload#forThread} on each of
 *       {@code threads} threads (concurrent writers share fsyncs: group commit), never closes;
 *   <li>{@code open <db>}: opens (recovering the log) and waits to be killed;
 *   <li>{@code tryopen <db>}: opens, closes and exits, or reports {@code LOCKED}.
 * </ul>
 */
public final class CrashChild {
  private CrashChild() {}

  /**
   * Half of the writer children commit by themselves often (a few KiB of log, or tens of
   * milliseconds), so that kills land inside background commits too; the others use the default.
   */
  static CommitPolicy commitPolicy(String[] args) {
    if (!args[0].equals("write")) {
      return CommitPolicy.defaults();
    }
    java.util.Random r = new java.util.Random(Long.parseLong(args[2]) ^ 0x5DEECE66DL);
    return r.nextBoolean()
        ? CommitPolicy.defaults()
        : new CommitPolicy(1024 + r.nextInt(16 * 1024), java.time.Duration.ofMillis(10 + r.nextInt(200)));
  }

  /**
   * Entry point.
   *
   * @param args the mode and its arguments
   * @throws InterruptedException never in practice: the process waits to be killed
   */
  public static void main(String[] args) throws InterruptedException {
    PrintStream out = System.out;
    Path path = Path.of(args[1]);
    Iqdb db;
    try {
      say(out, "OPENING");
      long start = System.nanoTime();
      db = Iqdb.builder().path(path).durability(Durability.sync()).commitPolicy(commitPolicy(args)).open();
      say(out, "OPENED " + (System.nanoTime() - start) / 1_000_000);
      switch (args[0]) {
        case "write" -> {
          int threads = Integer.parseInt(args[7]);
          Thread[] writers = new Thread[threads];
          for (int t = 0; t < threads; t++) {
            Workload w = Workload.forThread(
                Long.parseLong(args[2]), t, Integer.parseInt(args[4]), Double.parseDouble(args[5]),
                Integer.parseInt(args[6]));
            int ops = Integer.parseInt(args[3]);
            int thread = t;
            Iqdb open = db;
            writers[t] = new Thread(() -> {
              try {
                for (int i = 0; i < ops; i++) {
                  Workload.Op op = w.next();
                  say(out, "B " + thread + " " + op.n());
                  Workload.apply(open, op);
                  say(out, "A " + thread + " " + op.n());
                }
              } catch (Throwable e) {
                say(out, "ERROR " + e.toString().replace('\n', ' '));
                e.printStackTrace();
                System.exit(2);
              }
            }, "writer-" + t);
            writers[t].start();
          }
          for (Thread t : writers) {
            t.join();
          }
          say(out, "DONE");
        }
        case "open" -> {
          // nothing more: the test kills this process
        }
        case "tryopen" -> {
          db.close();
          say(out, "CLOSED");
          System.exit(0);
        }
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
      }
    } catch (LockedException e) {
      say(out, "LOCKED " + e.getMessage().replace('\n', ' '));
      System.exit(0);
      return;
    } catch (Throwable t) {
      say(out, "ERROR " + t.toString().replace('\n', ' '));
      t.printStackTrace();
      System.exit(2);
      return;
    }
    // Wait to be killed, holding the database (and its lock) open.
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void say(PrintStream out, String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
