package io.iqdb.recovery;

import io.iqdb.IqdbException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the model expects of one call: success, failure with one of some exception types, or either
 * (where the documented semantics leave the choice to the implementation).
 *
 * @param outcome the expected outcome
 * @param allowed for {@link Outcome#FAIL} and {@link Outcome#EITHER}, the exception types the call
 *     may throw (an instance of any of them is fine)
 * @param why the bad inputs that make the call fail, as short labels (also used to group failures)
 */
record Expect(Outcome outcome, Set<Class<? extends IqdbException>> allowed, List<String> why) {

  /** The three possible expectations. */
  enum Outcome {
    OK,
    FAIL,
    EITHER
  }

  static final Expect OK = new Expect(Outcome.OK, Set.of(), List.of());

  static Expect fail(Class<? extends IqdbException> type, String why) {
    return new Expect(Outcome.FAIL, Set.of(type), List.of(why));
  }

  static Expect either(Class<? extends IqdbException> type, String why) {
    return new Expect(Outcome.EITHER, Set.of(type), List.of(why));
  }

  /** Both expectations: fails if either fails (with the types of both), may fail if either may. */
  Expect and(Expect other) {
    if (other.outcome == Outcome.OK) {
      return this;
    }
    if (outcome == Outcome.OK) {
      return other;
    }
    Outcome o = outcome == Outcome.FAIL || other.outcome == Outcome.FAIL ? Outcome.FAIL : Outcome.EITHER;
    Set<Class<? extends IqdbException>> types = new LinkedHashSet<>(allowed);
    types.addAll(other.allowed);
    List<String> reasons = new ArrayList<>(why);
    other.why.stream().filter(w -> !reasons.contains(w)).forEach(reasons::add);
    return new Expect(o, Set.copyOf(types), List.copyOf(reasons));
  }

  /** This expectation, weakened: a failure it requires becomes one it allows. */
  Expect orSuccess() {
    return outcome == Outcome.FAIL ? new Expect(Outcome.EITHER, allowed, why) : this;
  }

  boolean mustFail() {
    return outcome == Outcome.FAIL;
  }

  boolean mustSucceed() {
    return outcome == Outcome.OK;
  }

  /** Whether {@code t} is one of the allowed exceptions. */
  boolean allows(Throwable t) {
    return allowed.stream().anyMatch(c -> c.isInstance(t));
  }

  String reasons() {
    return String.join(", ", why);
  }

  @Override
  public String toString() {
    return switch (outcome) {
      case OK -> "success";
      case FAIL -> "failure with " + names() + " (" + reasons() + ")";
      case EITHER -> "success or " + names() + " (" + reasons() + ")";
    };
  }

  private String names() {
    return allowed.stream().map(Class::getSimpleName).sorted().toList().toString();
  }
}
