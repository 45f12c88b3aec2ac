package io.github.vgg4j.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;

/**
 * The {@code vgg} command line (contract: ../shared/CLI.md). Exit status 0 on success, 2 for a
 * usage error (unknown option, bad value), 1 for any other failure, with a one-line message on
 * stderr that names the file or value at fault.
 */
@Command(name = "vgg", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, versionProvider = VggCli.Version.class,
        description = {"VGG networks (Simonyan & Zisserman, 2014) on Deeplearning4j.", ""},
        subcommands = {DemoCommand.class, SummaryCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class,
                ImportCommand.class, FinetuneCommand.class, TuneCommand.class, InspectCommand.class, BenchmarkCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Run 'vgg COMMAND --help' for the options of a command."})
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
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(e.getCommandLine().getCommandSpec().qualifiedName() + ": " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            PrintWriter err = command.getErr();
            String name = command.getCommandSpec().qualifiedName();
            if (e instanceof IllegalArgumentException) {
                // A value the builder or a reader refused: the message names it and what is allowed.
                err.println(name + ": " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            if (e instanceof NoSuchFileException nf) {
                err.println(name + ": file not found: " + nf.getFile());
                return CommandLine.ExitCode.SOFTWARE;
            }
            err.println(name + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (Boolean.getBoolean("vgg.stacktrace")) {
                e.printStackTrace(err);
            }
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = VggCli.class.getPackage().getImplementationVersion();
            return new String[] {"vgg4j " + (v != null ? v : "(development build)") + " on Deeplearning4j 1.0.0-M2.1"};
        }
    }
}
