package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.DatasetCache;
import io.github.vgg4j.core.internal.MemoryLimits;
import io.github.vgg4j.core.internal.Checksum;
import io.github.vgg4j.core.internal.Downloads;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CIFAR-10's official binary distribution, read directly: {@code cifar-10-binary.tar.gz} (no
 * extraction) or the extracted {@code cifar-10-batches-bin/}. Each file is a run of 3073-byte
 * records: one label byte (0-9), then 1024 red, 1024 green and 1024 blue bytes, each plane 32x32
 * row-major. No conversion to PNG (unlike DL4J's own CIFAR iterator).
 *
 * <pre>{@code DataBundle cifar = Cifar10.open(Cifar10.locate()); // 50,000 train + 10,000 test}</pre>
 */
public final class Cifar10 {
    public static final int RECORD_BYTES = 3073;
    public static final int SIDE = 32;
    public static final URI URL = URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
    /** The MD5 published on the CIFAR-10 page for the binary version. */
    public static final Checksum CHECKSUM = Checksum.md5("c32a1d4ab5d03f1284b67883e8d87530");
    public static final String ARCHIVE = "cifar-10-binary.tar.gz";
    public static final String FOLDER = "cifar-10-batches-bin";
    public static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";
    public static final String META_FILE = "batches.meta.txt";
    public static final List<String> DEFAULT_LABELS =
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private Cifar10() {
    }

    /**
     * The CIFAR-10 binary distribution in the dataset cache ({@link DatasetCache}), downloaded
     * (and MD5-verified) if absent. Offline, fails with a message that says which file to put where.
     */
    public static Path locate() throws IOException {
        Path root = DatasetCache.root();
        Path folder = root.resolve(FOLDER);
        if (Files.isRegularFile(folder.resolve(TEST_FILE))) {
            return folder;
        }
        try {
            return Downloads.fetch(URL, root.resolve(ARCHIVE), CHECKSUM);
        } catch (Downloads.DownloadException e) {
            throw new Downloads.DownloadException(e.getMessage() + "; or pass the archive or its extracted "
                    + FOLDER + "/ folder with --data", e.getCause());
        }
    }

    /** True if the path looks like the CIFAR-10 binary distribution. */
    static boolean looksLike(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (Files.isRegularFile(path)) {
            return name.equals(ARCHIVE) || ((name.endsWith(".tar.gz") || name.endsWith(".tgz")) && name.contains("cifar"));
        }
        return Files.isRegularFile(path.resolve(TEST_FILE)) || Files.isRegularFile(path.resolve(TRAIN_FILES.get(0)))
                || Files.isDirectory(path.resolve(FOLDER));
    }

    /** Reads the archive or the folder (or a folder holding cifar-10-batches-bin/). */
    public static DataBundle open(Path path) throws IOException {
        Map<String, byte[]> files = Files.isRegularFile(path) ? readArchive(path) : readFolder(path);
        List<String> labels = files.containsKey(META_FILE) ? parseLabels(files.get(META_FILE), path) : DEFAULT_LABELS;
        List<String> missing = new ArrayList<>();
        for (String f : TRAIN_FILES) {
            if (!files.containsKey(f)) {
                missing.add(f);
            }
        }
        if (missing.size() == TRAIN_FILES.size() && !files.containsKey(TEST_FILE)) {
            throw new BadDataException(path + " holds no CIFAR-10 batches (" + String.join(", ", TRAIN_FILES) + ", " + TEST_FILE
                    + "): is it the binary version (" + ARCHIVE + ")? The Python and MATLAB versions are not read");
        }
        ImageDataset train = missing.size() == TRAIN_FILES.size() ? null
                : records(path, files, TRAIN_FILES.stream().filter(files::containsKey).toList(), labels);
        ImageDataset test = files.containsKey(TEST_FILE) ? records(path, files, List.of(TEST_FILE), labels) : null;
        if (train == null) {
            throw new BadDataException(path + " has " + TEST_FILE + " but none of " + String.join(", ", TRAIN_FILES));
        }
        return new DataBundle(DataFormat.CIFAR10, path.toString(), train, test, null, labels);
    }

    /** Parses runs of 3073-byte records into one in-memory dataset. */
    static ImageDataset records(Path source, Map<String, byte[]> files, List<String> names, List<String> labels)
            throws BadDataException {
        int total = 0;
        for (String name : names) {
            total += checkLength(name, files.get(name).length);
        }
        int imageBytes = RECORD_BYTES - 1;
        byte[] pixels = new byte[total * imageBytes];
        int[] label = new int[total];
        int[] starts = new int[names.size()];
        int n = 0;
        for (int part = 0; part < names.size(); part++) {
            String name = names.get(part);
            byte[] data = files.get(name);
            starts[part] = n;
            for (int r = 0; r < data.length / RECORD_BYTES; r++, n++) {
                int offset = r * RECORD_BYTES;
                int l = data[offset] & 0xff;
                if (l >= labels.size()) {
                    throw new BadDataException(source + " " + name + ": record " + r + " (byte offset " + offset + ") has label "
                            + l + "; CIFAR-10 labels are 0-" + (labels.size() - 1));
                }
                label[n] = l;
                System.arraycopy(data, offset + 1, pixels, n * imageBytes, imageBytes);
            }
        }
        return new InMemoryImages(source + (names.size() == 1 ? " " + names.get(0) : " training batches"), 3, SIDE, SIDE,
                pixels, label, labels, names.toArray(String[]::new), starts);
    }

    /**
     * Number of whole records; an error naming the file and the offset of a cut-short record, for an
     * empty file, and for more records than {@link DataLimits#CIFAR_RECORDS}.
     */
    static int checkLength(String name, long length) throws BadDataException {
        if (length == 0) {
            throw new BadDataException(name + ": an empty file (0 bytes): a CIFAR-10 batch holds 3073-byte records (10,000 of them)");
        }
        if (length % RECORD_BYTES != 0) {
            long whole = length / RECORD_BYTES;
            throw new BadDataException(name + ": " + length + " bytes is not a whole number of " + RECORD_BYTES
                    + "-byte CIFAR-10 records: the record at byte offset " + whole * RECORD_BYTES + " is cut short ("
                    + (length - whole * RECORD_BYTES) + " of " + RECORD_BYTES + " bytes); the file is truncated or not CIFAR-10");
        }
        if (!DataLimits.CIFAR_RECORDS.allows(length / RECORD_BYTES)) {
            throw new BadDataException(name + ": " + length / RECORD_BYTES + " records in one file; CIFAR-10 batches hold 10,000; "
                    + DataLimits.CIFAR_RECORDS.describe());
        }
        return (int) (length / RECORD_BYTES);
    }

    private static List<String> parseLabels(byte[] meta, Path source) throws IOException {
        List<String> labels = new ArrayList<>();
        for (String line : new String(meta, StandardCharsets.UTF_8).split("\\R")) {
            if (!line.isBlank()) {
                labels.add(line.trim());
            }
        }
        if (labels.size() < 2 || labels.size() > 256) {
            throw new BadDataException(source + " " + META_FILE + ": expected one class name per line (10 for CIFAR-10), found "
                    + labels.size());
        }
        return labels;
    }

    private static Map<String, byte[]> readFolder(Path folder) throws IOException {
        Path dir = Files.isDirectory(folder.resolve(FOLDER)) ? folder.resolve(FOLDER) : folder;
        Map<String, Path> found = new LinkedHashMap<>();
        long total = 0;
        for (String name : concat(TRAIN_FILES, List.of(TEST_FILE, META_FILE))) {
            Path f = dir.resolve(name);
            FileTypes.refuseSpecial(f);
            if (Files.isRegularFile(f)) {
                if (name.equals(META_FILE)) {
                    checkMeta(f.toString(), Files.size(f));
                } else {
                    checkLength(f.toString(), Files.size(f)); // before reading 30 MB
                }
                total += Files.size(f);
                found.put(name, f);
            }
        }
        requireHeap(folder, total);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (var e : found.entrySet()) {
            files.put(e.getKey(), Files.readAllBytes(e.getValue()));
        }
        return files;
    }

    /** The batches are read whole and then copied into one array: twice their size must fit the heap. */
    private static void requireHeap(Path source, long bytes) throws BadDataException {
        String problem = MemoryLimits.heapShortfall(2 * bytes, "reading the CIFAR-10 batches of " + source);
        if (problem != null) {
            throw new BadDataException(problem);
        }
    }

    private static void checkMeta(String name, long size) throws BadDataException {
        if (size > 1 << 16) {
            throw new BadDataException(name + ": " + size + " bytes is not a list of class names");
        }
    }

    /** Reads the batches straight out of the .tar.gz, checking each entry's size before reading it. */
    private static Map<String, byte[]> readArchive(Path archive) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> wanted = concat(TRAIN_FILES, List.of(TEST_FILE, META_FILE));
        try (InputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(
                new BufferedInputStream(Files.newInputStream(archive), 1 << 16)))) {
            TarArchiveInputStream tar = (TarArchiveInputStream) in;
            long total = 0;
            for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
                String base = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                if (e.isDirectory() || !wanted.contains(base)) {
                    continue;
                }
                String name = archive + "!" + e.getName();
                // (TarArchiveEntry.isFile() is true for links and pipes too: their kind is asked for first)
                boolean link = e.isSymbolicLink() || e.isLink();
                if (link || e.isFIFO() || e.isCharacterDevice() || e.isBlockDevice() || !e.isFile()) {
                    // what would be trained on is not in the archive (the old reader took such an entry for 0 images)
                    throw new BadDataException(name + " is " + (link ? "a link (to '" + e.getLinkName() + "')" : "not a regular file")
                            + "; CIFAR-10 batches must be files in the archive");
                }
                if (files.containsKey(base)) {
                    throw new BadDataException(name + ": a second " + base + " in the archive; refused (which one is the data?)");
                }
                if (base.equals(META_FILE)) {
                    checkMeta(name, e.getSize());
                } else {
                    checkLength(name, e.getSize());
                }
                total += e.getSize();
                requireHeap(archive, total);
                byte[] data = tar.readNBytes((int) e.getSize());
                if (data.length != e.getSize()) {
                    throw new BadDataException(name + " ends after " + data.length + " of its " + e.getSize() + " bytes (truncated archive)");
                }
                files.put(base, data);
            }
        } catch (BadDataException e) {
            throw e;
        } catch (IOException e) {
            throw new BadDataException(archive + " cannot be read as a .tar.gz archive: " + e.getMessage(), e);
        }
        return files;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
