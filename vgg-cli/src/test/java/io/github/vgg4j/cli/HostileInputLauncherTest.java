package io.github.vgg4j.cli;

import io.github.vgg4j.core.io.HostileModels;
import io.github.vgg4j.core.io.HostileModels.ArrayBytes;
import io.github.vgg4j.datavec.HostileData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The hostile inputs of issue 16 that once crashed the JVM, grew it without bound, loaded a native
 * class, hung, or printed a native library's diagnostics: each run through {@code ./vgg} in a JVM
 * of its own (a regression cannot take the test down with it), with the heap and off-heap capped
 * well below what the attack asked for and a time limit. Each must end with exit 1 and exactly one
 * line on stderr naming the file and what is wrong, and leave nothing in the working directory or
 * the crash folder. Also: the launcher sends a real JVM crash's hs_err file to the crash folder.
 */
class HostileInputLauncherTest {
    /** The child's memory: a fraction of what the attacks asked for (2^62 floats, 2^40 longs). */
    private static final String BOUNDED = "-Xmx512m -Dorg.bytedeco.javacpp.maxbytes=1g -Dorg.bytedeco.javacpp.maxphysicalbytes=4g";
    /** Generous on a shared 2-core machine; a run past it is a hang. */
    private static final int LIMIT_SECONDS = 300;
    /** A class on the command line's classpath whose static initialiser loads native libraries (HDF5's). */
    private static final String NATIVE_CLASS = "org.bytedeco.hdf5.global.hdf5";
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger CLEAR = new AtomicInteger();

    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    private static Map<String, byte[]> model;
    private Launcher launcher;
    private Path work;
    private Path crash;
    private Path in;

    @BeforeAll
    static void aRealModel() throws IOException {
        model = HostileModels.entries(shared); // vgg11_bn, 3x32x32, classes cat, dog, fox
    }

    @BeforeEach
    void folders() throws IOException {
        launcher = new Launcher(dir);
        work = Files.createDirectories(dir.resolve("work"));
        crash = Files.createDirectories(dir.resolve("crash"));
        in = Files.createDirectories(dir.resolve("in"));
    }

    @AfterAll
    static void figures() {
        System.out.printf("hostile inputs through ./vgg (child JVMs): %d cases, %d ended with exit 1 and one line, "
                + "0 crashes, 0 hangs, nothing left behind%n", CASES.get(), CLEAR.get());
    }

    @Test
    void modelArraysDeclaring2To62ValuesOr2To40ValuesOfShapeInformationAreRefusedInBoundedMemory() throws Exception {
        ArrayBytes coefficients = ArrayBytes.parse(model.get("coefficients.bin"));
        // SIGSEGV in Unsafe.putFloat under Nd4j.read, hs_err_pid*.log in the working directory, before
        Path crashed = HostileModels.write(in.resolve("crashed.zip"),
                HostileModels.with(model, "coefficients.bin", coefficients.dataLength(1L << 62).bytes()));
        Path data = Files.createDirectories(in.resolve("pets"));
        for (String c : List.of("cat", "dog", "fox")) {
            HostileData.png(data.resolve(c).resolve("0.png"));
        }
        refused(launcher.run(work, crash, BOUNDED, LIMIT_SECONDS, "evaluate", "--model", crashed.toString(), "--data", data.toString()),
                crashed, "coefficients.bin declares 4611686018427387904 values");
        // 23 GB of shape information, then killed by the kernel, before
        Path grew = HostileModels.write(in.resolve("grew.zip"),
                HostileModels.with(model, "coefficients.bin", coefficients.shapeLength(1L << 40).bytes()));
        refused(launcher.run(work, crash, BOUNDED, LIMIT_SECONDS, "predict", "--model", grew.toString(),
                data.resolve("cat/0.png").toString()), grew, "declares 1099511627776 values of shape information");
    }

