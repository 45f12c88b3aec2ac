package io.github.vgg4j.cli;

/**
 * Whether stderr is an interactive terminal (progress bars) or a file, pipe or log (one line per
 * step). Java cannot ask about stderr alone: {@code System.console()} is null as soon as stdout is
 * redirected, so {@code vgg train --json > result.json} in a terminal would get no bar. The
 * {@code ./vgg} launcher therefore tests stderr itself ({@code [ -t 2 ]}) and passes the answer
 * as the system property {@value #PROPERTY}; without it (another launcher), the console decides.
 */
final class Terminal {
    static final String PROPERTY = "vgg.stderr.terminal";

    private Terminal() {
    }

    static boolean stderrIsInteractive() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        String hint = System.getProperty(PROPERTY);
        return hint != null ? Boolean.parseBoolean(hint) : System.console() != null;
    }
}
