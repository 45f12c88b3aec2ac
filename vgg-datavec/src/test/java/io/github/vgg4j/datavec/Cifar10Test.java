package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.DatasetCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class Cifar10Test {
    @TempDir
    Path dir;

    private static final String META = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";

    /** The five training batches (3 records each) and the test batch, as files in cifar-10-batches-bin/. */
    private Map<String, byte[]> distribution() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int b = 1; b <= 5; b++) {
            files.put("cifar-10-batches-bin/data_batch_" + b + ".bin", TestData.cifarBatch(new int[] {b, 9, 0}, (b - 1) * 3));
        }
        files.put("cifar-10-batches-bin/test_batch.bin", TestData.cifarBatch(new int[] {3, 5}, 100));
        files.put("cifar-10-batches-bin/batches.meta.txt", META.getBytes(StandardCharsets.US_ASCII));
        return files;
    }

    private Path extracted() throws IOException {
        for (var e : distribution().entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        return dir.resolve("cifar-10-batches-bin");
    }

    private Path archive() throws IOException {
        Path archive = dir.resolve("cifar-10-binary.tar.gz");
        TestData.tarGz(archive, distribution());
        return archive;
    }

    @Test
    void recordsDecodeWithTheRightLabelChannelOrderAndPosition() throws Exception {
        for (Path source : List.of(extracted(), archive())) {
            DataBundle cifar = Cifar10.open(source);
            assertEquals(DataFormat.CIFAR10, cifar.format());
            assertEquals(15, cifar.train().size());
            assertEquals(2, cifar.test().size());
            assertEquals("truck", cifar.labels().get(9));
            // training example 4 is data_batch_2.bin record 1: label 9, image 4
            assertEquals(9, cifar.train().label(4));
            assertEquals("data_batch_2.bin#1", cifar.train().id(4));
            RawImage img = cifar.train().read(4, null, new SplittableRandom(0));
            assertEquals(3, img.channels());
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        assertEquals(TestData.cifarPixel(4, c, y, x), img.get(c, y, x), "c" + c + " y" + y + " x" + x);
                    }
                }
            }
            assertEquals(5, cifar.test().label(1));
            assertEquals(TestData.cifarPixel(101, 2, 31, 0), cifar.test().read(1, null, null).get(2, 31, 0));
            assertArrayEquals(new int[] {3, 32, 32}, cifar.train().nativeShape());
        }
    }

    @Test
    void theDefaultNamesAreUsedWithoutBatchesMeta() throws IOException {
        Path folder = extracted();
        Files.delete(folder.resolve("batches.meta.txt"));
        assertEquals(Cifar10.DEFAULT_LABELS, Cifar10.open(folder).labels());
    }

    @Test
    void aBatchThatIsNotWholeRecordsNamesTheFileAndOffset() throws IOException {
        Path folder = extracted();
        byte[] batch = Files.readAllBytes(folder.resolve("data_batch_3.bin"));
        Files.write(folder.resolve("data_batch_3.bin"), java.util.Arrays.copyOf(batch, batch.length - 1));
        BadDataException e = assertThrows(BadDataException.class, () -> Cifar10.open(folder));
        assertTrue(e.getMessage().contains("data_batch_3.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset 6146"), e.getMessage()); // the third record starts at 2 * 3073
        assertTrue(e.getMessage().contains("3072 of 3073"), e.getMessage());
    }

    @Test
    void aLabelOutsideZeroToNineNamesRecordAndValue() throws IOException {
        Path folder = extracted();
        Files.write(folder.resolve("test_batch.bin"), TestData.cifarBatch(new int[] {1, 12}, 0));
        BadDataException e = assertThrows(BadDataException.class, () -> Cifar10.open(folder));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("record 1")
                && e.getMessage().contains("byte offset 3073") && e.getMessage().contains("label 12"), e.getMessage());
    }

    @Test
    void aTruncatedArchiveEntryIsReportedNotRead() throws IOException {
        Map<String, byte[]> files = distribution();
        files.put("cifar-10-batches-bin/data_batch_1.bin", new byte[3073 * 2 + 100]);
        Path archive = dir.resolve("cifar-10-binary.tar.gz");
        TestData.tarGz(archive, files);
        BadDataException e = assertThrows(BadDataException.class, () -> Cifar10.open(archive));
        assertTrue(e.getMessage().contains("data_batch_1.bin") && e.getMessage().contains("byte offset 6146"), e.getMessage());
    }

    @Test
    void otherFilesAreNotTakenForCifar() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(BadDataException.class, () -> Cifar10.open(empty));
        Path notGzip = Files.writeString(dir.resolve("cifar-10-python.tar.gz"), "not an archive");
        BadDataException e = assertThrows(BadDataException.class, () -> Cifar10.open(notGzip));
        assertTrue(e.getMessage().contains("cifar-10-python.tar.gz"), e.getMessage());
    }

    @Test
    void locateUsesTheCacheAndOfflineSaysWhatToPutWhere() throws IOException {
        Path cache = Files.createDirectory(dir.resolve("cache"));
        System.setProperty(DatasetCache.PROPERTY, cache.toString());
        System.setProperty(io.github.vgg4j.core.internal.Downloads.OFFLINE, "true");
        try {
            IOException e = assertThrows(IOException.class, Cifar10::locate);
            assertTrue(e.getMessage().contains(cache.resolve("cifar-10-binary.tar.gz").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("c32a1d4ab5d03f1284b67883e8d87530"), e.getMessage());
            // An extracted copy in the cache is found without any download.
            Files.move(extracted(), cache.resolve("cifar-10-batches-bin"));
            assertEquals(cache.resolve("cifar-10-batches-bin"), Cifar10.locate());
        } finally {
            System.clearProperty(DatasetCache.PROPERTY);
            System.clearProperty(io.github.vgg4j.core.internal.Downloads.OFFLINE);
        }
    }
}
