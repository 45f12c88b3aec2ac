package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.DatasetCache;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Data made to cost much from little, or to look like data and be none (issue 16): each refused
 * with one message naming the file and the budget, before the cost is paid; nothing left in the
 * dataset cache; a bad file in a folder skipped, never failing the epoch; empty data an error.
 */
class HostileDataTest {
    private static final long GB = HostileData.GB;
    @TempDir
    Path dir;
    private Path cache;

    @BeforeEach
    void cache() throws IOException {
        cache = Files.createDirectories(dir.resolve("cache"));
        System.setProperty(DatasetCache.PROPERTY, cache.toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty(DatasetCache.PROPERTY);
        DataLimits.ALL.forEach(l -> System.clearProperty(l.property()));
    }

    // ---- archives -----------------------------------------------------------------------------------

    @Test
    void aSmallZipHoldingA2GbEntryIsRefusedBeforeAnythingIsExtracted() throws IOException {
        Path zip = HostileData.zipOfZeros(dir.resolve("images.zip"), "train/cat.0.jpg", 2 * GB);
        assertTrue(Files.size(zip) < 16 << 20, "a small archive: " + Files.size(zip));
        BadDataException e = assertThrows(BadDataException.class, () -> DataSources.open(zip, null));
        assertMessage(e, zip, "entry 'train/cat.0.jpg' declares 2,147,483,648 bytes; at most 1,073,741,824 bytes per archive entry"
                + " (raise with -Dvgg4j.archive.maxEntryBytes=...)");
        assertNothingLeftIn(cache);
    }

    @Test
    void aTarGzEntryDeclaringTooMuchAndAnArchiveExpandingTooFarAreRefused() throws IOException {
        // the header declares 2 GB: refused from the header
        Path tar = dir.resolve("images.tar.gz");
        try (TarArchiveOutputStream out = tar(tar)) {
            TarArchiveEntry e = new TarArchiveEntry("train/cat.0.jpg");
            e.setSize(2 * GB);
            out.putArchiveEntry(e);
            zeros(out, 2 * GB);
            out.closeArchiveEntry();
        }
        assertMessage(assertThrows(BadDataException.class, () -> DataSources.open(tar, null)), tar, "declares 2,147,483,648 bytes");
        assertNothingLeftIn(cache);

        // a total budget (raised or lowered by its property) is counted over the entries as they are written
        System.setProperty(DataLimits.ARCHIVE_BYTES.property(), String.valueOf(3 << 20));
        Path many = dir.resolve("many.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(many))) {
            for (int i = 0; i < 4; i++) {
                out.putNextEntry(new ZipEntry("train/cat." + i + ".jpg"));
                zeros(out, 1 << 20);
            }
        }
        assertMessage(assertThrows(BadDataException.class, () -> DataSources.open(many, null)), many,
                "at most 3,145,728 bytes per extracted archive (raise with -Dvgg4j.archive.maxBytes=...)");
        System.setProperty(DataLimits.ARCHIVE_ENTRIES.property(), "3");
        System.clearProperty(DataLimits.ARCHIVE_BYTES.property());
        assertMessage(assertThrows(BadDataException.class, () -> DataSources.open(many, null)), many,
                "more than 3 entries; at most 3 entries per archive (raise with -Dvgg4j.archive.maxEntries=...)");
        assertNothingLeftIn(cache);
    }

    @Test
    void namedPipesAndDevicesInAnArchiveAreRefused() throws IOException {
        Path tar = dir.resolve("special.tar");
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
            out.putArchiveEntry(new TarArchiveEntry("train/cat.0.jpg", TarConstants.LF_FIFO));
            out.closeArchiveEntry();
        }
        assertMessage(assertThrows(BadDataException.class, () -> DataSources.open(tar, null)), tar, "is a named pipe");
        assertNothingLeftIn(cache);
    }

    // ---- CIFAR-10 -----------------------------------------------------------------------------------

    @Test
    void aSmallCifarArchiveOfOversizedBatchesIsRefusedFromItsHeaders() throws IOException {
        // the 1.8 MB archive: six batches of 100,000 zero records (1.8 GB) -> OutOfMemoryError before
        Path archive = HostileData.cifarArchiveOfOversizedBatches(dir.resolve("cifar-10-binary.tar.gz"), 100_000);
        assertTrue(Files.size(archive) < 3 << 20, "a small archive: " + Files.size(archive));
        BadDataException e = assertThrows(BadDataException.class, () -> DataSources.open(archive, null));
        assertMessage(e, archive, "100000 records in one file; CIFAR-10 batches hold 10,000; at most 10,000 records per CIFAR batch"
                + " file (raise with -Dvgg4j.cifar.maxRecordsPerFile=...)");
    }

