package io.github.vgg4j.core;

import java.util.Arrays;

/**
 * One VGG block: a stack of stride-1 "same" convolutions with the same channel count, followed by a
 * 2x2 max-pool. {@code kernels[i]} is the kernel size of conv {@code i+1} (3, or 1 for the 1x1
 * convolutions of configuration C).
 *
 * <pre>{@code ConvBlock.of(3, 256)          // three 3x3 convolutions with 256 channels
 * ConvBlock.withKernels(256, 3, 3, 1)  // configuration C's third block}</pre>
 */
public record ConvBlock(int channels, int[] kernels) {

    public ConvBlock {
        if (channels < 1) {
            throw new IllegalArgumentException("block channels must be >= 1, got " + channels);
        }
        if (kernels == null || kernels.length == 0) {
            throw new IllegalArgumentException("a block needs at least one convolution, got none");
        }
        for (int k : kernels) {
            if (k < 1 || k % 2 == 0) {
                throw new IllegalArgumentException("kernel sizes must be odd and >= 1 (3 or 1 in VGG), got "
                        + Arrays.toString(kernels));
            }
        }
        kernels = kernels.clone();
    }

    /** {@code numConvs} 3x3 convolutions with {@code channels} output channels. */
    public static ConvBlock of(int numConvs, int channels) {
        if (numConvs < 1) {
            throw new IllegalArgumentException("a block needs at least one convolution, got numConvs=" + numConvs);
        }
        int[] kernels = new int[numConvs];
        Arrays.fill(kernels, 3);
        return new ConvBlock(channels, kernels);
    }

    /** Convolutions with explicit kernel sizes, e.g. {@code withKernels(512, 3, 3, 1)}. */
    public static ConvBlock withKernels(int channels, int... kernels) {
        return new ConvBlock(channels, kernels);
    }

    public int numConvs() {
        return kernels.length;
    }

    @Override
    public int[] kernels() {
        return kernels.clone();
    }

    /** The same block with its channel count scaled (rounded, at least 1). */
    ConvBlock scaled(double widthMultiplier) {
        return new ConvBlock(Math.max(1, (int) Math.round(channels * widthMultiplier)), kernels);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvBlock b && b.channels == channels && Arrays.equals(b.kernels, kernels);
    }

    @Override
    public int hashCode() {
        return 31 * channels + Arrays.hashCode(kernels);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int k : kernels) {
            s.append(s.length() == 0 ? "" : ", ").append("conv").append(k).append('-').append(channels);
        }
        return "[" + s + "]";
    }
}
