package io.github.vgg4j.datavec;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Generators of hostile data (issue 16): files that cost much from little, or look like data and
 * are none. Shared with the command line's tests through vgg-datavec's test jar.
 */
public final class HostileData {
    public static final long GB = 1L << 30;

    private HostileData() {
    }

    /** A .tar.gz writer (POSIX big numbers: entries over 8 GB); {@code level} a {@link Deflater} level. */
    public static TarArchiveOutputStream tarGz(Path file, int level) throws IOException {
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(level);
        TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(file), parameters));
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        return out;
    }

    /** Writes {@code n} zero bytes. */
    public static void zeros(OutputStream out, long n) throws IOException {
        byte[] block = new byte[1 << 20];
        for (long left = n; left > 0; left -= block.length) {
            out.write(block, 0, (int) Math.min(block.length, left));
        }
    }

    /** A zip of one entry of {@code bytes} zeros: 2 GB of them deflate to about 2 MB. */
    public static Path zipOfZeros(Path file, String entry, long bytes) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            out.setLevel(Deflater.BEST_SPEED);
            out.putNextEntry(new ZipEntry(entry));
            zeros(out, bytes);
        }
        return file;
    }

    /**
     * The 1.8 MB CIFAR-10 archive: the six batch files each of {@code records} zero records
     * (100,000: 1.8 GB when extracted, an OutOfMemoryError before the budget).
     */
    public static Path cifarArchiveOfOversizedBatches(Path file, int records) throws IOException {
        List<String> names = new ArrayList<>(Cifar10.TRAIN_FILES);
        names.add(Cifar10.TEST_FILE);
        try (TarArchiveOutputStream out = tarGz(file, Deflater.DEFAULT_COMPRESSION)) {
            for (String name : names) {
                TarArchiveEntry e = new TarArchiveEntry("cifar-10-batches-bin/" + name);
                e.setSize((long) records * Cifar10.RECORD_BYTES);
                out.putArchiveEntry(e);
                zeros(out, e.getSize());
                out.closeArchiveEntry();
            }
        }
        return file;
    }

    /** What a CIFAR-10 archive's training batches are instead of files. */
    public enum NotAFile {
        /** 0-byte entries (trained on 0 images with exit 0, before). */
        EMPTY,
        /** symbolic links to /etc/passwd. */
        SYMLINK,
        /** hard links to /etc/passwd. */
        HARDLINK
    }

    /** A CIFAR-10 .tar.gz whose training batches are {@code kind}; its test batch holds three real records. */
    public static Path cifarArchiveOfNonFiles(Path file, NotAFile kind) throws IOException {
        byte[] batch = TestData.cifarBatch(new int[] {1, 2, 3}, 0);
        try (TarArchiveOutputStream out = tarGz(file, Deflater.BEST_SPEED)) {
            for (String name : Cifar10.TRAIN_FILES) {
                TarArchiveEntry e = switch (kind) {
                    case EMPTY -> new TarArchiveEntry("cifar-10-batches-bin/" + name);
                    case SYMLINK -> new TarArchiveEntry("cifar-10-batches-bin/" + name, TarConstants.LF_SYMLINK);
                    case HARDLINK -> new TarArchiveEntry("cifar-10-batches-bin/" + name, TarConstants.LF_LINK);
                };
                if (kind != NotAFile.EMPTY) {
                    e.setLinkName("/etc/passwd");
                }
                out.putArchiveEntry(e);
                out.closeArchiveEntry();
            }
            TarArchiveEntry test = new TarArchiveEntry("cifar-10-batches-bin/" + Cifar10.TEST_FILE);
            test.setSize(batch.length);
            out.putArchiveEntry(test);
            out.write(batch);
            out.closeArchiveEntry();
        }
        return file;
    }

    /** An extracted CIFAR-10 folder with a training batch of {@code records} records and an emptied test batch. */
    public static Path cifarFolderWithEmptyTestBatch(Path folder, int records) throws IOException {
        Files.createDirectories(folder);
        int[] labels = new int[records];
        for (int i = 0; i < records; i++) {
            labels[i] = i % 10;
        }
        Files.write(folder.resolve("data_batch_1.bin"), TestData.cifarBatch(labels, 0));
        Files.write(folder.resolve(Cifar10.TEST_FILE), new byte[0]);
        return folder;
    }

    /**
     * The 33 KB idx.gz: a folder of training images and labels, {@code count} zero images of
     * {@code size} x {@code size} (4096: a network sized 1x4096x4096 died after 145 s, before).
     */
    public static Path idxOfLargeImages(Path folder, int count, int size) throws IOException {
        Files.createDirectories(folder);
        TestData.idxImages(folder.resolve("train-images-idx3-ubyte.gz"), count, size, size, new byte[count * size * size], true);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 2;
        }
        TestData.idxLabels(folder.resolve("train-labels-idx1-ubyte.gz"), labels, true);
        return folder;
    }

    /** A sparse file of {@code length} bytes that starts like a real PNG (its first 64 bytes): no disk space used. */
    public static Path sparsePng(Path file, long length) throws IOException {
        byte[] png = TestData.encode(TestData.quadrants(16, 16), "png");
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(png, 0, 64);
            f.setLength(length);
        }
        return file;
    }

    /** A small real PNG (16x16 quadrants), for the good files beside the bad. */
    public static Path png(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return TestData.write(file, TestData.quadrants(16, 16), "png");
    }
}
