package io.github.vgg4j.datavec;

import io.github.vgg4j.core.internal.AtomicFiles;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Safe extraction of .zip, .tar and .tar.gz archives (e.g. Kaggle's train.zip): every entry must
 * land inside the target folder (entries such as {@code ../../.bashrc}, absolute paths, links and
 * special files such as FIFOs and devices are refused, naming the entry), what it expands to is
 * held to {@link DataLimits#ARCHIVE_ENTRY_BYTES} per entry, {@link DataLimits#ARCHIVE_BYTES} in all
 * (and short of filling the disk) and {@link DataLimits#ARCHIVE_ENTRIES} entries, counted as the
 * bytes arrive (a header may lie), and the archive is extracted into a temporary sibling folder
 * that is renamed into place only when complete: an interrupted or refused extraction leaves
 * nothing behind, and never a half-filled folder that a later run would take for the data.
 */
final class Archives {

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
            Budget budget = new Budget(archive, Files.getFileStore(tmp).getUsableSpace());
            if (isZip(archive)) {
                // random access: the central directory declares every entry's size, checked before anything is written
                try (ZipFile zip = new ZipFile(archive.toFile())) {
                    List<ZipArchiveEntry> entries = Collections.list(zip.getEntriesInPhysicalOrder());
                    for (ZipArchiveEntry e : entries) {
                        budget.entry();
                        if (!e.isDirectory()) {
                            budget.declared(e);
                            budget.reserve(e.getSize());
                        }
                    }
                    budget.startCopying();
                    for (ZipArchiveEntry e : entries) {
                        if (e.isUnixSymlink()) {
                            throw new BadDataException(archive + ": entry '" + e.getName() + "' is a link; links are refused, they can"
                                    + " point outside the target folder");
                        }
                        InputStream in = e.isDirectory() ? null : zip.getInputStream(e);
                        if (!e.isDirectory() && in == null) {
                            throw new BadDataException(archive + ": entry '" + e.getName() + "' uses a compression method that cannot be read");
                        }
                        extractEntry(archive, tmp, budget, e, in);
                    }
                } catch (java.util.zip.ZipException e) {
                    throw new BadDataException(archive + " cannot be read as a zip archive: " + e.getMessage(), e);
                }
            } else {
                try (ArchiveInputStream in = openTar(archive)) {
                    for (ArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                        budget.entry();
                        extractEntry(archive, tmp, budget, e, in);
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

    private static void extractEntry(Path archive, Path root, Budget budget, ArchiveEntry e, InputStream in) throws IOException {
        Path out = safePath(archive, root, e);
        if (e.isDirectory()) {
            Files.createDirectories(out);
        } else {
            budget.declared(e);
            Files.createDirectories(out.getParent());
            budget.copy(in, e, out);
        }
    }

    /** What an extraction has used of its budgets; every refusal names the archive, the entry and the limit. */
    private static final class Budget {
        /** Left free on the disk, for everything else that needs it. */
        private static final long DISK_RESERVE = 256L << 20;
        private final Path archive;
        private final long entryBytes = DataLimits.ARCHIVE_ENTRY_BYTES.value();
        private final long totalBytes;
        private final boolean diskIsTheLimit;
        private long total;
        private long entries;

        Budget(Path archive, long usable) {
            this.archive = archive;
            long disk = Math.max(0, usable - DISK_RESERVE);
            this.diskIsTheLimit = disk < DataLimits.ARCHIVE_BYTES.value();
            this.totalBytes = Math.min(DataLimits.ARCHIVE_BYTES.value(), disk);
        }

        void entry() throws BadDataException {
            if (++entries > DataLimits.ARCHIVE_ENTRIES.value()) {
                throw new BadDataException(archive + " has more than " + DataLimits.ARCHIVE_ENTRIES.value() + " entries; "
                        + DataLimits.ARCHIVE_ENTRIES.describe());
            }
        }

        /** Sums the sizes a zip's central directory declares, before anything is written. */
        void reserve(long size) throws BadDataException {
            total += Math.max(0, size);
            if (total > totalBytes) {
                throw new BadDataException(archive + " declares " + String.format(Locale.ROOT, "%,d", total) + " bytes or more in its entries; "
                        + totalLimit() + "; nothing was extracted");
            }
        }

        void startCopying() {
            total = 0;
        }

        /** The header's size, where it gives one, is checked before anything is written. */
        void declared(ArchiveEntry e) throws BadDataException {
            if (e.getSize() > entryBytes) {
                throw entryTooLarge(e, String.format(Locale.ROOT, "declares %,d bytes", e.getSize()));
            }
            if (e.getSize() > totalBytes - total) {
                throw totalTooLarge(e, total + e.getSize());
            }
        }

        void copy(InputStream in, ArchiveEntry e, Path out) throws IOException {
            byte[] buf = new byte[1 << 16];
            long written = 0;
            try (OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    written += n;
                    if (e.getSize() >= 0 && written > e.getSize()) {
                        throw entryTooLarge(e, String.format(Locale.ROOT, "expands beyond the %,d bytes its header declares", e.getSize()));
                    }
                    if (written > entryBytes) {
                        throw entryTooLarge(e, "expands to more than " + String.format(Locale.ROOT, "%,d", entryBytes) + " bytes");
                    }
                    if (total + written > totalBytes) {
                        throw totalTooLarge(e, total + written);
                    }
                    o.write(buf, 0, n);
                }
            } catch (BadDataException refused) {
                throw refused;
            } catch (IOException write) {
                throw new IOException("cannot extract " + archive + " entry '" + e.getName() + "' to " + out + ": " + write.getMessage(), write);
            }
            total += written;
        }

        private BadDataException entryTooLarge(ArchiveEntry e, String what) {
            return new BadDataException(archive + ": entry '" + e.getName() + "' " + what + "; " + DataLimits.ARCHIVE_ENTRY_BYTES.describe()
                    + "; nothing was kept");
        }

        private BadDataException totalTooLarge(ArchiveEntry e, long bytes) {
            return new BadDataException(archive + " expands to more than " + String.format(Locale.ROOT, "%,d", bytes - 1) + " bytes (at entry '"
                    + e.getName() + "'); " + totalLimit() + "; nothing was kept");
        }

        private String totalLimit() {
            return diskIsTheLimit ? String.format(Locale.ROOT, "the disk of the dataset cache has %,d bytes to spare", totalBytes)
                    : DataLimits.ARCHIVE_BYTES.describe();
        }
    }

    private static Path safePath(Path archive, Path root, ArchiveEntry e) throws BadDataException {
        if (e instanceof TarArchiveEntry t && (t.isSymbolicLink() || t.isLink())) {
            throw new BadDataException(archive + ": entry '" + e.getName() + "' is a link (to '" + t.getLinkName()
                    + "'); links are refused, they can point outside the target folder");
        }
        if (e instanceof TarArchiveEntry t && (t.isFIFO() || t.isCharacterDevice() || t.isBlockDevice())) {
            throw new BadDataException(archive + ": entry '" + e.getName() + "' is a " + (t.isFIFO() ? "named pipe" : "device")
                    + "; only files and folders are extracted");
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

    private static boolean isZip(Path archive) {
        return archive.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
    }

    private static ArchiveInputStream openTar(Path archive) throws IOException {
        String n = archive.getFileName().toString().toLowerCase(Locale.ROOT);
        InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
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
