package io.github.vgg4j.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The {@code vgg} command line (docs/cli.md). Exit status 0 on success, 2 for a usage error
 * (unknown command or option, bad value, options that contradict each other or do not apply), 1 for
 * any other failure, with a one-line message on stderr that names the file or value at fault.
 */
@Command(name = "vgg", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, versionProvider = VggCli.Version.class,
        description = {"VGG networks (Simonyan & Zisserman, 2014) on Deeplearning4j.", ""},
        subcommands = {DemoCommand.class, SummaryCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class,
                ImportCommand.class, FinetuneCommand.class, TuneCommand.class, InspectCommand.class, BenchmarkCommand.class,
                ExampleCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'vgg COMMAND --help' for the options of a command, with examples.",
                "First time? 'vgg demo' trains a small VGG in a few minutes; then",
                "docs/getting-started.md and docs/cli.md."})
public final class VggCli implements Runnable {
    static {
        // Charts and image grids are drawn off-screen; never open a display connection.
        System.setProperty("java.awt.headless", "true");
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Log what the library and DL4J do (to stderr).")
    void verbose(boolean verbose) {
        if (verbose) {
            Configurator.setRootLevel(Level.INFO);
            Configurator.setLevel("io.github.vgg4j", Level.DEBUG);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (tests call this). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VggCli());
        Converters.register(cl);
        cl.getSubcommands().get("demo").getCommandSpec().usageMessage().footer(DemoCommand.footer());
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            String name = command.getCommandSpec().qualifiedName();
            err.println(name + ": " + usageMessage(e) + "; see '" + name + " --help'");
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        // An Error (out of memory, a missing native library) ends the command with one line too, not a stack trace.
        cl.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (Error e) {
                List<CommandLine> commands = parseResult.asCommandLineList();
                throw new CommandLine.ExecutionException(commands.get(commands.size() - 1), String.valueOf(e.getMessage()), e);
            }
        });
        // Usage errors (exit 2) are picocli's ParameterExceptions only: parsing, converters, and the commands' own
        // option checks (Usage.error). Everything else a command throws is a failure (exit 1): a file, the data, the
        // disk, memory, an earlier run, also when the library says so with an IllegalArgumentException.
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            Throwable failure = e instanceof CommandLine.ExecutionException x && x.getCause() instanceof Error error ? error : e;
            PrintWriter err = command.getErr();
            err.println(command.getCommandSpec().qualifiedName() + ": " + Failures.message(failure));
            if (Boolean.getBoolean("vgg.stacktrace")) {
                failure.printStackTrace(err);
            }
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    /** picocli's message, in one line; an unknown command or option gets the nearest real names. */
    private static String usageMessage(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            CommandLine.Model.CommandSpec spec = u.getCommandLine().getCommandSpec();
            if (arg.startsWith("-")) {
                List<String> options = new ArrayList<>();
                spec.options().forEach(o -> options.addAll(List.of(o.names())));
                return "unknown option '" + arg + "'" + suggestion(arg, options);
            }
            if (!spec.subcommands().isEmpty()) {
                List<String> commands = new ArrayList<>(spec.subcommands().keySet());
                return "unknown command '" + arg + "'" + suggestion(arg, commands) + "; the commands are "
                        + String.join(", ", commands);
            }
            return "unexpected argument '" + arg + "'";
        }
        String message = e.getMessage().replace(System.lineSeparator(), " ").replace("\n", " ");
        // "Invalid value for option '--lr': learningRate must be ..." -> "--lr: learningRate must be ...", as other usage errors read
        return message.replaceFirst("^Invalid value for option '([^']+)': ", "$1: ");
    }

    /** " (did you mean --format?)" for the known name closest to a mistyped one, if any is close. */
    static String suggestion(String typed, List<String> known) {
        String t = typed.toLowerCase(Locale.ROOT);
        return known.stream().filter(k -> k.length() > 2)
                .min(Comparator.comparingInt(k -> distance(t, k.toLowerCase(Locale.ROOT))))
                .filter(k -> distance(t, k.toLowerCase(Locale.ROOT)) <= Math.max(2, k.length() / 3))
                .map(k -> " (did you mean " + k + "?)").orElse("");
    }

    /** Edit distance (insertions, deletions, substitutions). */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = VggCli.class.getPackage().getImplementationVersion();
            return new String[] {"vgg4j " + (v != null ? v : "(development build)") + " on Deeplearning4j 1.0.0-M2.1"};
        }
    }
}
