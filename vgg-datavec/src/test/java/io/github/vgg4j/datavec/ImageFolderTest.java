package io.github.vgg4j.datavec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ImageFolderTest {
    @TempDir
    Path dir;

    private static final SplittableRandom RANDOM = new SplittableRandom(1);

    @Test
    void pngAndBmpDecodePixelExactInRgbOrderAtTheirPositions() throws Exception {
        for (String format : List.of("png", "bmp")) {
            Path d = dir.resolve(format);
            TestData.write(d.resolve("a/x." + format), TestData.quadrants(8, 8), format);
            TestData.write(d.resolve("b/y." + format), TestData.quadrants(8, 8), format);
            ImageFolder folder = ImageFolder.open(d);
            RawImage img = folder.read(0, Fit.eval(3, 8, 8, 1), RANDOM);
            int[][] expected = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}}; // TL, TR, BL, BR
            int[][] at = {{1, 1}, {1, 6}, {6, 1}, {6, 6}};
            for (int q = 0; q < 4; q++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(expected[q][c], img.get(c, at[q][0], at[q][1]), format + " quadrant " + q + " channel " + c);
                }
            }
        }
    }

    @Test
    void jpegDecodesToTheRightColoursWithinCompressionError() throws Exception {
        TestData.write(dir.resolve("cat.0.jpg"), TestData.quadrants(32, 32), "jpg");
        TestData.jpeg(dir.resolve("dog.0.jpg"), 0x204060, 16);
        ImageFolder folder = ImageFolder.open(dir);
        RawImage q = folder.read(0, Fit.eval(3, 32, 32, 1), RANDOM);
        assertTrue(q.get(0, 4, 4) > 240 && q.get(1, 4, 4) < 15 && q.get(2, 4, 4) < 15, "top-left is red");
        assertTrue(q.get(2, 28, 4) > 240 && q.get(0, 28, 4) < 15, "bottom-left is blue");
        RawImage solid = folder.read(1, Fit.eval(3, 16, 16, 1), RANDOM);
        assertEquals(0x20, solid.get(0, 8, 8), 3);
        assertEquals(0x40, solid.get(1, 8, 8), 3);
        assertEquals(0x60, solid.get(2, 8, 8), 3);
    }

    @Test
    void greyCmykAndAlphaImagesBecomeRgb() throws Exception {
        copyResource("red-cmyk.jpg", dir.resolve("cmyk.0.jpg"));
        copyResource("grey-alpha.png", dir.resolve("greyalpha.0.png"));
        copyResource("green-alpha.png", dir.resolve("rgba.0.png"));
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(3, 3, 0, 77);
        TestData.write(dir.resolve("grey.0.png"), grey, "png");
        ImageFolder folder = ImageFolder.open(dir);
        assertEquals(List.of("cmyk", "grey", "greyalpha", "rgba"), folder.labels());
        Fit rgb = Fit.eval(3, 16, 16, 1);
        RawImage cmyk = folder.read(0, rgb, RANDOM);
        assertEquals(3, cmyk.channels());
        assertTrue(cmyk.get(0, 8, 8) > 230 && cmyk.get(1, 8, 8) < 30 && cmyk.get(2, 8, 8) < 30,
                "CMYK (0,255,255,0) is red, got " + cmyk.get(0, 8, 8) + "," + cmyk.get(1, 8, 8) + "," + cmyk.get(2, 8, 8));
        RawImage g = folder.read(1, rgb, RANDOM);
        assertEquals(List.of(77, 77, 77), List.of(g.get(0, 3, 3), g.get(1, 3, 3), g.get(2, 3, 3)));
        RawImage la = folder.read(2, rgb, RANDOM);
        assertEquals(List.of(200, 200, 200), List.of(la.get(0, 5, 5), la.get(1, 5, 5), la.get(2, 5, 5)));
        RawImage rgba = folder.read(3, rgb, RANDOM);
        assertEquals(List.of(10, 200, 30), List.of(rgba.get(0, 5, 5), rgba.get(1, 5, 5), rgba.get(2, 5, 5)));
        RawImage asGrey = folder.read(3, Fit.eval(1, 16, 16, 1), RANDOM);
        assertEquals(1, asGrey.channels());
    }

    @Test
    void kaggleNamesGiveLabelsBeforeTheFirstDot() throws IOException {
        TestData.jpeg(dir.resolve("dog.12.jpg"), 0x808080, 8);
        TestData.jpeg(dir.resolve("cat.0.jpg"), 0x808080, 8);
        TestData.jpeg(dir.resolve("cat.1.jpg"), 0x808080, 8);
        ImageFolder folder = ImageFolder.open(dir);
        assertEquals(ImageFolder.Layout.KAGGLE, folder.layout());
        assertEquals(List.of("cat", "dog"), folder.labels());
        int[] labels = new int[folder.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = folder.label(i);
        }
        assertEquals(2, Arrays.stream(labels).filter(l -> l == 0).count());
        assertTrue(folder.id(folder.size() - 1).startsWith("dog.12"));
    }

    @Test
    void classFoldersAreSortedLikeTorchvision() throws IOException {
        for (String c : List.of("zebra", "ant", "Moose")) {
            TestData.jpeg(dir.resolve(c).resolve("a.jpg"), 0x808080, 8);
            TestData.jpeg(dir.resolve(c).resolve("sub/b.jpg"), 0x808080, 8); // nested folders belong to the class
        }
        ImageFolder folder = ImageFolder.open(dir);
        assertEquals(ImageFolder.Layout.CLASS_FOLDERS, folder.layout());
        assertEquals(List.of("Moose", "ant", "zebra"), folder.labels()); // Python's sorted(): upper case first
        assertEquals(6, folder.size());
        assertEquals("Moose/a.jpg", folder.id(0));
        assertEquals(0, folder.label(1));
        assertEquals(2, folder.label(5));
    }

    @Test
    void unlabelledFoldersUseTheBaseNameAsId() throws IOException {
        TestData.jpeg(dir.resolve("10.jpg"), 0x808080, 8);
        TestData.jpeg(dir.resolve("2.jpg"), 0x808080, 8);
        ImageFolder folder = ImageFolder.open(dir);
        assertEquals(ImageFolder.Layout.UNLABELED, folder.layout());
        assertEquals(List.of(), folder.labels());
        assertEquals(-1, folder.label(0));
        assertEquals(List.of("10", "2"), List.of(folder.id(0), folder.id(1)));
    }

    @Test
    void badFilesAreSkippedAndReportedByNameAndReason() throws Exception {
        TestData.jpeg(dir.resolve("cat.0.jpg"), 0x808080, 8);
        TestData.jpeg(dir.resolve("dog.0.jpg"), 0x808080, 8);
        Files.createFile(dir.resolve("cat.1.jpg"));                                   // zero bytes
        Files.writeString(dir.resolve("dog.1.jpg"), "<html>not an image</html>");      // wrong content
        Files.writeString(dir.resolve("notes.txt"), "hello");                           // not an image file
        byte[] jpeg = TestData.encode(TestData.quadrants(64, 64), "jpg");
        Files.write(dir.resolve("cat.2.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));     // truncated
        byte[] corrupt = jpeg.clone();
        Arrays.fill(corrupt, 4, corrupt.length - 2, (byte) 0x00);                        // signature and end marker kept, the rest destroyed
        Files.write(dir.resolve("dog.2.jpg"), corrupt);

        ImageFolder folder = ImageFolder.open(dir);
        SkippedFiles scanned = folder.skipped();
        assertEquals(3, scanned.count(), scanned.toString());
        assertTrue(scanned.contains("cat.1.jpg") && scanned.contains("dog.1.jpg") && scanned.contains("notes.txt"));
        assertTrue(scanned.entries().stream().anyMatch(e -> e.reason().contains("zero-byte")));
        assertEquals(4, folder.size()); // cat.0, cat.2, dog.0, dog.2: the last two fail when decoded

        ImageDataset.BadImageException truncated = assertThrows(ImageDataset.BadImageException.class,
                () -> folder.read(indexOf(folder, "cat.2.jpg"), Fit.eval(3, 32, 32), RANDOM));
        assertTrue(truncated.reason().contains("truncated"), truncated.getMessage());
        ImageDataset.BadImageException broken = assertThrows(ImageDataset.BadImageException.class,
                () -> folder.read(indexOf(folder, "dog.2.jpg"), Fit.eval(3, 32, 32), RANDOM));
        assertTrue(broken.reason().contains("corrupt"), broken.getMessage());
    }

    @Test
    void emptyAndOneClassFoldersAreClearErrors() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        BadDataException none = assertThrows(BadDataException.class, () -> ImageFolder.open(empty));
        assertTrue(none.getMessage().contains("has no images"), none.getMessage());

        Path one = dir.resolve("one");
        TestData.jpeg(one.resolve("cat.0.jpg"), 0x808080, 8);
        TestData.jpeg(one.resolve("cat.1.jpg"), 0x808080, 8);
        BadDataException single = assertThrows(BadDataException.class, () -> ImageFolder.open(one));
        assertTrue(single.getMessage().contains("only one class ('cat', 2 images)"), single.getMessage());

        Path mixed = dir.resolve("mixed");
        TestData.jpeg(mixed.resolve("cat.0.jpg"), 0x808080, 8);
        TestData.jpeg(mixed.resolve("dog.0.jpg"), 0x808080, 8);
        TestData.jpeg(mixed.resolve("17.jpg"), 0x808080, 8);
        BadDataException mix = assertThrows(BadDataException.class, () -> ImageFolder.open(mixed));
        assertTrue(mix.getMessage().contains("mixes"), mix.getMessage());
    }

    @Test
    void aTestFolderIsReadInTheModelsLabelOrder() throws Exception {
        TestData.jpeg(dir.resolve("dog.0.jpg"), 0x808080, 8);
        TestData.jpeg(dir.resolve("cat.0.jpg"), 0x808080, 8);
        ImageDataset asModel = ImageFolder.open(dir, List.of("dog", "cat", "fox"));
        assertEquals(List.of("dog", "cat", "fox"), asModel.labels());
        assertEquals(1, asModel.label(0)); // cat.0.jpg
        assertEquals(0, asModel.label(1)); // dog.0.jpg
        BadDataException unknown = assertThrows(BadDataException.class, () -> ImageFolder.open(dir, List.of("dog", "fox")));
        assertTrue(unknown.getMessage().contains("[cat]"), unknown.getMessage());
        Files.delete(dir.resolve("dog.0.jpg"));
        assertEquals(1, ImageFolder.open(dir, List.of("dog", "cat")).size(), "a test folder may hold one class");
    }

    private static int indexOf(ImageFolder folder, String id) {
        for (int i = 0; i < folder.size(); i++) {
            if (folder.id(i).equals(id)) {
                return i;
            }
        }
        throw new AssertionError(id + " not in the folder");
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = ImageFolderTest.class.getResourceAsStream("/images/" + name)) {
            Files.copy(in, to);
        }
    }
}
