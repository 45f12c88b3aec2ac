package io.github.vgg4j.datavec;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Coverage-guided fuzzing of every parser that reads user files. Only the documented exceptions
 * may escape ({@link BadDataException} and other {@link IOException}s); anything else, a hang or
 * running out of memory is a finding. On {@code mvn test} the seeds under
 * src/test/resources/.../ParserFuzzTestInputs run as regression tests; {@code .ci/fuzz} fuzzes
 * each target with JAZZER_FUZZ=1.
 */
class ParserFuzzTest {
    private static final Path TMP;

    static {
        try {
            TMP = Files.createTempDirectory("vgg4j-fuzz");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cifarBatch(byte[] data) {
        try {
            int n = Cifar10.checkLength("data_batch_1.bin", data.length);
            ImageDataset set = Cifar10.records(Path.of("fuzz"), Map.of("data_batch_1.bin", data), List.of("data_batch_1.bin"),
                    Cifar10.DEFAULT_LABELS);
            if (set.size() != n) {
                throw new IllegalStateException("record count " + set.size() + " != " + n);
            }
            for (int i = 0; i < Math.min(n, 3); i++) {
                set.read(i, Fit.eval(3, 32, 32, 1), new SplittableRandom(i));
            }
        } catch (BadDataException expected) {
            // documented
        } catch (ImageDataset.BadImageException e) {
            throw new IllegalStateException("in-memory records never fail to decode", e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void cifarArchive(byte[] data) throws IOException {
        Path file = TMP.resolve("cifar-10-binary.tar.gz");
        Files.write(file, data);
        try {
            Cifar10.open(file);
        } catch (BadDataException expected) {
            // documented
        }
    }

    @FuzzTest(maxDuration = "30s")
    void idx(byte[] data) throws IOException {
        Path file = TMP.resolve("images-idx3-ubyte");
        Files.write(file, data);
        try {
            IdxFiles.readImages(file);
        } catch (BadDataException expected) {
            // documented
        }
        try {
            IdxFiles.readLabels(file);
        } catch (BadDataException expected) {
            // documented
        }
    }

    @FuzzTest(maxDuration = "30s")
    void encodedImage(byte[] data) {
        if (ImageFormats.problem(data) == null) {
            RawImage img = OpenCvImages.decode(data, Fit.eval(3, 32, 32), new SplittableRandom(1));
            if (img != null && (img.width() != 32 || img.height() != 32)) {
                throw new IllegalStateException("decoded to " + img.width() + "x" + img.height());
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void archive(byte[] data) throws IOException {
        for (String name : new String[] {"a.zip", "a.tar", "a.tar.gz"}) {
            Path file = TMP.resolve(name);
            Files.write(file, data);
            Path target = TMP.resolve("out-" + name);
            try {
                Archives.extract(file, target);
                try (var walk = Files.walk(target)) {
                    for (Path p : walk.toList()) {
                        if (!p.toRealPath().startsWith(target.toRealPath())) {
                            throw new IllegalStateException("extracted outside the target: " + p);
                        }
                    }
                }
            } catch (IOException expected) {
                // documented: BadDataException for entries escaping the target, IOException for broken archives
            } finally {
                Archives.deleteTree(target);
            }
        }
    }
}
