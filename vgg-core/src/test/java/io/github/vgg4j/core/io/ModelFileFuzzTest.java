package io.github.vgg4j.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the model loader on arbitrary zip bytes: only IOException (with its
 * message naming the file) may escape; a crash, hang or OutOfMemoryError is a finding. The seed is a
 * small model saved by {@link ModelFiles}.
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
    }
}
