package io.iqdb.recovery;

import io.iqdb.IqdbException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges the calls of {@link TestModelBasedApi} against the model's expectations and keeps the
 * record: the current step and the last few (for failure messages), the bad inputs rejected as
 * expected, and, in keep-going mode, every kind of disagreement with its count and first occurrence.
 *
 * <p>In strict mode (the default) the first disagreement throws a {@link ModelViolation} naming
 * the seed, the step, its inputs and the steps before it. In keep-going mode a disagreement is
 * recorded; one that leaves the database in an unknown state throws {@link Restart}, and the test
 * starts over on a fresh database.
 */
final class Referee {
  /** A call that returns a value (a call that returns nothing returns null). */
  interface Call<T> {
    T call();
  }

  /** What a call did: returned a value or threw. */
  record Result<T>(T value, Throwable error) {
    boolean threw() {
      return error != null;
    }
  }

  /** Keep-going mode, after a disagreement that leaves the database unknown: start over. */
  static final class Restart extends RuntimeException {
    Restart() {
      super(null, null, false, false);
    }
  }

  /** A disagreement with the model (strict mode); an AssertionError from the library is not one. */
  static final class ModelViolation extends AssertionError {
    ModelViolation(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The first occurrence and the count of one kind of disagreement. */
  private static final class Failure {
    final String where;
    final String detail;
    int count;

    Failure(String where, String detail) {
      this.where = where;
      this.detail = detail;
    }
  }

  private final String seed;
  private final boolean keepGoing;

  private int step;
  private String current = "";
  private final ArrayDeque<String> history = new ArrayDeque<>();
  private final Map<String, Failure> failures = new LinkedHashMap<>();
  private String lastSignature = "";
  final Map<String, Integer> stepCounts = new TreeMap<>();
  final Map<String, Long> stepMillis = new TreeMap<>();
  final Map<String, Integer> rejected = new TreeMap<>();

  Referee(String seed, boolean keepGoing) {
    this.seed = seed;
    this.keepGoing = keepGoing;
  }

  // ------------------------------------------------------------------ steps

  void step(int step) {
    this.step = step;
  }

  /** Starts a step: {@code what} is its kind (first word) and inputs. */
  void begin(String what) {
    current = what;
    stepCounts.merge(stepKind(), 1, Integer::sum);
    history.addLast(line(what));
    if (history.size() > 12) {
      history.removeFirst();
    }
  }

  /** Replaces the description of the current step (once its inputs are known). */
  void detail(String what) {
    current = what;
    history.removeLast();
    history.addLast(line(what));
  }

  String current() {
    return current;
  }

  String stepKind() {
    int space = current.indexOf(' ');
    return space < 0 ? current : current.substring(0, space);
  }

  private String line(String what) {
    return "step " + step + ": " + (what.length() > 300 ? what.substring(0, 300) + "..." : what);
  }

  // ------------------------------------------------------------------ judging

  /**
   * Runs a call and checks its outcome against the expectation: a required failure must happen with
   * an allowed exception that has a message; good input must succeed.
   *
   * @param restartIfAccepted whether accepted bad input leaves the database unknown (a write)
   */
  <T> Result<T> attempt(String call, Expect expect, boolean restartIfAccepted, Call<T> action) {
    T value;
    try {
      value = action.call();
    } catch (Restart | ModelViolation e) {
      throw e;
    } catch (RuntimeException | AssertionError e) { // AssertionError: a Lucene assertion (tests run with -ea)
      if (expect.mustSucceed()) {
        violation(call + " threw " + e.getClass().getSimpleName() + " on good input", describe(e), e);
      } else if (!expect.allows(e)) {
        violation(call + " threw " + e.getClass().getSimpleName() + " for " + expect.reasons(),
            "want " + expect + "; got " + describe(e), e);
      } else if (e.getMessage() == null || e.getMessage().isBlank()) {
        violation(call + " threw " + e.getClass().getSimpleName() + " without a message for " + expect.reasons(), "", e);
      }
      expect.why().forEach(w -> rejected.merge(w, 1, Integer::sum));
      return new Result<>(null, e);
    }
    if (expect.mustFail()) {
      String sig = call + " accepted " + expect.reasons();
      if (restartIfAccepted) {
        violation(sig, "want " + expect, null);
      } else {
        note(sig, "want " + expect, null);
      }
    }
    return new Result<>(value, null);
  }

  /** A disagreement after which the database's state is unknown. */
  void violation(String signature, String detail, Throwable cause) {
    note(signature, detail, cause);
    throw new Restart();
  }

  /** A disagreement after which the database is still in the model's state. */
  void note(String signature, String detail, Throwable cause) {
    String where = "seed " + seed + ", step " + step + ": " + current;
    if (!keepGoing) {
      throw new ModelViolation(signature + ": " + detail + "\nat " + where + "\nlast steps:\n  "
          + String.join("\n  ", history), cause);
    }
    lastSignature = signature;
    String shortWhere = where.length() > 400 ? where.substring(0, 400) + "..." : where;
    failures.computeIfAbsent(signature, s -> new Failure(shortWhere,
        detail + (cause == null ? "" : " at " + firstFrame(cause)))).count++;
  }

  /** The last disagreement recorded, to name what a failed reopen followed. */
  String lastSignature() {
    return lastSignature;
  }

  /** Every kind of disagreement recorded (keep-going mode), or null if none. */
  String failures() {
    if (failures.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder(failures.size() + " kinds of disagreement with the model (seed " + seed + "):");
    failures.forEach((sig, f) -> b.append("\n- ").append(sig).append(" [").append(f.count).append("x, first at ")
        .append(f.where).append("]: ").append(f.detail));
    return b.toString();
  }

  // ------------------------------------------------------------------ messages

  /** The gist of a message for grouping: paths and numbers dropped, cut short. */
  static String gist(String message) {
    String m = String.valueOf(message).replaceAll("/\\S+", "<path>").replaceAll("[0-9]+", "N");
    return m.length() > 120 ? m.substring(0, 120) + "..." : m;
  }

  static String describe(Throwable t) {
    return Text.describe(t) + (t instanceof IqdbException ? "" : " at " + firstFrame(t));
  }

  private static String firstFrame(Throwable t) {
    StackTraceElement[] st = t.getStackTrace();
    return st.length == 0 ? "?" : st[0].toString();
  }
}
