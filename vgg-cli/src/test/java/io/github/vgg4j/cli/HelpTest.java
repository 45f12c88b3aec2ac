package io.github.vgg4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every command's --help works, teaches (an example or a description), makes picocli warn about
 * nothing, and reads on an 80-column terminal: no example wraps (a wrapped example pasted into a
 * shell runs junk: a {@code \} alone on a line, a comment split from its command).
 */
class HelpTest {
    private static final int COLUMNS = 80;

    /** Help as an 80-column terminal shows it. */
    private static List<String> help(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = VggCli.commandLine();
        cl.setUsageHelpAutoWidth(false);
        cl.setUsageHelpWidth(COLUMNS);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        // picocli's own warnings (e.g. a '%' in a description that is not '%%') go to System.err
        PrintStream systemErr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, cl.execute(args), err.toString());
        } finally {
            System.setErr(systemErr);
        }
        String all = err + warnings.toString(StandardCharsets.UTF_8) + out;
        assertFalse(all.contains("WARN"), String.join(" ", args) + ": " + all);
        return out.toString().lines().toList();
    }

    @Test
    void everyCommandHasCleanHelp() {
        CommandLine root = VggCli.commandLine();
        assertFalse(root.getSubcommands().isEmpty());
        for (String name : root.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            List<String> lines = help(name, "--help");
            assertTrue(lines.get(0).startsWith("Usage: vgg " + name), name + ": " + lines);
            assertTrue(lines.size() > 6, name + " --help says too little: " + lines);
        }
    }

    @Test
    void noExampleWrapsAtEightyColumns() {
        CommandLine root = VggCli.commandLine();
        for (var e : root.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> lines = help(e.getKey(), "--help");
            String where = "vgg " + e.getKey() + " --help: ";
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                assertTrue(line.length() <= COLUMNS, where + "line longer than " + COLUMNS + ": " + line);
                assertNotEquals("\\", line.trim(), where + "a '\\' alone on a line");
                if (line.endsWith("\\")) {
                    assertTrue(i + 1 < lines.size() && lines.get(i + 1).matches(" {4,}\\S.*"),
                            where + "a continued command is not followed by its indented continuation: " + line);
                }
            }
            // every example and note of the footer is shown as written: picocli wrapped none of them
            for (String footer : e.getValue().getCommandSpec().usageMessage().footer()) {
                assertTrue(footer.length() <= COLUMNS, where + "footer line longer than " + COLUMNS + ": " + footer);
                assertTrue(footer.isEmpty() || lines.contains(footer), where + "footer line wrapped: " + footer);
            }
            long examples = lines.stream().filter(l -> l.matches(" {2}(\\./)?vgg .*")).count();
            assertTrue(examples > 0, where + "no example command");
        }
    }

    @Test
    void topLevelHelpListsEveryCommandWithAWholeSentence() {
        String text = String.join(" ", help("--help")).replaceAll("\\s+", " ");
        for (var e : VggCli.commandLine().getSubcommands().entrySet()) {
            String[] description = e.getValue().getCommandSpec().usageMessage().description();
            if (e.getKey().equals("help")) {
                continue;
            }
            String first = description[0];
            assertTrue(first.endsWith("."), e.getKey() + "'s one-line description is not a sentence: " + first);
            assertTrue(text.contains(e.getKey() + " " + first), e.getKey() + " is not listed with '" + first + "': " + text);
        }
        assertTrue(text.contains("example Run an example main"), text);
        List<String> lines = help("--help");
        for (String footer : VggCli.commandLine().getCommandSpec().usageMessage().footer()) {
            assertTrue(footer.isEmpty() || lines.contains(footer), "vgg --help: footer line wrapped: " + footer);
        }
        lines.forEach(l -> assertTrue(l.length() <= COLUMNS, "vgg --help: line longer than " + COLUMNS + ": " + l));
    }

    @Test
    void theLauncherListsTheExamplesOnStdoutWithoutBuilding() throws Exception {
        Path launcher = Path.of("..", "vgg").toAbsolutePath().normalize();
        for (String[] args : new String[][] {{"example"}, {"example", "--help"}}) {
            Process p = new ProcessBuilder(concat(List.of("bash", launcher.toString()), args)).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err);
            assertEquals("", err);
            assertTrue(out.contains("./vgg example PrintSummaries") && out.contains("./vgg example TrainFashionMnist"), out);
        }
        Process unknown = new ProcessBuilder("bash", launcher.toString(), "example", "Nope").start();
        String err = new String(unknown.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(unknown.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, unknown.exitValue());
        assertTrue(err.contains("no example named 'Nope'"), err);
    }

    private static List<String> concat(List<String> a, String[] b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(Arrays.asList(b));
        return all;
    }
}
