package io.iqdb.cli;

import io.iqdb.IqdbException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The entry point of the {@code iqdb} command. Errors go to standard error as one sentence, prefixed
 * with the subcommand, and end the process with an {@link ExitCode}; {@code --verbose} adds the
 * stack trace.
 */
public final class Main {

  private Main() {}

  /**
   * Runs the command and exits with its exit code.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    quietLucene(args);
    Charset cs = Charset.defaultCharset();
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, cs), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, cs), true);
    int code = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Lucene logs its SIMD setup at INFO on every start: noise for a command, kept for --verbose. */
  private static final java.util.logging.Logger LUCENE_LOG = java.util.logging.Logger.getLogger("org.apache.lucene");

  private static void quietLucene(String[] args) {
    if (!java.util.Arrays.asList(args).contains("--verbose")) {
      LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
    }
  }

  /**
   * Runs the command in this process, writing to the given streams. Tests use this.
   *
   * @param out standard output
   * @param err standard error
   * @param args the command line
   * @return the exit code
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  /**
   * The configured picocli command line.
   *
   * @param out standard output
   * @param err standard error
   * @return the command line
   */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new IqdbCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(Main::onExecutionException);
    cl.setParameterExceptionHandler(Main::onParameterException);
    Map<String, String> codes = new LinkedHashMap<>();
    for (String entry : ExitCode.HELP_LIST) {
      int colon = entry.indexOf(':');
      codes.put(entry.substring(0, colon), entry.substring(colon + 1));
    }
    applyExitCodeHelp(cl, codes);
    return cl;
  }

  private static void applyExitCodeHelp(CommandLine cl, Map<String, String> codes) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
    for (CommandLine sub : cl.getSubcommands().values()) {
      applyExitCodeHelp(sub, codes);
    }
  }

  private static int onExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
    PrintWriter err = cl.getErr();
    int code = ExitCode.of(e);
    err.println(cl.getCommandSpec().qualifiedName() + ": " + sentence(e));
    if (cl.getCommand() instanceof BaseCommand b && b.verbose) {
      e.printStackTrace(err);
    } else if (!(e instanceof CliException) && !(e instanceof IqdbException)) {
      err.println("(run with --verbose for the stack trace)");
    }
    err.flush();
    return code;
  }

  /** The error as one line: our own exceptions carry a sentence; others get their type named. */
  static String sentence(Throwable e) {
    String message = e.getMessage();
    String text;
    if (e instanceof CliException || e instanceof IqdbException) {
      text = message;
    } else if (e instanceof UnsupportedOperationException) {
      text = "not supported by this build of iQDB" + (message == null ? "" : ": " + message);
    } else if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
      text = "I/O error: " + message;
    } else {
      text = "internal error: " + e.getClass().getName() + (message == null ? "" : ": " + message);
    }
    return text == null ? e.getClass().getSimpleName() : text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  private static int onParameterException(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + name + " --help'.");
    err.flush();
    return ExitCode.USAGE;
  }
}
