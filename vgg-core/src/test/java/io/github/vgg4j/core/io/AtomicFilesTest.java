package io.github.vgg4j.core.io;

import io.github.vgg4j.core.internal.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
        // the disk-full error names the file it could not write
        assertEquals("cannot write " + f.toAbsolutePath() + ": No space left on device", e.getMessage());
        assertEquals("previous", Files.readString(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "the temporary file is removed");
        }
    }

    @Test
    @Timeout(120)
    void theTemporaryFileOfAWriterKilledWithSigkillIsRemovedByTheNextWrite() throws Exception {
        Path f = dir.resolve("checkpoint.zip");
        AtomicFiles.writeString(f, "previous");
        // a real writer in another JVM, killed (SIGKILL) in the middle of its write
        String classpath = String.join(java.io.File.pathSeparator, location(AtomicFiles.class), location(SlowWriter.class),
                location(org.slf4j.LoggerFactory.class));
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
                SlowWriter.class.getName(), f.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("writer.log").toFile())
                .start();
        Path partial = null;
        try {
            while (partial == null) {
                assertTrue(writer.isAlive(), "the writer ended before it was killed: " + Files.readString(dir.resolve("writer.log")));
                try (Stream<Path> files = Files.list(dir)) {
                    partial = files.filter(p -> p.getFileName().toString().endsWith(".tmp") && sizeOf(p) >= SlowWriter.BEFORE_KILL)
                            .findFirst().orElse(null);
                }
                Thread.sleep(20);
            }
        } finally {
            writer.destroyForcibly().waitFor(); // SIGKILL: no finally block, no shutdown hook runs in the writer
        }
        assertTrue(Files.exists(partial), "the killed writer left its temporary file");
        assertEquals("previous", Files.readString(f));

        // one of another live process is a write in progress: left alone
        Process live = new ProcessBuilder("sleep", "60").start();
        Path inProgress = Files.writeString(dir.resolve(".checkpoint.zip." + live.pid() + ".1f.tmp"), "writing");
        Files.delete(dir.resolve("writer.log"));
        try {
            AtomicFiles.writeString(f, "next");
            assertFalse(Files.exists(partial), "the partial file of the killed writer is removed");
            assertTrue(Files.exists(inProgress), "a live writer's file is kept");
            assertEquals("next", Files.readString(f));
        } finally {
            live.destroyForcibly();
        }
    }

    private static String location(Class<?> c) throws java.net.URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException gone) {
            return 0;
        }
    }

    /** Writes a file through AtomicFiles and stops in the middle, to be killed there. */
    public static final class SlowWriter {
        static final int BEFORE_KILL = 1 << 20;

        public static void main(String[] args) throws Exception {
            AtomicFiles.write(Path.of(args[0]), tmp -> {
                try (var out = Files.newOutputStream(tmp)) {
                    out.write(new byte[BEFORE_KILL]);
                    out.flush();
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            });
        }
    }

    // A real read-only folder and a full disk: FullAndReadOnlyDiskTest (tmpfs mounts).
}
