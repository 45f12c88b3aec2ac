package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.DatasetCache;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class DataSourcesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void cache() throws IOException {
        System.setProperty(DatasetCache.PROPERTY, Files.createDirectories(dir.resolve("cache")).toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty(DatasetCache.PROPERTY);
    }

    @Test
    void eachLayoutIsDetected() throws IOException {
        Path cifar = Files.createDirectories(dir.resolve("c/cifar-10-batches-bin"));
        Files.write(cifar.resolve("data_batch_1.bin"), TestData.cifarBatch(new int[] {1, 2}, 0));
        assertEquals(DataFormat.CIFAR10, DataSources.open(cifar, null).format());
        assertEquals(DataFormat.CIFAR10, DataSources.open(dir.resolve("c"), null).format());

        Path idx = Files.createDirectories(dir.resolve("idx"));
        TestData.idxImages(idx.resolve("train-images-idx3-ubyte.gz"), 2, 28, 28, new byte[2 * 784], true);
        TestData.idxLabels(idx.resolve("train-labels-idx1-ubyte.gz"), new int[] {0, 1}, true);
        assertEquals(DataFormat.IDX, DataSources.open(idx, null).format());

        Path kaggle = dir.resolve("kaggle");
        TestData.jpeg(kaggle.resolve("cat.0.jpg"), 0, 8);
        TestData.jpeg(kaggle.resolve("dog.0.jpg"), 0, 8);
        assertEquals(DataFormat.KAGGLE, DataSources.open(kaggle, null).format());

        Path folders = dir.resolve("folders");
        TestData.jpeg(folders.resolve("a/0.jpg"), 0, 8);
        TestData.jpeg(folders.resolve("b/0.jpg"), 0, 8);
        DataBundle f = DataSources.open(folders, null);
        assertEquals(DataFormat.FOLDER, f.format());
        assertFalse(f.hasTest());

        assertThrows(BadDataException.class, () -> DataSources.open(dir.resolve("nothing-here"), null));
        BadDataException forced = assertThrows(BadDataException.class, () -> DataSources.open(kaggle, DataFormat.IDX));
        assertTrue(forced.getMessage().contains("no idx image files"), forced.getMessage());
    }

    @Test
    void trainAndTestFoldersShareTheTrainingLabelOrderAndKaggleTest1IsUnlabelled() throws IOException {
        Path root = dir.resolve("dogs-vs-cats");
        TestData.jpeg(root.resolve("train/cat.0.jpg"), 0, 8);
        TestData.jpeg(root.resolve("train/dog.0.jpg"), 0, 8);
        TestData.jpeg(root.resolve("val/dog.5.jpg"), 0, 8);
        TestData.jpeg(root.resolve("val/zebra.1.jpg"), 0, 8); // a class the training set lacks
        TestData.jpeg(root.resolve("test1/1.jpg"), 0, 8);
        BadDataException e = assertThrows(BadDataException.class, () -> DataSources.open(root, null));
        assertTrue(e.getMessage().contains("zebra"), e.getMessage());

        Files.delete(root.resolve("val/zebra.1.jpg"));
        DataBundle b = DataSources.open(root, null); // a validation folder of one class is fine
        assertEquals(List.of("cat", "dog"), b.test().labels());
        assertEquals(1, b.test().label(0));
        assertEquals(1, b.unlabeled().size());
        assertEquals("1", b.unlabeled().id(0));
    }

    @Test
    void archivesAreExtractedOnceIntoTheCache() throws IOException {
        Path zip = dir.resolve("train.zip");
        zip(zip, Map.of("train/cat.0.jpg", TestData.encode(TestData.quadrants(8, 8), "jpg"),
                "train/dog.0.jpg", TestData.encode(TestData.quadrants(8, 8), "jpg")));
        DataBundle b = DataSources.open(zip, null);
        assertEquals(List.of("cat", "dog"), b.labels());
        assertEquals(2, b.train().size());
        assertEquals(b.train().source(), DataSources.open(zip, null).train().source(), "the extracted copy is reused");
    }

    @Test
    void anEntryThatWouldEscapeTheTargetIsRefusedAndNothingIsLeft() throws IOException {
        Path evil = dir.resolve("evil.zip");
        zip(evil, Map.of("train/cat.0.jpg", new byte[] {1}, "../../escaped.txt", "gotcha".getBytes(StandardCharsets.UTF_8)));
        BadDataException e = assertThrows(BadDataException.class, () -> Archives.extract(evil, dir.resolve("out")));
        assertTrue(e.getMessage().contains("'../../escaped.txt'") && e.getMessage().contains("outside"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("escaped.txt")));
        assertFalse(Files.exists(dir.getParent().resolve("escaped.txt")));
        assertFalse(Files.exists(dir.resolve("out")));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("extracting")), "temporary folder removed");
        }

        Path tar = dir.resolve("evil.tar.gz");
        TestData.tarGz(tar, Map.of("train/../../../up.txt", new byte[] {1}));
        BadDataException t = assertThrows(BadDataException.class, () -> Archives.extract(tar, dir.resolve("out2")));
        assertTrue(t.getMessage().contains("up.txt"), t.getMessage());

        Path link = dir.resolve("link.tar");
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(link))) {
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("train/cat.0.jpg",
                    org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
            entry.setLinkName("/etc/passwd");
            out.putArchiveEntry(entry);
            out.closeArchiveEntry();
        }
        BadDataException l = assertThrows(BadDataException.class, () -> Archives.extract(link, dir.resolve("out3")));
        assertTrue(l.getMessage().contains("link"), l.getMessage());
    }

    private static void zip(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                out.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
                out.write(e.getValue());
                out.closeArchiveEntry();
            }
        }
    }
}
