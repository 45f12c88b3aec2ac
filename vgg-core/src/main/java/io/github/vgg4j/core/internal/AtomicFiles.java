package io.github.vgg4j.core.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that readers see either the old content or the complete new one, never a
 * half-written file: write to a temporary file in the same folder, flush it to disk, then rename
 * it over the target. An interrupted or failed write leaves the previous file untouched.
 *
 * <p>A failed write removes its temporary file and says which file it could not write (a full
 * disk's "No space left on device" names no file of its own). A writer killed outright (SIGKILL,
 * power loss) cannot clean up: its temporary file, as large as the target (1.1 GB for a VGG16
 * checkpoint), is removed by the next write of the same target, or by
 * {@link #removeStaleTemporaries}, once the process that wrote it is gone.
 */
public final class AtomicFiles {
    private static final Logger log = LoggerFactory.getLogger(AtomicFiles.class);

    /** Writes into the path it is given; the path does not exist yet. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(Path temporary) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Runs {@code writer} on a temporary sibling of {@code target}, then moves it into place. */
    public static void write(Path target, Writer writer) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        if (Files.isDirectory(absolute)) {
            throw new IOException("cannot write " + absolute + ": it is a folder");
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("cannot write " + absolute + ": folder " + dir + " is not writable");
        }
        removeStaleTemporaries(absolute);
        Path tmp = dir.resolve(temporaryPrefix(absolute) + ProcessHandle.current().pid() + "."
                + Long.toHexString(System.nanoTime()) + TEMPORARY_SUFFIX);
        try {
            writer.writeTo(tmp);
            if (!Files.exists(tmp)) {
                throw new IOException("writer produced no file for " + absolute);
            }
            sync(tmp);
            move(tmp, absolute);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io && !String.valueOf(io.getMessage()).contains(absolute.toString())) {
                IOException named = new IOException("cannot write " + absolute + ": " + io.getMessage(), io);
                named.setStackTrace(io.getStackTrace());
                throw named;
            }
            throw e;
        }
    }

    private static final String TEMPORARY_SUFFIX = ".tmp";

    private static String temporaryPrefix(Path absolute) {
        return "." + absolute.getFileName() + ".";
    }

    /**
     * Removes the temporary files that writes of {@code target} left behind when their process was
     * killed: those named for a process that no longer runs. Returns how many bytes were freed.
     */
    public static long removeStaleTemporaries(Path target) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        String prefix = temporaryPrefix(absolute);
        long freed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, f -> {
            String n = f.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(TEMPORARY_SUFFIX);
        })) {
            for (Path f : files) {
                String middle = f.getFileName().toString();
                middle = middle.substring(prefix.length(), middle.length() - TEMPORARY_SUFFIX.length());
                int dot = middle.indexOf('.');
                long pid;
                try {
                    pid = Long.parseLong(dot < 0 ? middle : middle.substring(0, dot));
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue; // a write in progress (this process's writes clean up after themselves)
                }
                try {
                    long size = Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) ? Files.size(f) : 0;
                    if (Files.deleteIfExists(f)) {
                        freed += size;
                        log.info("removed {} ({} bytes), left by a write of process {} that was killed", f, size, pid);
                    }
                } catch (IOException e) {
                    log.warn("cannot remove {}, left by a killed write: {}", f, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("cannot look for files left by killed writes in {}: {}", dir, e.toString());
        }
        return freed;
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, tmp -> Files.writeString(tmp, content, StandardCharsets.UTF_8));
    }

    public static void writeBytes(Path target, byte[] content) throws IOException {
        write(target, tmp -> Files.write(tmp, content));
    }

    /** Streams into the target; the stream is closed before the move. */
    public static void writeStream(Path target, StreamWriter writer) throws IOException {
        write(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.writeTo(out);
            }
        });
    }

    @FunctionalInterface
    public interface StreamWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Moves a finished file into place atomically (same file system). */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
