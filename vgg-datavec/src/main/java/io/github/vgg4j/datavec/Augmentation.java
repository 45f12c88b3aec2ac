package io.github.vgg4j.datavec;

import java.util.SplittableRandom;

/**
 * Training-time augmentation on images already at the input size: a random crop with zero padding
 * (a shift of up to {@code cropPadding} pixels each way; 4 for CIFAR-10) and a horizontal flip with
 * probability 1/2. Scale jittering happens earlier, in {@link Fit#withScaleJitter}. Every draw comes
 * from a generator seeded by (seed, epoch, example), so a run is reproducible and each epoch differs.
 */
public record Augmentation(int cropPadding, boolean horizontalFlip) {

    public Augmentation {
        if (cropPadding < 0) {
            throw new IllegalArgumentException("crop padding must be >= 0, got " + cropPadding);
        }
    }

    public static Augmentation none() {
        return new Augmentation(0, false);
    }

    /** The CIFAR-10 recipe: random crop with 4 px padding, horizontal flip. */
    public static Augmentation cifar() {
        return new Augmentation(4, true);
    }

    public boolean isNone() {
        return cropPadding == 0 && !horizontalFlip;
    }

    RawImage apply(RawImage img, SplittableRandom random) {
        if (isNone()) {
            return img;
        }
        int dy = cropPadding == 0 ? 0 : random.nextInt(2 * cropPadding + 1) - cropPadding;
        int dx = cropPadding == 0 ? 0 : random.nextInt(2 * cropPadding + 1) - cropPadding;
        boolean flip = horizontalFlip && random.nextBoolean();
        if (dx == 0 && dy == 0 && !flip) {
            return img;
        }
        int h = img.height(), w = img.width();
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int c = 0; c < img.channels(); c++) {
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                if (sy < 0 || sy >= h) {
                    continue; // padding: zeros
                }
                int src = (c * h + sy) * w;
                int dst = (c * h + y) * w;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) + dx;
                    if (sx >= 0 && sx < w) {
                        out[dst + x] = in[src + sx];
                    }
                }
            }
        }
        return new RawImage(img.channels(), h, w, out);
    }
}
