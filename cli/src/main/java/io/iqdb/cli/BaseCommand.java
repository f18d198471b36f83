package io.iqdb.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every subcommand has: {@code --verbose}, and the output streams picocli was given. */
abstract class BaseCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--verbose",
      description = "Print the stack trace of an error, not only its one-sentence message.")
  boolean verbose;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() throws Exception {
    try {
      return run();
    } finally {
      out().flush();
      err().flush();
    }
  }

  /**
   * Runs the command.
   *
   * @return the exit code, usually {@link ExitCode#OK}
   * @throws Exception mapped to an exit code by {@link ExitCode#of}
   */
  abstract int run() throws Exception;
}
