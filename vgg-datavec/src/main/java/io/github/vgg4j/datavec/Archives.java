package io.github.vgg4j.datavec;

import io.github.vgg4j.core.io.AtomicFiles;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Safe extraction of .zip, .tar and .tar.gz archives (e.g. Kaggle's train.zip): every entry must
 * land inside the target folder (entries such as {@code ../../.bashrc}, absolute paths and links are
 * refused, naming the entry), and the archive is extracted into a temporary sibling folder that is
 * renamed into place only when complete, so an interrupted extraction never leaves a half-filled
 * folder that a later run would take for the data.
 */
public final class Archives {

    private Archives() {
    }

    /** True if the name ends in .zip, .tar, .tar.gz or .tgz. */
    public static boolean isArchive(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".zip") || n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    /**
     * Extracts {@code archive} to {@code target} (which must not exist yet) and returns it.
     *
     * @throws BadDataException for an entry that would escape the target or a link entry
     */
    public static Path extract(Path archive, Path target) throws IOException {
        if (Files.exists(target)) {
            throw new IOException("will not extract " + archive + " over existing " + target);
        }
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".extracting-");
        try {
            try (ArchiveInputStream in = open(archive)) {
                for (ArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                    Path out = safePath(archive, tmp, e);
                    if (e.isDirectory()) {
                        Files.createDirectories(out);
                    } else {
                        Files.createDirectories(out.getParent());
                        Files.copy(in, out);
                    }
                }
            }
            AtomicFiles.move(tmp, target);
            return target;
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static Path safePath(Path archive, Path root, ArchiveEntry e) throws BadDataException {
        if (e instanceof TarArchiveEntry t && (t.isSymbolicLink() || t.isLink())) {
            throw new BadDataException(archive + ": entry '" + e.getName() + "' is a link (to '" + t.getLinkName()
                    + "'); links are refused, they can point outside the target folder");
        }
        String name = e.getName().replace('\\', '/');
        Path out;
        try {
            out = root.resolve(name).normalize();
        } catch (java.nio.file.InvalidPathException invalid) {
            throw new BadDataException(archive + ": entry name '" + e.getName().replace('\0', '?') + "' is not a valid path ("
                    + invalid.getReason() + ")");
        }
        if (name.startsWith("/") || !out.startsWith(root)) {
            throw new BadDataException(archive + ": entry '" + e.getName() + "' would be written outside the target folder; refused");
        }
        return out;
    }

    private static ArchiveInputStream open(Path archive) throws IOException {
        String n = archive.getFileName().toString().toLowerCase(Locale.ROOT);
        InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        if (n.endsWith(".zip")) {
            return new ZipArchiveInputStream(raw);
        }
        if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
            return new TarArchiveInputStream(new GzipCompressorInputStream(raw));
        }
        if (n.endsWith(".tar")) {
            return new TarArchiveInputStream(raw);
        }
        raw.close();
        throw new BadDataException(archive + " is not a .zip, .tar or .tar.gz archive");
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a leftover temporary folder is never mistaken for data (its name starts with '.')
        }
    }
}