    @Test
    void cifarBatchesThatAreEmptyOrLinksAreErrorsNotZeroImages() throws IOException {
        for (HostileData.NotAFile kind : HostileData.NotAFile.values()) {
            Path archive = HostileData.cifarArchiveOfNonFiles(dir.resolve(kind + "-cifar.tar.gz"), kind);
            BadDataException e = assertThrows(BadDataException.class, () -> Cifar10.open(archive));
            assertMessage(e, archive, kind == HostileData.NotAFile.EMPTY ? "data_batch_1.bin: an empty file (0 bytes)"
                    : "data_batch_1.bin is a link");
        }
        // the extracted folder: an emptied test batch
        Path folder = HostileData.cifarFolderWithEmptyTestBatch(dir.resolve("cifar-10-batches-bin"), 3);
        assertMessage(assertThrows(BadDataException.class, () -> Cifar10.open(folder)), folder, "test_batch.bin: an empty file");
    }

    // ---- sizes inferred from data -------------------------------------------------------------------

    @Test
    void aTinyIdxFileOfHugeImagesFailsFastBeforeAnyNetwork() throws IOException {
        // the 33 KB idx.gz: two 4096x4096 images; the network was sized 1x4096x4096 and died after 145 s
        Path idx = HostileData.idxOfLargeImages(dir.resolve("idx"), 2, 4096);
        assertTrue(Files.size(idx.resolve("train-images-idx3-ubyte.gz")) < 64 << 10);
        DataBundle bundle = DataSources.open(idx, null);
        assertArrayEquals(new int[] {1, 4096, 4096}, TrainingData.defaultInputShape(bundle));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrainingData.from(bundle).build());
        assertTrue(e.getMessage().contains("batches of 64 images of 1x4096x4096 from " + idx.resolve("train-images-idx3-ubyte.gz"))
                && e.getMessage().contains("raise -Xmx"), e.getMessage());
    }

    @Test
    void aCropFractionThatWouldResizeToGigapixelsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fit.eval(3, 224, 224, 0.0001));
        assertTrue(e.getMessage().contains("crop-pct must be in [0.1, 1]") && e.getMessage().contains("0.0001"), e.getMessage());
        assertEquals(0.1, Fit.eval(3, 224, 224, 0.1).cropPct());
    }

    // ---- image files --------------------------------------------------------------------------------

    @Test
    void hugeFilesThatStartLikeAPngAreSkippedAndTheEpochGoesOn() throws IOException {
        // sparse files: 3 GB and 1.5 GB that start with a PNG header (no disk space used)
        Path folder = dir.resolve("images");
        TestData.write(folder.resolve("cat/ok.png"), TestData.quadrants(16, 16), "png");
        TestData.write(folder.resolve("dog/ok.png"), TestData.quadrants(16, 16), "png");
        HostileData.sparsePng(folder.resolve("cat/huge.png"), 3_000_000_000L);
        HostileData.sparsePng(folder.resolve("dog/big.png"), 1_500_000_000L);
        // a very long, thin image: small as a file, enormous once its short side is scaled to the crop
        TestData.write(folder.resolve("cat/thin.png"), new BufferedImage(20_000, 1, BufferedImage.TYPE_INT_RGB), "png");
        ImageFolder images = ImageFolder.open(folder);
        SkippedFiles skipped = new SkippedFiles();
        int seen = 0;
        try (ImageBatches b = ImageBatches.builder(images).batchSize(8).fit(Fit.eval(3, 224, 224)).preprocessing(Preprocessing.unitScale())
                .skipped(skipped).build()) {
            while (b.hasNext()) {
                seen += b.next().numExamples();
            }
        }
        assertEquals(2, seen, "the good images are read");
        Map<String, String> reasons = new LinkedHashMap<>();
        skipped.entries().forEach(e -> reasons.put(e.id(), e.reason()));
        assertEquals("3,000,000,000 bytes; at most 67,108,864 bytes per image file (raise with -Dvgg4j.maxImageBytes=...)",
                reasons.get("cat/huge.png"));
        assertTrue(reasons.get("dog/big.png").startsWith("1,500,000,000 bytes"), reasons.toString());
        assertTrue(reasons.get("cat/thin.png").contains("would be resized to") && reasons.get("cat/thin.png").contains("pixels per image"),
                reasons.toString());
    }

    @Test
    @Timeout(60)
    void namedPipesAreRefusedByTypeWithoutOpeningThem() throws Exception {
        Path fifo = dir.resolve("photo.jpg");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "skipped: no mkfifo here");
        // named directly (vgg predict photo.jpg): skipped, and with nothing else to predict an error; no hang
        BadDataException direct = assertThrows(BadDataException.class, () -> ImageFolder.files(List.of(fifo)));
        assertTrue(direct.getMessage().contains(fifo.toString()) && direct.getMessage().contains("not a regular file"), direct.getMessage());
        // in a folder: listed as skipped
        Path folder = dir.resolve("f");
        TestData.jpeg(folder.resolve("cat/a.jpg"), 0, 8);
        TestData.jpeg(folder.resolve("dog/b.jpg"), 0, 8);
        assertEquals(0, new ProcessBuilder("mkfifo", folder.resolve("dog/pipe.jpg").toString()).start().waitFor());
        ImageFolder f = ImageFolder.open(folder);
        assertEquals(2, f.size());
        assertTrue(f.skippedWhileListing().stream().anyMatch(e -> e.id().equals("dog/pipe.jpg") && e.reason().contains("named pipe")));
        // as the data path, and as a CIFAR batch
        assertMessage(assertThrows(BadDataException.class, () -> DataSources.open(fifo, null)), fifo, "not a regular file");
        Path cifar = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        assertEquals(0, new ProcessBuilder("mkfifo", cifar.resolve("data_batch_1.bin").toString()).start().waitFor());
        assertMessage(assertThrows(BadDataException.class, () -> DataSources.open(cifar, DataFormat.CIFAR10)),
                cifar.resolve("data_batch_1.bin"), "not a regular file");
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertMessage(assertThrows(BadDataException.class, () -> DataSources.open(zero, null)), zero, "not a regular file");
        }
    }

    @Test
    void predictingWhenNoImageCanBeReadIsAnErrorNotAnEmptyResult() throws IOException {
        Path bad = Files.write(Files.createDirectories(dir.resolve("test1")).resolve("1.jpg"),
                new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2, 3, (byte) 0xFF, (byte) 0xD9});
        Predictor p = new Predictor(VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(2).head(Head.cifar()).widthMultiplier(0.0625)
                .buildNetwork(), new ModelInfo("vgg11", new int[] {3, 32, 32}, List.of("cat", "dog"), Preprocessing.unitScale()));
        BadDataException e = assertThrows(BadDataException.class, () -> p.predict(List.of(bad), 0.875));
        assertTrue(e.getMessage().contains("no image of") && e.getMessage().contains("1.jpg"), e.getMessage());
    }

    // ---- Kaggle -------------------------------------------------------------------------------------

    @Test
    void aProbabilityFileNeedsABinaryModelOrANamedPositiveClass() {
        List<String> ten = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
        List<Predictor.Prediction> p = List.of(new Predictor.Prediction("test1/1.jpg", new double[] {.1, .1, .1, .1, .1, .1, .1, .1, .1, .1}, ten));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KaggleSubmission.rows(ten, p, null));
        assertTrue(e.getMessage().contains("has 10 classes") && e.getMessage().contains("positive class"), e.getMessage());
        assertEquals(List.of(new KaggleSubmission.Row("1", 0.1)), KaggleSubmission.rows(ten, p, "c3"));
        assertThrows(IllegalArgumentException.class, () -> KaggleSubmission.rows(ten, p, "dog"));
        List<String> catsDogs = List.of("cat", "dog");
        assertEquals(List.of(new KaggleSubmission.Row("7", 0.75)), KaggleSubmission.rows(catsDogs,
                List.of(new Predictor.Prediction("test1/7.jpg", new double[] {0.25, 0.75}, catsDogs)), null));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static TarArchiveOutputStream tar(Path file) throws IOException {
        return HostileData.tarGz(file, Deflater.BEST_SPEED);
    }

    private static void zeros(OutputStream out, long n) throws IOException {
        HostileData.zeros(out, n);
    }

    private static void assertMessage(Throwable e, Path file, String what) {
        String m = e.getMessage();
        assertTrue(m != null && m.contains(file.toString()) && m.contains(what), "expected " + file + " and '" + what + "' in: " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
    }

    /** No byte of the refused data is left: no files, no temporary extraction folders. */
    private static void assertNothingLeftIn(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            List<Path> files = all.filter(p -> !Files.isDirectory(p) || p.getFileName().toString().contains("extracting")).toList();
            assertEquals(List.of(), files, "left behind in the dataset cache");
        }
    }
}
