package io.github.vgg4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test support: runs {@code ./vgg} as a user would, in a JVM of its own, on the classes just
 * compiled and the product's runtime classpath (target/test-launcher/classpath.txt, written by the
 * build without the test classes and their logging configuration). The launcher's frozen-copy mode
 * ({@code VGG_RUN_DIR}) points it there, so it builds nothing. A run that outlives its limit is
 * killed and reported as hung.
 */
final class Launcher {
    private static final Path SCRIPT = Path.of("..", "vgg").toAbsolutePath().normalize();

    /** What a run did: its exit status (-1 when it hung), stdout and stderr. */
    record Run(int exit, String out, String err, boolean hung) {
        List<String> errLines() {
            return err.strip().isEmpty() ? List.of() : err.strip().lines().toList();
        }
    }

    private final Path runDir;
    private final Path logs;

    /** A frozen copy in {@code dir}: the compiled classes stand where the launcher expects the jar. */
    Launcher(Path dir) throws IOException {
        runDir = Files.createDirectories(dir.resolve("vgg-run"));
        logs = Files.createDirectories(dir.resolve("vgg-logs"));
        Path classpath = Path.of("target", "test-launcher", "classpath.txt");
        if (!Files.isRegularFile(classpath)) {
            throw new IllegalStateException(classpath.toAbsolutePath() + " is missing: the build writes it (generate-test-resources)");
        }
        Files.copy(classpath, runDir.resolve("classpath.txt"));
        Files.createSymbolicLink(runDir.resolve("vgg-cli.jar"), Path.of("target", "classes").toAbsolutePath());
    }

    /**
     * Runs {@code ./vgg ARGS} in {@code workDir}, with {@code VGG_CRASH_DIR=crashDir} and
     * {@code VGG_JAVA_OPTS=javaOptions} (they come after the launcher's own, so they win).
     */
    Run run(Path workDir, Path crashDir, String javaOptions, int limitSeconds, String... args) throws Exception {
        return run(workDir, crashDir, javaOptions, Map.of(), limitSeconds, args);
    }

    /** {@link #run(Path, Path, String, int, String...)} with more environment variables (e.g. oneDNN's ISA cap). */
    Run run(Path workDir, Path crashDir, String javaOptions, Map<String, String> environment, int limitSeconds,
            String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(logs, "out", ".txt");
        Path err = Files.createTempFile(logs, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.put("VGG_RUN_DIR", runDir.toString());
        env.put("VGG_CRASH_DIR", crashDir.toString());
        env.put("VGG_JAVA_OPTS", javaOptions);
        env.putAll(environment);
        Process p = pb.start();
        boolean ended = p.waitFor(limitSeconds, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        return new Run(ended ? p.exitValue() : -1, Files.readString(out), Files.readString(err), !ended);
    }
}