    @Test
    void aModelNamingANativeLibrarysClassMakesTheJvmLoadNothing() throws Exception {
        // The file made the JVM initialise FFmpeg's avutil (natives extracted and loaded); FFmpeg is not on the
        // command line's classpath, HDF5's presets are, and their initialiser loads HDF5's natives in the same way.
        String target = NATIVE_CLASS;
        Path file = HostileModels.write(in.resolve("native.zip"), HostileModels.with(model, "configuration.json",
                HostileModels.firstActivation(model, "\"@\\u0063lass\" : \"" + target + "\"")));
        Path classes = dir.resolve("classes.log");
        Launcher.Run run = launcher.run(work, crash, BOUNDED + " -Xlog:class+load=info:file=" + classes, LIMIT_SECONDS,
                "summary", "--model", file.toString());
        refused(run, file, "names class " + target + " in \"@class\"", "refused before loading it");
        String loaded = Files.readString(classes);
        assertTrue(loaded.contains(VggCli.class.getName()), "the class log works");
        assertFalse(loaded.contains(target), target + " was loaded");
    }

    @Test
    void aNamedPipeGivenToPredictIsRefusedWithoutOpeningIt() throws Exception {
        // vgg predict hung forever on it before: opening a FIFO waits for a writer
        Path fifo = in.resolve("photo.jpg");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "skipped: no mkfifo here");
        Path good = HostileModels.write(in.resolve("model.zip"), model);
        refused(launcher.run(work, crash, BOUNDED, LIMIT_SECONDS, "predict", "--model", good.toString(), fifo.toString()),
                fifo, "not a regular file");
    }

    @Test
    void aDamagedKerasFileIsOneLineWithoutHdf5sDiagnostics() throws Exception {
        // dozens of HDF5-DIAG lines (native stderr) and no file name, before
        byte[] damaged = new byte[4096];
        new Random(16).nextBytes(damaged);
        System.arraycopy(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, 0, damaged, 0, 8);
        Path h5 = Files.write(in.resolve("damaged.h5"), damaged);
        Path classes = dir.resolve("classes.log");
        refused(launcher.run(work, crash, BOUNDED + " -Xlog:class+load=info:file=" + classes, LIMIT_SECONDS, "import", "--keras",
                h5.toString(), "--out", in.resolve("k.zip").toString()), h5, "damaged or truncated");
        assertFalse(Files.exists(in.resolve("k.zip")));
        // the control of the test above: reading HDF5 loads the class, and the log shows it
        assertTrue(Files.readString(classes).contains(NATIVE_CLASS), "the class log does not show " + NATIVE_CLASS);
    }

    @Test
    void aJvmCrashLeavesItsHsErrFileInTheCrashFolderNotInTheWorkingDirectory() throws Exception {
        // a real fatal error: the JVM aborts on its first OutOfMemoryError in a heap too small to start the command line
        Launcher.Run run = launcher.run(work, crash, "-Xmx8m -XX:+CrashOnOutOfMemoryError -XX:-CreateCoredumpOnCrash",
                LIMIT_SECONDS, "summary", "--config", "A");
        assertFalse(run.hung());
        assertNotEquals(0, run.exit(), "the JVM was meant to crash: " + run.out() + run.err());
        assertEquals(List.of(), list(work), "crash artefacts in the working directory");
        assertTrue(list(crash).stream().anyMatch(p -> p.getFileName().toString().matches("hs_err_pid\\d+\\.log")),
                "no hs_err file in the crash folder: " + list(crash));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Exit 1 in time, one line on stderr naming {@code file} and each part, nothing in the working directory or crash folder. */
    private void refused(Launcher.Run run, Path file, String... parts) throws IOException {
        CASES.incrementAndGet();
        assertFalse(run.hung(), "hung (killed after " + LIMIT_SECONDS + " s): " + run.err());
        assertEquals(1, run.exit(), "exit status; stderr: " + run.err());
        assertEquals(1, run.errLines().size(), "one line on stderr: " + run.err());
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("vgg ") && line.contains(file.toString()), "the line names " + file + ": " + line);
        for (String p : parts) {
            assertTrue(line.contains(p), "the line says '" + p + "': " + line);
        }
        assertEquals("", run.out());
        assertEquals(List.of(), list(work), "left in the working directory");
        assertEquals(List.of(), list(crash), "crash artefacts");
        CLEAR.incrementAndGet();
    }

    private static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.toList();
        }
    }
}
