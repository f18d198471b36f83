package io.iqdb.internal;

import io.iqdb.InvalidNameException;
import java.util.regex.Pattern;

/** Validation of collection names, which become directory names. */
public final class Names {
  /** The longest collection name. */
  public static final int MAX_LENGTH = 64;

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

  private Names() {}

  /**
   * Checks a collection name.
   *
   * @param name the name
   * @return the name
   * @throws InvalidNameException if it is null, empty, too long, or has a character outside
   *     {@code [A-Za-z0-9_-]} (or does not start with a letter or digit)
   */
  public static String checkCollectionName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_LENGTH || !VALID.matcher(name).matches()) {
      throw new InvalidNameException(
          "collection name must be 1.." + MAX_LENGTH
              + " characters of [A-Za-z0-9_-], starting with a letter or digit; name="
              + (name == null ? "null" : "'" + name + "'"));
    }
    return name;
  }
}
