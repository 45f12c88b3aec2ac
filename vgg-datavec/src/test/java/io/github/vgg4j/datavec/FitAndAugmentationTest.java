package io.github.vgg4j.datavec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class FitAndAugmentationTest {
    @TempDir
    Path dir;

    private static RawImage ramp(int c, int h, int w) {
        byte[] p = new byte[c * h * w];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    p[(k * h + y) * w + x] = (byte) (k * 100 + y * 8 + x);
                }
            }
        }
        return new RawImage(c, h, w, p);
    }

    @Test
    void smallerImagesArePaddedAroundTheCentre() {
        RawImage mnist = ramp(1, 28, 28);
        RawImage padded = Fit.eval(1, 32, 32).withPadding().apply(mnist, new SplittableRandom(0));
        assertEquals(32, padded.height());
        assertEquals(0, padded.get(0, 0, 0));
        assertEquals(0, padded.get(0, 1, 5));
        assertEquals(mnist.get(0, 0, 0), padded.get(0, 2, 2));
        assertEquals(mnist.get(0, 27, 27), padded.get(0, 29, 29));
        assertEquals(0, padded.get(0, 30, 30));
    }

    @Test
    void withoutPaddingSmallerImagesAreEnlargedAsFilesAre() {
        RawImage enlarged = Fit.eval(1, 32, 32, 1).apply(ramp(1, 28, 28), new SplittableRandom(0));
        assertEquals(32, enlarged.height());
        assertNotEquals(0, enlarged.get(0, 31, 31), "no zero border: the image fills the input");
    }

    @Test
    void imagesAtTheInputSizeAreUnchangedUnlessTheCropZoomsIn() {
        RawImage img = ramp(3, 32, 32);
        assertSame(img, Fit.eval(3, 32, 32, 1).apply(img, new SplittableRandom(0)));
        assertSame(img, Fit.eval(3, 32, 32, 1).withPadding().apply(img, new SplittableRandom(0)));
        // crop 0.875 resizes to 37 and takes the centre 32: what a file of that image gets too
        RawImage zoomed = Fit.eval(3, 32, 32).apply(img, new SplittableRandom(0));
        assertNotEquals(img.get(0, 0, 0), zoomed.get(0, 0, 0));
    }

    @Test
    void aFileIsFittedExactlyAsTheSameImageInMemory() throws Exception {
        // an idx-style 28x28 grey image, written as PNG: padded (or enlarged) exactly as the in-memory one
        RawImage mnist = ramp(1, 28, 28);
        java.awt.image.BufferedImage png = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        png.getRaster().setDataElements(0, 0, 28, 28, mnist.pixels());
        TestData.write(dir.resolve("x.png"), png, "png");
        ImageFolder file = ImageFolder.files(java.util.List.of(dir.resolve("x.png")));
        for (Fit fit : new Fit[] {Fit.eval(1, 32, 32, 1).withPadding(), Fit.eval(1, 32, 32, 1), Fit.eval(1, 32, 32),
                Fit.eval(3, 32, 32, 1).withPadding()}) {
            RawImage fromFile = file.read(0, fit, new SplittableRandom(0));
            RawImage inMemory = fit.apply(mnist, new SplittableRandom(0));
            assertArrayEquals(inMemory.pixels(), fromFile.pixels(), fit.toString());
        }
    }

    @Test
    void aSavedModelCarriesItsEvaluationTransform() throws Exception {
        java.util.List<String> labels = java.util.List.of("a", "b");
        var preprocessing = io.github.vgg4j.core.io.Preprocessing.unitScale();
        var idx = new io.github.vgg4j.core.io.ModelInfo("m", new int[] {1, 32, 32}, labels, preprocessing,
                java.util.Map.of(TrainingData.EVAL_CROP_PCT, "1.0", TrainingData.EVAL_PAD, "true"));
        assertEquals(Fit.eval(1, 32, 32, 1).withPadding(), TrainingData.evalFit(idx));
        assertEquals(Fit.eval(1, 32, 32, 0.9).withPadding(), TrainingData.evalFit(idx, 0.9), "an override keeps the padding");
        var folder = new io.github.vgg4j.core.io.ModelInfo("m", new int[] {3, 64, 64}, labels, preprocessing,
                java.util.Map.of(TrainingData.EVAL_CROP_PCT, "0.875", TrainingData.EVAL_PAD, "false"));
        assertEquals(Fit.eval(3, 64, 64), TrainingData.evalFit(folder));
        // saved before the padding was recorded: an idx model padded; imported weights: torchvision's 0.875 crop
        var older = new io.github.vgg4j.core.io.ModelInfo("m", new int[] {1, 32, 32}, labels, preprocessing,
                java.util.Map.of(TrainingData.EVAL_CROP_PCT, "1.0", TrainingData.FORMAT, "idx"));
        assertEquals(Fit.eval(1, 32, 32, 1).withPadding(), TrainingData.evalFit(older));
        var imported = new io.github.vgg4j.core.io.ModelInfo("m", new int[] {3, 224, 224}, labels, preprocessing);
        assertEquals(Fit.eval(3, 224, 224), TrainingData.evalFit(imported));
    }

    @Test
    void greyBecomesRgbByRepeatingTheChannel() {
        RawImage rgb = Fit.eval(3, 8, 8).apply(ramp(1, 8, 8), new SplittableRandom(0));
        assertEquals(3, rgb.channels());
        assertEquals(rgb.get(0, 3, 4), rgb.get(2, 3, 4));
    }

    @Test
    void evalResizesTheShorterSideToSizeOverCropPctAndCropsTheCentre() throws Exception {
        // 200x100 quadrant image (wide): shorter side 100 -> 64 / 0.5 = 128, so 256x128, centre 64x64 crop
        TestData.write(dir.resolve("a/x.png"), TestData.quadrants(200, 100), "png");
        TestData.write(dir.resolve("b/x.png"), TestData.quadrants(200, 100), "png");
        ImageFolder f = ImageFolder.open(dir);
        RawImage img = f.read(0, Fit.eval(3, 64, 64, 0.5), new SplittableRandom(0));
        assertEquals(64, img.width());
        // the centre crop straddles all four quadrants
        assertEquals(255, img.get(0, 10, 10)); // red, top-left
        assertEquals(255, img.get(1, 10, 54)); // green, top-right
        assertEquals(255, img.get(2, 54, 10)); // blue, bottom-left
        assertEquals(255, img.get(1, 54, 54)); // white
    }

    @Test
    void scaleJitterDrawsTheShorterSideFromTheRange() {
        Fit fit = Fit.train(3, 224, 224).withScaleJitter(256, 512);
        Set<Integer> scales = new HashSet<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            int s = fit.scale(r);
            assertTrue(s >= 256 && s <= 512, "S = " + s);
            scales.add(s);
        }
        assertTrue(scales.size() > 100);
        assertEquals(256, Fit.train(3, 224, 224).scale(r)); // single-scale training: 224 / 0.875
        assertThrows(IllegalArgumentException.class, () -> Fit.train(3, 224, 224).withScaleJitter(200, 512));
    }

    @Test
    void randomCropWithPaddingShiftsAndFlipMirrors() {
        RawImage img = ramp(3, 32, 32);
        Augmentation flipOnly = new Augmentation(0, true);
        RawImage flipped = null;
        for (long seed = 0; flipped == null; seed++) {
            RawImage out = flipOnly.apply(img, new SplittableRandom(seed));
            if (out != img) {
                flipped = out;
            }
        }
        assertEquals(img.get(1, 5, 0), flipped.get(1, 5, 31));
        assertEquals(img.get(2, 7, 31), flipped.get(2, 7, 0));

        Augmentation crop = new Augmentation(4, false);
        Set<String> shifts = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            RawImage out = crop.apply(img, new SplittableRandom(seed));
            // find the shift: out(y, x) = img(y + dy, x + dx)
            int dy = -99, dx = -99;
            search:
            for (int sy = -4; sy <= 4; sy++) {
                for (int sx = -4; sx <= 4; sx++) {
                    if (out.get(0, 10, 10) == img.get(0, 10 + sy, 10 + sx) && out.get(0, 20, 21) == img.get(0, 20 + sy, 21 + sx)) {
                        dy = sy;
                        dx = sx;
                        break search;
                    }
                }
            }
            assertTrue(Math.abs(dy) <= 4 && Math.abs(dx) <= 4, "shift within the padding");
            if (dy > 0) {
                assertEquals(0, out.get(0, 31, 10), "rows shifted in from outside are zero");
            }
            shifts.add(dy + "," + dx);
        }
        assertTrue(shifts.size() > 40, "many of the 81 shifts occur: " + shifts.size());
        // the same seed gives the same crop
        assertArrayEquals(crop.apply(img, new SplittableRandom(9)).pixels(), crop.apply(img, new SplittableRandom(9)).pixels());
    }
}
