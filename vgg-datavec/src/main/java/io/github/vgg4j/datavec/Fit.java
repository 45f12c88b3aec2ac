package io.github.vgg4j.datavec;

import java.util.SplittableRandom;

/**
 * How an image becomes the network's input size: channels converted (grey to RGB repeats the
 * channel, RGB to grey takes luminance), then the shorter side resized to S and a crop of the
 * target size taken. The same steps apply to every image, decoded from a file or held in memory,
 * so a model reads a PNG of a test image exactly as it read the test set.
 * <ul>
 *   <li>{@link #eval}: S = size / cropPct (0.875 by default, as torchvision and timm: 224 from 256),
 *       centre crop. {@code cropPct 1} leaves an image already at the input size unchanged.</li>
 *   <li>{@link #train}: S drawn per image from [minScale, maxScale] (the paper's scale jittering,
 *       S in [256, 512] for 224 crops), random crop.</li>
 *   <li>{@link #withPadding}: images no larger than the target on either side (MNIST's 28x28 for a
 *       32x32 network) are padded with zeros around the centre instead of being enlarged; CIFAR-10
 *       and idx models are trained and evaluated so.</li>
 * </ul>
 */
public record Fit(int channels, int height, int width, boolean training, double cropPct, int minScale, int maxScale,
                  boolean pad) {

    public static final double DEFAULT_CROP_PCT = 0.875;
    /**
     * The smallest crop fraction: the image is resized to size / cropPct first, so a tiny fraction
     * is a huge resize (0.0001 for 224: a 2,240,000-pixel shorter side, gigabytes per image).
     * Published evaluations use 0.75 to 1.
     */
    public static final double MIN_CROP_PCT = 0.1;

    public Fit {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images can be fitted to 1 (grey) or 3 (RGB) channels, not " + channels);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        if (!(cropPct >= MIN_CROP_PCT && cropPct <= 1)) {
            throw new IllegalArgumentException("crop-pct must be in [" + MIN_CROP_PCT + ", 1] (images are resized to size / crop-pct"
                    + " before the centre crop; 0.875 is usual), got " + java.math.BigDecimal.valueOf(cropPct).toPlainString());
        }
        if (minScale > maxScale || minScale < 1) {
            throw new IllegalArgumentException("scale range must be 1 <= min <= max, got [" + minScale + ", " + maxScale + "]");
        }
    }

    /** Evaluation: resize the shorter side to size / cropPct, centre crop. */
    public static Fit eval(int channels, int height, int width, double cropPct) {
        int s = (int) Math.round(Math.min(height, width) / cropPct);
        return new Fit(channels, height, width, false, cropPct, s, s, false);
    }

    public static Fit eval(int channels, int height, int width) {
        return eval(channels, height, width, DEFAULT_CROP_PCT);
    }

    /** Training at a single scale (shorter side to size / 0.875), random crop. */
    public static Fit train(int channels, int height, int width) {
        int s = (int) Math.round(Math.min(height, width) / DEFAULT_CROP_PCT);
        return new Fit(channels, height, width, true, DEFAULT_CROP_PCT, s, s, false);
    }

    /** Training with the paper's scale jittering: shorter side S uniform in [minScale, maxScale]. */
    public Fit withScaleJitter(int minScale, int maxScale) {
        if (minScale < Math.min(height, width)) {
            throw new IllegalArgumentException("scale jitter minimum " + minScale + " is below the crop size "
                    + Math.min(height, width));
        }
        return new Fit(channels, height, width, true, cropPct, minScale, maxScale, pad);
    }

    /** The same, but images no larger than the target on either side are padded, not enlarged. */
    public Fit withPadding() {
        return new Fit(channels, height, width, training, cropPct, minScale, maxScale, true);
    }

    /** Whether an image of this size is padded rather than resized. */
    boolean pads(int imageHeight, int imageWidth) {
        return pad && imageHeight <= height && imageWidth <= width;
    }

    /** The shorter side to resize to, for one image. */
    int scale(SplittableRandom random) {
        return minScale == maxScale ? minScale : minScale + random.nextInt(maxScale - minScale + 1);
    }

    /** Fits an image of any size (in memory, or decoded from a file that {@link #pads} it). */
    RawImage apply(RawImage image, SplittableRandom random) {
        RawImage img = convertChannels(image, channels);
        boolean sameSize = img.height() == height && img.width() == width;
        if (sameSize && (pad || minScale == maxScale && minScale == Math.min(height, width))) {
            return img; // what resizing to the same size and cropping all of it would give
        }
        if (pads(img.height(), img.width())) {
            return padded(img);
        }
        return OpenCvImages.fit(img, this, random);
    }

    private RawImage padded(RawImage img) {
        byte[] out = new byte[channels * height * width];
        int top = (height - img.height()) / 2;
        int left = (width - img.width()) / 2;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < img.height(); y++) {
                System.arraycopy(img.pixels(), (c * img.height() + y) * img.width(), out,
                        (c * height + y + top) * width + left, img.width());
            }
        }
        return new RawImage(channels, height, width, out);
    }

    static RawImage convertChannels(RawImage img, int channels) {
        if (img.channels() == channels) {
            return img;
        }
        int plane = img.height() * img.width();
        byte[] out = new byte[channels * plane];
        if (img.channels() == 1 && channels == 3) {
            for (int c = 0; c < 3; c++) {
                System.arraycopy(img.pixels(), 0, out, c * plane, plane);
            }
        } else if (img.channels() == 3 && channels == 1) {
            byte[] p = img.pixels();
            for (int i = 0; i < plane; i++) {
                // ITU-R BT.601 luma, as OpenCV's and PIL's RGB-to-grey conversions
                int v = (int) Math.round(0.299 * (p[i] & 0xff) + 0.587 * (p[plane + i] & 0xff) + 0.114 * (p[2 * plane + i] & 0xff));
                out[i] = (byte) Math.min(255, v);
            }
        } else {
            throw new IllegalArgumentException("cannot convert a " + img.channels() + "-channel image to " + channels + " channels");
        }
        return new RawImage(channels, img.height(), img.width(), out);
    }
}
