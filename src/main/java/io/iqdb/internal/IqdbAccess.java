package io.iqdb.internal;

import io.iqdb.Iqdb;
import java.util.function.Function;

/**
 * Lets code outside {@code io.iqdb} (the recovery tests) open an {@link Iqdb} with {@link
 * DatabaseOptions} hooks, without widening the public API: {@code Iqdb} registers its factory here
 * when its class initializes.
 */
public final class IqdbAccess {
  private static volatile Function<DatabaseOptions, Iqdb> factory;

  private IqdbAccess() {}

  /**
   * Called once by {@code Iqdb}'s static initializer.
   *
   * @param f the factory
   */
  public static void register(Function<DatabaseOptions, Iqdb> f) {
    factory = f;
  }

  /**
   * Opens a database with options that may carry test hooks.
   *
   * @param options the options
   * @return the database
   */
  public static Iqdb open(DatabaseOptions options) {
    if (factory == null) {
      try {
        Class.forName(Iqdb.class.getName(), true, Iqdb.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
    }
    return factory.apply(options);
  }
}
