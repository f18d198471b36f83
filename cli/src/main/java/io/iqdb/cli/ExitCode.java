package io.iqdb.cli;

import io.iqdb.ClosedException;
import io.iqdb.CollectionExistsException;
import io.iqdb.CollectionNotFoundException;
import io.iqdb.CorruptedException;
import io.iqdb.FormatVersionException;
import io.iqdb.InvalidArgumentException;
import io.iqdb.IqdbException;
import io.iqdb.LockedException;
import io.iqdb.NotADatabaseException;
import io.iqdb.StorageException;

/**
 * The exit codes of the {@code iqdb} command. They are part of its interface (scripts test them),
 * so a code never changes meaning; new failure kinds get new numbers.
 */
public final class ExitCode {

  /** The command did what it was asked. */
  public static final int OK = 0;
  /** An I/O failure (including a full disk) or an internal error. */
  public static final int IO_ERROR = 1;
  /** Bad command line: unknown option, missing argument, malformed value. */
  public static final int USAGE = 2;
  /** The database, collection or record named on the command line does not exist. */
  public static final int NOT_FOUND = 3;
  /** Bad input data: a malformed file or line, a wrong dimension, a bad filter or vector. */
  public static final int BAD_INPUT = 4;
  /** Corruption: a file failed its checksum or structural checks, or {@code check} found problems. */
  public static final int CORRUPT = 5;
  /** The database is open in another process. */
  public static final int LOCKED = 6;
  /** The collection to create already exists. */
  public static final int EXISTS = 7;

  /** The table printed by {@code --help}, one {@code code:meaning} entry per line, for picocli. */
  static final String[] HELP_LIST = {
    "0:success",
    "1:I/O failure or internal error",
    "2:usage error (bad option or argument)",
    "3:database, collection or record not found",
    "4:bad input (malformed file or line, wrong dimension, bad filter or vector)",
    "5:corruption (checksum or structure check failed; check found problems)",
    "6:database locked by another process",
    "7:collection already exists",
  };

  private ExitCode() {}

  /**
   * The exit code for an exception thrown by a command.
   *
   * @param e the exception
   * @return its exit code
   */
  public static int of(Throwable e) {
    return switch (e) {
      case CliException c -> c.exitCode();
      case IqdbException i -> ofIqdb(i);
      default -> IO_ERROR;
    };
  }

  private static int ofIqdb(IqdbException e) {
    return switch (e) {
      case InvalidArgumentException x -> BAD_INPUT;
      case CollectionNotFoundException x -> NOT_FOUND;
      case NotADatabaseException x -> NOT_FOUND;
      case CollectionExistsException x -> EXISTS;
      case LockedException x -> LOCKED;
      case CorruptedException x -> CORRUPT;
      case FormatVersionException x -> CORRUPT;
      // A collection the database could not open because it is corrupt: its calls throw
      // StorageException with the CorruptedException as cause.
      case StorageException x -> x.getCause() instanceof CorruptedException ? CORRUPT : IO_ERROR;
      case ClosedException x -> IO_ERROR;
    };
  }
}
