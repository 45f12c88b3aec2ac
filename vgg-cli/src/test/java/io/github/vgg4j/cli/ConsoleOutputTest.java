package io.github.vgg4j.cli;

import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.datavec.SkippedFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** What a person watches on stderr: the progress bar, when it is shown, and nothing said twice. */
class ConsoleOutputTest {

    @Test
    void theBarShowsBatchesTimeAndLossApartWithinEightyColumns() throws Exception {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        ConsoleProgress progress = new ConsoleProgress(new PrintWriter(err, true),
                new PrintStream(terminal, true, StandardCharsets.UTF_8), 3, 100);
        for (int b = 1; b <= 50; b++) {
            progress.batch(0, b, 100, 2.1101);
            Thread.sleep(6); // the bar redraws every 250 ms and when it closes
        }
        progress.epoch(new EpochResult(0, 2.1, Double.NaN, Double.NaN, Double.NaN, 0.01, 1.0, 50));
        String bar = terminal.toString(StandardCharsets.UTF_8);
        assertTrue(bar.contains("epoch 1/3") && bar.contains("50/100 batches") && bar.contains(") loss 2.1101"), bar);
        assertFalse(bar.contains("/sloss"), bar);
        for (String line : bar.split("\r")) {
            assertTrue(line.strip().length() <= 80, line);
        }
        assertTrue(err.toString().startsWith("epoch 1/3  loss 2.1000"), err.toString());
    }

    @Test
    void withoutATerminalProgressIsLinesInTheLog() {
        StringWriter err = new StringWriter();
        ConsoleProgress progress = new ConsoleProgress(new PrintWriter(err, true), null, 1, 20);
        for (int b = 1; b <= 20; b++) {
            progress.batch(0, b, 20, 1.5);
        }
        assertTrue(err.toString().contains("  epoch 1/1  batch 2/20  loss 1.5000"), err.toString());
    }

    @Test
    void theLaunchersHintSaysWhetherStderrIsATerminal() {
        Assumptions.assumeFalse("dumb".equals(System.getenv("TERM")), "TERM=dumb: never a bar");
        String before = System.getProperty(Terminal.PROPERTY);
        try {
            // `vgg train ... --json > r.json` in a terminal: no console (stdout is a file), but stderr is the terminal
            System.setProperty(Terminal.PROPERTY, "true");
            assertTrue(Terminal.stderrIsInteractive());
            System.setProperty(Terminal.PROPERTY, "false");
            assertFalse(Terminal.stderrIsInteractive());
        } finally {
            if (before == null) {
                System.clearProperty(Terminal.PROPERTY);
            } else {
                System.setProperty(Terminal.PROPERTY, before);
            }
        }
    }

    @Test
    void aSkippedFileIsReportedByTheCommandNotAlsoLogged() throws Exception {
        // the command lists skipped files in its result; the library's per-file warning is off in the command
        // line's log4j2.xml (the tests run with vgg-core's test configuration, so it is read here on its own)
        try (InputStream in = VggCli.class.getResourceAsStream("/log4j2.xml")) {
            XmlConfiguration config = new XmlConfiguration(new LoggerContext("vgg-cli"), new ConfigurationSource(in));
            config.initialize();
            assertEquals(Level.ERROR, config.getLoggerConfig(SkippedFiles.class.getName()).getLevel());
            assertEquals(Level.WARN, config.getLoggerConfig("io.github.vgg4j.datavec.Idx").getLevel());
        }
    }
}
