package io.github.vgg4j.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesCompleteFilesAndLeavesNoTemporaries() throws IOException {
        Path f = dir.resolve("sub/result.json");
        AtomicFiles.writeString(f, "{\"a\": 1}");
        assertEquals("{\"a\": 1}", Files.readString(f));
        AtomicFiles.writeString(f, "{\"a\": 2}");
        assertEquals("{\"a\": 2}", Files.readString(f));
        try (Stream<Path> files = Files.list(f.getParent())) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aFailedWriteKeepsThePreviousFileIntact() throws IOException {
        Path f = dir.resolve("model.zip");
        AtomicFiles.writeString(f, "previous");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, tmp -> {
            Files.writeString(tmp, "half of a new fi");
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertEquals("previous", Files.readString(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "the temporary file is removed");
        }
    }

    // A real read-only folder and a full disk: FullAndReadOnlyDiskTest (tmpfs mounts).
}
