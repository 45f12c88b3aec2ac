package io.github.vgg4j.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the model loader and of its parts, on arbitrary bytes: only
 * IOException (with its message naming the file) may escape; a crash, hang or OutOfMemoryError is
 * a finding, and so is a class outside the allowlist being initialised (Jazzer's own reflection
 * sanitizer also reports a load of its marker class). Seeds: a small model saved by
 * {@link ModelFiles}, its parts, and the hostile files of issue 16.
 */
class ModelFileFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempDirectory("vgg4j-fuzz").resolve("model.zip");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void load(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            ModelFiles.load(FILE);
        } catch (IOException expected) {
            // documented
        }
        try {
            ModelFiles.readInfo(FILE);
        } catch (IOException expected) {
            // documented
        }
        requireNoForeignClassInitialised();
    }

    /** vgg4j's reader of ND4J's array format, on the bytes of one array entry. */
    @FuzzTest(maxDuration = "30s")
    void nd4jArray(byte[] data) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        try {
            Nd4jArrays.Header h = Nd4jArrays.readHeader(in, data.length, -1, "fuzz.zip: entry coefficients.bin");
            INDArray a = Nd4jArrays.read(in, h, "fuzz.zip: entry coefficients.bin");
            if (a.length() != h.length() || in.available() != 0) {
                throw new IllegalStateException("read " + a.length() + " values of " + h.length() + ", " + in.available() + " bytes left");
            }
            a.close();
        } catch (IOException expected) {
            // documented
        }
    }

    /** The one view of a model zip (central directory, local entries, sizes), without building a network. */
    @FuzzTest(maxDuration = "30s")
    void zipView(byte[] data) throws IOException {
        Files.write(FILE, data);
        try {
            ModelArchive.read(FILE, null);
        } catch (IOException expected) {
            // documented
        }
    }

    /** The class allowlist and DL4J's deserialisation behind it, on arbitrary configuration text. */
    @FuzzTest(maxDuration = "30s")
    void allowlist(byte[] data) {
        try {
            ModelFileSafety.configuration(Path.of("fuzz.zip"), new String(data, StandardCharsets.UTF_8));
        } catch (IOException expected) {
            // documented
        }
        requireNoForeignClassInitialised();
    }

    private static void requireNoForeignClassInitialised() {
        if (ClassTripwire.initialised(ClassTripwire.TRIPWIRE)) {
            throw new IllegalStateException("a model file made the JVM initialise " + ClassTripwire.TRIPWIRE);
        }
    }
}
