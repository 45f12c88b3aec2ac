package io.github.vgg4j.datavec;

import io.github.vgg4j.core.io.Preprocessing;

/**
 * Applies a {@link Preprocessing} (channel order, scale, mean, std) while converting 8-bit pixels to
 * floats: one lookup table of 256 values per channel, so normalising costs one read per pixel.
 */
final class PixelNormalizer {
    private final Preprocessing preprocessing;
    private final float[][] tables;
    private final int channels;

    PixelNormalizer(Preprocessing p, int channels) {
        this.preprocessing = p;
        this.channels = channels;
        double[] mean = p.mean();
        double[] std = p.std();
        if (mean.length != 1 && mean.length != channels) {
            throw new IllegalArgumentException("preprocessing '" + p.name() + "' has " + mean.length
                    + " channel statistics but the images have " + channels + " channel(s)");
        }
        tables = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            // The statistics are given in the preprocessing's channel order.
            int k = mean.length == 1 ? 0 : c;
            for (int v = 0; v < 256; v++) {
                tables[c][v] = (float) ((v * p.scale() - mean[k]) / std[k]);
            }
        }
    }

    Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Writes the normalised image into {@code out} at {@code offset}, in the preprocessing's channel order. */
    void write(RawImage img, float[] out, int offset) {
        int plane = img.height() * img.width();
        byte[] p = img.pixels();
        boolean bgr = channels == 3 && preprocessing.channelOrder() == Preprocessing.ChannelOrder.BGR;
        for (int c = 0; c < channels; c++) {
            int src = (bgr ? 2 - c : c) * plane;
            float[] table = tables[c];
            int dst = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                out[dst + i] = table[p[src + i] & 0xff];
            }
        }
    }
}
