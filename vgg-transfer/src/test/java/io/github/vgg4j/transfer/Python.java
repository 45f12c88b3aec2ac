package io.github.vgg4j.transfer;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support: runs the Python scripts in src/test/resources/python with Debian's python3 (the
 * interpreter Debian's python3-torch is installed for), skipping the test with a message when the
 * interpreter or a module is missing.
 */
final class Python {
    static final Path INTERPRETER = Path.of(System.getProperty("vgg4j.python", "/usr/bin/python3"));

    private Python() {
    }

    /** Skips the calling test unless python3 can import every module. */
    static void assumeModules(String... modules) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(INTERPRETER), "skipped: " + INTERPRETER + " is missing (Debian: apt-get install python3)");
        for (String m : modules) {
            Process p = new ProcessBuilder(INTERPRETER.toString(), "-c", "import " + m).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            Assumptions.assumeTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0,
                    "skipped: python3 has no module '" + m + "' (Debian: apt-get install python3-" + debianName(m) + ")");
        }
    }

    /** Runs a script from src/test/resources/python; fails the test with its output when it fails. */
    static void run(String script, Object... args) throws Exception {
        Path file = Path.of(Python.class.getResource("/python/" + script).toURI());
        List<String> cmd = new ArrayList<>(List.of(INTERPRETER.toString(), file.toString()));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    private static String debianName(String module) {
        return switch (module) {
            case "torch" -> "torch";
            case "torchvision" -> "torchvision";
            default -> module;
        };
    }
}
