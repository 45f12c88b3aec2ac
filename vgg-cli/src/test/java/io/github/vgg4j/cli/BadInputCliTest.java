package io.github.vgg4j.cli;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input through the command line: exit status and one line naming the value or file (docs/reliability.md). */
class BadInputCliTest {
    @TempDir
    Path dir;

    private Path cifar() throws Exception {
        Path f = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(f.resolve("data_batch_1.bin"), new byte[3073 * 20]);
        return f;
    }

    private Path smallModel(List<String> labels) throws Exception {
        Path file = dir.resolve("model-" + labels.size() + ".zip");
        var net = VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(labels.size()).head(Head.cifar()).widthMultiplier(0.0625)
                .buildNetwork();
        ModelFiles.save(net, file, new ModelInfo("vgg11", new int[] {3, 32, 32}, labels, Preprocessing.unitScale()));
        return file;
    }

    private static void expect(int exit, CliRun run, String... parts) {
        assertEquals(exit, run.exit(), run.err());
        String line = run.err().strip();
        for (String p : parts) {
            assertTrue(line.contains(p), "stderr '" + line + "' should mention " + p);
        }
    }

    @Test
    void trainingOptions() throws Exception {
        Path data = cifar();
        expect(2, CliRun.of("train", "--data", data.toString(), "--resume"), "--resume needs --checkpoint-dir");
        expect(2, CliRun.of("train", "--data", data.toString(), "--val-fraction", "1.5"), "--val-fraction", "got 1.5");
        expect(2, CliRun.of("train", "--data", data.toString(), "--format", "xyz"), "--format", "'xyz'");
        expect(2, CliRun.of("train", "--data", data.toString(), "--batch", "0"), "--batch", "got 0");
        expect(2, CliRun.of("train", "--data", data.toString(), "--guard-batches", "1"), "--guard-batches");
        expect(1, CliRun.of("train", "--data", data.toString(), "--out", "/proc/nowhere/model.zip"), "--out", "cannot write in /proc/nowhere");
    }

    @Test
    void aModelNamingAForeignClassIsRefused() throws Exception {
        Path file = smallModel(List.of("a", "b", "c"));
        try (FileSystem zip = FileSystems.newFileSystem(file, Map.of())) {
            Path conf = zip.getPath("configuration.json");
            String json = Files.readString(conf).replaceFirst("\"@class\"\\s*:\\s*\"org\\.deeplearning4j[^\"]*\"",
                    "\"@class\" : \"com.evil.Gadget\"");
            Files.writeString(conf, json);
        }
        expect(1, CliRun.of("evaluate", "--model", file.toString(), "--data", cifar().toString()), "com.evil.Gadget", "refused");
    }

    @Test
    void evaluationNeedsTheModelsLabelsAndKnownClasses() throws Exception {
        Path plain = dir.resolve("plain.zip");
        ModelSerializer.writeModel(VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(2).head(Head.cifar())
                .widthMultiplier(0.0625).buildNetwork(), plain.toFile(), false);
        expect(1, CliRun.of("evaluate", "--model", plain.toString(), "--data", cifar().toString()), "no label names");

        Path folder = dir.resolve("pets");
        for (String c : List.of("cat", "dog", "fox")) {
            Files.createDirectories(folder.resolve(c));
            Files.write(folder.resolve(c).resolve("1.png"), png(8, 8));
        }
        expect(1, CliRun.of("evaluate", "--model", smallModel(List.of("cat", "dog")).toString(), "--data", folder.toString()),
                "[fox]", "not among [cat, dog]");
    }

    @Test
    void anImageDeclaringSixtyThousandSquaredPixelsIsSkippedNotDecoded() throws Exception {
        Path folder = dir.resolve("pets");
        for (String c : List.of("cat", "dog")) {
            Files.createDirectories(folder.resolve(c));
            for (int i = 0; i < 4; i++) {
                Files.write(folder.resolve(c).resolve(i + ".png"), png(40, 40));
            }
        }
        byte[] bomb = png(8, 8);
        ByteBuffer.wrap(bomb, 16, 8).putInt(60_000).putInt(60_000); // IHDR width and height
        Files.write(folder.resolve("cat").resolve("bomb.png"), bomb);
        CliRun run = CliRun.of("train", "--data", folder.toString(), "--input", "3x32x32", "--config", "A", "--width", "0.0625",
                "--epochs", "1", "--val-fraction", "0.2", "--out", dir.resolve("m.zip").toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("cat/bomb.png") && run.out().contains("declares 60000x60000 pixels"), run.out());
    }

    private static byte[] png(int w, int h) throws Exception {
        var img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A command that fails with {@link #failure}: what the handler makes of anything the library or the JVM throws. */
    @CommandLine.Command(name = "fail")
    static final class Failing implements Callable<Integer> {
        static Throwable failure;

        @Override
        public Integer call() throws Exception {
            if (failure instanceof Exception e) {
                throw e;
            }
            throw (Error) failure;
        }
    }

    private static CliRun failing(Throwable failure) {
        Failing.failure = failure;
        return CliRun.on(VggCli.commandLine().addSubcommand(new Failing()), "fail");
    }

    @Test
    void onlyUsageErrorsExitWith2AndEveryFailureIsOneLineWithoutAStackTrace() {
        // the library's IllegalArgumentExceptions about data were usage errors (exit 2) before
        expect(1, failing(new IllegalArgumentException("the data has 3 classes, the model 2")), "vgg fail: the data has 3 classes");
        expect(1, failing(new IllegalStateException("nothing to evaluate")), "vgg fail: nothing to evaluate");
        // a bare JDK file exception says what happened to the path; one with a reason says the reason
        expect(1, failing(new UncheckedIOException(new NoSuchFileException("/data/model.zip"))), "vgg fail: file not found: /data/model.zip");
        expect(1, failing(new AccessDeniedException("/data/model.zip")), "vgg fail: permission denied: /data/model.zip");
        expect(1, failing(new NoSuchFileException("run/checkpoint.zip", null, "nothing to resume")),
                "vgg fail: run/checkpoint.zip: nothing to resume");
        // an Error (out of memory, a missing native library) too; and a message of many lines is one
        expect(1, failing(new OutOfMemoryError("Java heap space")), "vgg fail: out of memory (Java heap space)", "VGG_JAVA_OPTS");
        expect(1, failing(new UnsatisfiedLinkError("no jnind4jcpu in java.library.path")), "no jnind4jcpu");
        expect(1, failing(new IOException("first line\n  second line")), "vgg fail: first line second line");
        expect(1, failing(new RuntimeException()), "vgg fail: java.lang.RuntimeException");
        for (Throwable t : List.of(new IOException("x"), new OutOfMemoryError("y"))) {
            CliRun run = failing(t);
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertFalse(run.err().contains("\tat ") || run.err().contains("Exception in"), run.err());
        }
    }

    @Test
    void messagesAreOneLine() {
        CliRun run = CliRun.of("summary", "--config", "Z");
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(new String(run.err().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).startsWith("vgg summary: --config"));
    }
}
