package io.github.vgg4j.datavec;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fixed-size 8-bit images held in one array (CIFAR-10 records, idx files): 60,000 CIFAR images
 * take 184 MB, Fashion-MNIST 47 MB. Reading one copies its bytes, so callers may modify them.
 */
final class InMemoryImages implements ImageDataset {
    private final String source;
    private final int channels, height, width;
    private final byte[] pixels;
    private final int[] labels;
    private final List<String> labelNames;
    private final String[] partNames;
    private final int[] partStarts;

    /**
     * @param partNames  the file each run of examples came from, for ids ("data_batch_1.bin#17")
     * @param partStarts the index of the first example of each part
     */
    InMemoryImages(String source, int channels, int height, int width, byte[] pixels, int[] labels,
                   List<String> labelNames, String[] partNames, int[] partStarts) {
        this.source = source;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.labelNames = List.copyOf(labelNames);
        this.partNames = partNames;
        this.partStarts = partStarts;
        if (pixels.length != (long) labels.length * channels * height * width) {
            throw new IllegalStateException(source + ": " + labels.length + " labels for " + pixels.length + " pixel bytes");
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public List<String> labels() {
        return labelNames;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public String id(int i) {
        int part = Arrays.binarySearch(partStarts, i);
        if (part < 0) {
            part = -part - 2;
        }
        return partNames[part] + "#" + (i - partStarts[part]);
    }

    @Override
    public RawImage read(int i, Fit fit, SplittableRandom random) {
        int n = channels * height * width;
        RawImage raw = new RawImage(channels, height, width, Arrays.copyOfRange(pixels, i * n, (i + 1) * n));
        return fit == null ? raw : fit.apply(raw, random);
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public int[] nativeShape() {
        return new int[] {channels, height, width};
    }
}
