package io.github.vgg4j.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Test support: runs the command line in-process and captures stdout, stderr and the exit status. */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        return on(VggCli.commandLine(), args);
    }

    /** Runs {@code cl} (the command line, perhaps with a test's own subcommand added). */
    static CliRun on(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
