package io.github.vgg4j.core;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Test support: a small image-classification task that needs spatial features to solve. Each
 * image holds one shape at a random position and size, with random contrast and Gaussian noise:
 * 0 horizontal bar, 1 vertical bar, 2 hollow square, 3 filled disc. Pixel statistics alone
 * (brightness, area) do not separate the classes reliably; a convolutional network can.
 */
public final class ShapesTask {
    public static final int CLASSES = 4;

    private ShapesTask() {
    }

    public static DataSet generate(int n, int channels, int size, long seed) {
        Random r = new Random(seed);
        float[] pixels = new float[n * channels * size * size];
        INDArray labels = Nd4j.zeros(n, CLASSES);
        for (int i = 0; i < n; i++) {
            int label = i % CLASSES;
            labels.putScalar(i, label, 1);
            float[] img = draw(label, size, r);
            for (int c = 0; c < channels; c++) {
                float gain = 0.7f + 0.3f * r.nextFloat();
                for (int p = 0; p < size * size; p++) {
                    float v = img[p] * gain + (float) (0.15 * r.nextGaussian());
                    pixels[(i * channels + c) * size * size + p] = v;
                }
            }
        }
        INDArray features = Nd4j.create(pixels, new long[] {n, channels, size, size}, 'c');
        DataSet ds = new DataSet(features, labels);
        ds.shuffle(seed);
        return ds;
    }

    private static float[] draw(int label, int size, Random r) {
        float[] img = new float[size * size];
        int len = size / 3 + r.nextInt(size / 3);
        int thick = 2 + r.nextInt(2);
        int x0 = r.nextInt(size - len), y0 = r.nextInt(size - len);
        switch (label) {
            case 0 -> fill(img, size, x0, y0 + len / 2, len, thick);
            case 1 -> fill(img, size, x0 + len / 2, y0, thick, len);
            case 2 -> {
                fill(img, size, x0, y0, len, 2);
                fill(img, size, x0, y0 + len - 2, len, 2);
                fill(img, size, x0, y0, 2, len);
                fill(img, size, x0 + len - 2, y0, 2, len);
            }
            default -> {
                double rad = len / 2.0, cx = x0 + rad, cy = y0 + rad;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad * 0.6) {
                            img[y * size + x] = 1;
                        }
                    }
                }
            }
        }
        return img;
    }

    private static void fill(float[] img, int size, int x0, int y0, int w, int h) {
        for (int y = Math.max(0, y0); y < Math.min(size, y0 + h); y++) {
            for (int x = Math.max(0, x0); x < Math.min(size, x0 + w); x++) {
                img[y * size + x] = 1;
            }
        }
    }
}
