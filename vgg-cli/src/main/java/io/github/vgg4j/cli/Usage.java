package io.github.vgg4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Usage errors found after parsing (options that contradict each other or the data): exit 2, one line. */
final class Usage {
    private Usage() {
    }

    static CommandLine.ParameterException error(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Whether the user gave {@code option} (as opposed to its default). */
    static boolean given(CommandSpec spec, String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
