package io.iqdb.recovery;

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
 *   <li>{@code B <n>} before operation {@code n} starts, {@code A <n>} once it returned
 *       (acknowledged);
 *   <li>{@code DONE} when every operation ran (it then waits to be killed);
 *   <li>{@code LOCKED <message>} when the database was locked, {@code ERROR <exception>} on any
 *       other failure (then it exits with status 2).
 * </ul>
 *
 * <p>Modes (first argument):
 *
 * <ul>
 *   <li>{@code write <db> <seed> <ops> <ids> <flushRate> <maxBatch>}: opens the database (SYNC),
 *       runs the {@link Workload} of that seed, never closes;
 *   <li>{@code open <db>}: opens (recovering the log) and waits to be killed;
 *   <li>{@code tryopen <db>}: opens, closes and exits, or reports {@code LOCKED}.
 * </ul>
 */
public final class CrashChild {
  private CrashChild() {}

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
      db = Iqdb.builder().path(path).durability(Durability.sync()).open();
      say(out, "OPENED " + (System.nanoTime() - start) / 1_000_000);
      switch (args[0]) {
        case "write" -> {
          Workload w = new Workload(
              Long.parseLong(args[2]), Integer.parseInt(args[4]), Double.parseDouble(args[5]),
              Integer.parseInt(args[6]));
          int ops = Integer.parseInt(args[3]);
          for (int i = 0; i < ops; i++) {
            Workload.Op op = w.next();
            say(out, "B " + op.n());
            Workload.apply(db, op);
            say(out, "A " + op.n());
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
    out.println(line);
    out.flush();
  }
}
