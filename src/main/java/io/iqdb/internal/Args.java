package io.iqdb.internal;

import io.iqdb.InvalidArgumentException;

/** Null checks at the public API boundary: a null argument is bad input, named in the message. */
public final class Args {
  private Args() {}

  /**
   * Returns {@code value}, or throws if it is null.
   *
   * @param value the argument
   * @param name the parameter's name, for the message
   * @param <T> its type
   * @return {@code value}
   * @throws InvalidArgumentException if {@code value} is null
   */
  public static <T> T notNull(T value, String name) {
    if (value == null) {
      throw new InvalidArgumentException(name + " must not be null");
    }
    return value;
  }
}
