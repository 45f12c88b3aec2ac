package io.github.vgg4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.*;

/** Every command's --help works, teaches (an example or a description) and makes picocli warn about nothing. */
class HelpTest {
    @Test
    void everyCommandHasCleanHelp() {
        CommandLine root = VggCli.commandLine();
        assertFalse(root.getSubcommands().isEmpty());
        for (String name : root.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            CliRun run = CliRun.of(name, "--help");
            assertEquals(0, run.exit(), name + ": " + run.err());
            assertTrue(run.out().startsWith("Usage: vgg " + name), name + ": " + run.out());
            assertFalse(run.err().contains("WARN") || run.out().contains("WARN"), name + ": " + run.err());
            assertTrue(run.out().split("\n").length > 6, name + " --help says too little: " + run.out());
        }
    }
}
