package io.github.vgg4j.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Example commands for help texts, laid out to paste: at most {@value #WIDTH} columns (picocli
 * wraps longer lines at 80, leaving a {@code \} alone or a comment split from its command), long
 * commands continued with {@code \} and indented.
 */
final class HelpText {
    static final int WIDTH = 80;
    private static final String INDENT = "  ";
    private static final String CONTINUED = "      ";

    private HelpText() {
    }

    /**
     * {@code program args...} as lines of at most {@link #WIDTH} columns (unless one option and its
     * value are longer), never breaking between an option and its value.
     */
    static List<String> command(String program, List<String> args) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean hasValue = a.startsWith("--") && i + 1 < args.size() && !args.get(i + 1).startsWith("--");
            words.add(hasValue ? a + " " + args.get(++i) : a);
        }
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(INDENT).append(program);
        for (String w : words) {
            if (line.length() + 1 + w.length() + 2 > WIDTH && line.length() > INDENT.length() + program.length()) {
                lines.add(line.append(" \\").toString());
                line = new StringBuilder(CONTINUED).append(w);
            } else {
                line.append(' ').append(w);
            }
        }
        lines.add(line.toString());
        return lines;
    }
}
