package io.github.vgg4j.datavec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IdxTest {
    @TempDir
    Path dir;

    private static byte[] pixels(int count, int rows, int cols) {
        byte[] p = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    p[(i * rows + y) * cols + x] = (byte) (i * 31 + y * 5 + x);
                }
            }
        }
        return p;
    }

    private Path folder(String name, boolean gzip) throws IOException {
        Path f = Files.createDirectories(dir.resolve(name));
        String ext = gzip ? ".gz" : "";
        TestData.idxImages(f.resolve("train-images-idx3-ubyte" + ext), 4, 28, 28, pixels(4, 28, 28), gzip);
        TestData.idxLabels(f.resolve("train-labels-idx1-ubyte" + ext), new int[] {7, 0, 9, 3}, gzip);
        TestData.idxImages(f.resolve("t10k-images-idx3-ubyte" + ext), 2, 28, 28, pixels(2, 28, 28), gzip);
        TestData.idxLabels(f.resolve("t10k-labels-idx1-ubyte" + ext), new int[] {1, 2}, gzip);
        return f;
    }

    @Test
    void imagesAndLabelsDecodeExactlyRawAndGzipped() throws Exception {
        for (boolean gzip : new boolean[] {false, true}) {
            DataBundle b = Idx.open(folder("mnist-" + gzip, gzip));
            assertEquals(DataFormat.IDX, b.format());
            assertEquals(4, b.train().size());
            assertEquals(2, b.test().size());
            assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), b.labels());
            assertEquals(9, b.train().label(2));
            RawImage img = b.train().read(2, null, null);
            assertEquals(1, img.channels());
            assertEquals(28, img.height());
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    assertEquals((2 * 31 + y * 5 + x) & 0xff, img.get(0, y, x));
                }
            }
            assertArrayEquals(new int[] {1, 28, 28}, b.train().nativeShape());
        }
    }

    @Test
    void fashionNamesComeFromThePathAndLabelsTxtOverrides() throws IOException {
        assertEquals(Idx.FASHION_LABELS, Idx.open(folder("fashion-mnist", true)).labels());
        Path custom = folder("custom", false);
        Files.writeString(custom.resolve("labels.txt"), String.join("\n", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
        assertEquals("j", Idx.open(custom).labels().get(9));
    }

    @Test
    void aWrongMagicNumberOrDimensionCountIsNamed() throws IOException {
        Path f = folder("bad-magic", false);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(f.resolve("train-images-idx3-ubyte")))) {
            out.writeInt(0x12345678);
        }
        BadDataException magic = assertThrows(BadDataException.class, () -> Idx.open(f));
        assertTrue(magic.getMessage().contains("train-images-idx3-ubyte") && magic.getMessage().contains("0x12345678"), magic.getMessage());

        Path g = folder("bad-dims", false);
        TestData.idxLabels(g.resolve("train-images-idx3-ubyte"), new int[] {1, 2, 3, 4}, false); // a label file named as images
        BadDataException dims = assertThrows(BadDataException.class, () -> Idx.open(g));
        assertTrue(dims.getMessage().contains("1 dimension(s)") && dims.getMessage().contains("expected 3"), dims.getMessage());
    }

    @Test
    void aHeaderClaimingTwoBillionImagesFailsWithoutAllocatingThem() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path f = folder("huge-" + gzip, gzip);
            String ext = gzip ? ".gz" : "";
            TestData.idxImages(f.resolve("train-images-idx3-ubyte" + ext), Integer.MAX_VALUE, 28, 28, new byte[784], gzip);
            BadDataException e = assertThrows(BadDataException.class, () -> Idx.open(f));
            assertTrue(e.getMessage().contains("2147483647"), e.getMessage());
        }
        Path t = folder("truncated", true);
        TestData.idxImages(t.resolve("train-images-idx3-ubyte.gz"), 4, 28, 28, new byte[784 * 3], true);
        BadDataException e = assertThrows(BadDataException.class, () -> Idx.open(t));
        assertTrue(e.getMessage().contains("only 2352 follow"), e.getMessage());
    }

    @Test
    void dimensionsWhoseProductOverflowsALongAreRefused() throws IOException {
        // 2^21 * 2^21 * (2^22 - 1) wraps to a negative long: it once reached an array constructor
        for (boolean gzip : new boolean[] {false, true}) {
            Path f = dir.resolve("overflow-" + gzip);
            TestData.idxImages(f, 1 << 21, 1 << 21, (1 << 22) - 1, new byte[16], gzip);
            BadDataException e = assertThrows(BadDataException.class, () -> IdxFiles.readImages(f));
            assertTrue(e.getMessage().contains("more than one array can hold"), e.getMessage());
        }
    }

    @Test
    void countMismatchAndLabelRangeAreNamed() throws IOException {
        Path f = folder("mismatch", false);
        TestData.idxLabels(f.resolve("train-labels-idx1-ubyte"), new int[] {1, 2, 3}, false);
        BadDataException count = assertThrows(BadDataException.class, () -> Idx.open(f));
        assertTrue(count.getMessage().contains("4 images but") && count.getMessage().contains("3 labels"), count.getMessage());

        Path g = folder("range", false);
        TestData.idxLabels(g.resolve("train-labels-idx1-ubyte"), new int[] {1, 2, 3, 10}, false);
        BadDataException range = assertThrows(BadDataException.class, () -> Idx.open(g));
        assertTrue(range.getMessage().contains("label 3 is 10"), range.getMessage());
    }
}
