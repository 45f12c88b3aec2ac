package io.github.vgg4j.core.io;

import java.util.Arrays;
import java.util.Locale;

/**
 * How raw pixels (0..255) become network input, saved with every model so that training,
 * evaluation and prediction can never disagree: channels are put in {@code channelOrder}, then
 * {@code value = (pixel * scale - mean[c]) / std[c]}. A {@code mean}/{@code std} of length 1 applies
 * to every channel. vgg-datavec turns this description into a DataVec pre-processor.
 */
public record Preprocessing(String name, ChannelOrder channelOrder, double scale, double[] mean, double[] std) {

    public enum ChannelOrder { RGB, BGR }

    public Preprocessing {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("preprocessing '" + name + "': mean has " + mean.length
                    + " values but std has " + std.length);
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("preprocessing '" + name + "': std values must be > 0, got "
                        + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Pixels scaled to [0, 1], nothing else. */
    public static Preprocessing unitScale() {
        return new Preprocessing("unit-scale", ChannelOrder.RGB, 1 / 255.0, new double[] {0}, new double[] {1});
    }

    /** Caffe-style: BGR, mean subtracted in 0..255 units. DL4J's and Keras' ImageNet VGG weights. */
    public static Preprocessing caffeImagenet() {
        return new Preprocessing("caffe-imagenet", ChannelOrder.BGR, 1.0, new double[] {103.939, 116.779, 123.68},
                new double[] {1, 1, 1});
    }

    /** torchvision / timm ImageNet weights: RGB, /255, mean 0.485 0.456 0.406, std 0.229 0.224 0.225. */
    public static Preprocessing torchvisionImagenet() {
        return new Preprocessing("torchvision-imagenet", ChannelOrder.RGB, 1 / 255.0,
                new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
    }

    /** The CIFAR-10 per-channel statistics used by the usual VGG recipe. */
    public static Preprocessing cifar10() {
        return new Preprocessing("cifar10", ChannelOrder.RGB, 1 / 255.0, new double[] {0.4914, 0.4822, 0.4465},
                new double[] {0.2471, 0.2435, 0.2616});
    }

    /** Per-channel statistics of 0..1 pixels, e.g. fitted on a training set. */
    public static Preprocessing meanStd(String name, double[] mean, double[] std) {
        return new Preprocessing(name, ChannelOrder.RGB, 1 / 255.0, mean, std);
    }

    /** Parses the names above (the command line). */
    public static Preprocessing named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "unit-scale" -> unitScale();
            case "caffe-imagenet", "caffe" -> caffeImagenet();
            case "torchvision-imagenet", "torchvision" -> torchvisionImagenet();
            case "cifar10" -> cifar10();
            default -> throw new IllegalArgumentException("unknown preprocessing '" + name
                    + "': expected unit-scale, caffe-imagenet, torchvision-imagenet or cifar10");
        };
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.name.equals(name) && p.channelOrder == channelOrder
                && p.scale == scale && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(mean) + 7 * Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return name + " (" + channelOrder + ", x" + scale + ", mean " + Arrays.toString(mean) + ", std "
                + Arrays.toString(std) + ")";
    }
}
