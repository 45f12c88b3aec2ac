package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.Splits;
import io.github.vgg4j.core.io.Preprocessing;

import java.util.SplittableRandom;

/** Per-channel mean and standard deviation of training images, for a fitted normalisation. */
final class ImageStatistics {

    private ImageStatistics() {
    }

    /**
     * Mean and std of pixels scaled to [0, 1], per channel, over up to {@code maxImages} of
     * {@code indices} (a seeded sample), fitted as {@code fit} says (eval geometry).
     */
    public static Preprocessing fitMeanStd(ImageDataset data, int[] indices, Fit fit, int maxImages, long seed) {
        int[] sample = Splits.limit(indices, Math.max(1, maxImages), seed);
        int c = fit.channels();
        double[] sum = new double[c];
        double[] sumSq = new double[c];
        long count = 0;
        for (int index : sample) {
            RawImage img;
            try {
                img = data.read(index, fit, new SplittableRandom(seed));
            } catch (ImageDataset.BadImageException e) {
                continue; // the iterators report it
            }
            int plane = img.height() * img.width();
            byte[] p = img.pixels();
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < plane; i++) {
                    double v = (p[ch * plane + i] & 0xff) / 255.0;
                    sum[ch] += v;
                    sumSq[ch] += v * v;
                }
            }
            count += plane;
        }
        if (count == 0) {
            throw new IllegalArgumentException("no readable image in " + data.source() + " to fit a normalisation on");
        }
        double[] mean = new double[c];
        double[] std = new double[c];
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = sum[ch] / count;
            std[ch] = Math.max(1e-3, Math.sqrt(Math.max(0, sumSq[ch] / count - mean[ch] * mean[ch])));
        }
        return Preprocessing.meanStd("fitted", mean, std);
    }
}
