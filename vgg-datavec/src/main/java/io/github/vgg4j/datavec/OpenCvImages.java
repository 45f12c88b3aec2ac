package io.github.vgg4j.datavec;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.SplittableRandom;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.setNumThreads;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Decoding and resizing with OpenCV (libjpeg-turbo, libpng; SIMD resize). {@code IMREAD_COLOR}
 * turns grey, CMYK and alpha images into 3-channel colour, so every file comes out the same way.
 * Resizing is bilinear; shrinking below half size uses area interpolation, which averages the
 * source pixels (anti-aliased, like PIL's filters) where plain bilinear would alias. Between half
 * and full size area interpolation cost ~25% of the eval pipeline's throughput for no visible gain.
 */
final class OpenCvImages {
    static {
        // Images are decoded on several worker threads already; OpenCV's own thread pool on top
        // of them only oversubscribes the cores.
        setNumThreads(1);
    }

    private OpenCvImages() {
    }

    /** An image whose resized size (before the crop) would exceed {@link DataLimits#IMAGE_PIXELS}. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /** Decodes an encoded image and fits it; null if OpenCV cannot decode the bytes. */
    static RawImage decode(byte[] encoded, Fit fit, SplittableRandom random) {
        try (PointerScope scope = new PointerScope()) {
            Mat buffer = new Mat(1, encoded.length, CV_8UC1, new BytePointer(encoded));
            Mat image;
            try {
                image = imdecode(buffer, fit.channels() == 1 ? IMREAD_GRAYSCALE : IMREAD_COLOR);
            } catch (RuntimeException cvException) {
                return null; // OpenCV refuses malformed data with an exception (e.g. an impossible image size)
            }
            if (image == null || image.empty()) {
                return null;
            }
            if (fit.pads(image.rows(), image.cols())) {
                return fit.apply(toPlanar(image, fit.channels(), true), random); // as the same image held in memory
            }
            return fitMat(image, fit.channels(), fit, random, true);
        }
    }

    /** Resizes and crops an in-memory planar image (already converted to the fit's channels). */
    static RawImage fit(RawImage planar, Fit fit, SplittableRandom random) {
        try (PointerScope scope = new PointerScope()) {
            return fitMat(toInterleaved(planar), planar.channels(), fit, random, false);
        }
    }

    private static RawImage fitMat(Mat image, int channels, Fit fit, SplittableRandom random, boolean bgr) {
        int h0 = image.rows(), w0 = image.cols();
        int s = fit.scale(random);
        double scale = Math.max(Math.max(s / (double) Math.min(h0, w0), fit.height() / (double) h0), fit.width() / (double) w0);
        double h = Math.max(fit.height(), Math.round(h0 * scale));
        double w = Math.max(fit.width(), Math.round(w0 * scale));
        // a long thin image (1 x 10,000) scaled so that its short side fits is enormous along the other
        if (!DataLimits.IMAGE_PIXELS.allows((long) Math.min(h * w, Long.MAX_VALUE))) {
            throw new TooLargeException(String.format(java.util.Locale.ROOT, "%dx%d pixels would be resized to %.0fx%.0f for the crop; ",
                    w0, h0, w, h) + DataLimits.IMAGE_PIXELS.describe());
        }
        int h1 = (int) h;
        int w1 = (int) w;
        Mat resized = image;
        if (h1 != h0 || w1 != w0) {
            resized = new Mat();
            resize(image, resized, new Size(w1, h1), 0, 0, scale < 0.5 ? INTER_AREA : INTER_LINEAR);
        }
        int top, left;
        if (fit.training()) {
            top = random.nextInt(h1 - fit.height() + 1);
            left = random.nextInt(w1 - fit.width() + 1);
        } else {
            top = (h1 - fit.height()) / 2;
            left = (w1 - fit.width()) / 2;
        }
        Mat crop = new Mat(resized, new Rect(left, top, fit.width(), fit.height())).clone();
        return toPlanar(crop, channels, bgr);
    }

    /** HWC Mat (continuous) to planar RawImage; BGR input becomes RGB. */
    private static RawImage toPlanar(Mat mat, int channels, boolean bgr) {
        int h = mat.rows(), w = mat.cols();
        byte[] hwc = new byte[h * w * channels];
        mat.data().get(hwc);
        if (channels == 1) {
            return new RawImage(1, h, w, hwc);
        }
        byte[] chw = new byte[hwc.length];
        int plane = h * w;
        int r = bgr ? 2 : 0, b = bgr ? 0 : 2;
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            chw[i] = hwc[p + r];
            chw[plane + i] = hwc[p + 1];
            chw[2 * plane + i] = hwc[p + b];
        }
        return new RawImage(3, h, w, chw);
    }

    /** Planar RawImage to an interleaved Mat (the caller's PointerScope owns it). */
    private static Mat toInterleaved(RawImage img) {
        int h = img.height(), w = img.width(), c = img.channels();
        byte[] hwc = new byte[h * w * c];
        int plane = h * w;
        byte[] p = img.pixels();
        for (int i = 0; i < plane; i++) {
            for (int k = 0; k < c; k++) {
                hwc[i * c + k] = p[k * plane + i];
            }
        }
        Mat mat = new Mat(h, w, c == 1 ? CV_8UC1 : CV_8UC3);
        mat.data().put(hwc);
        return mat;
    }
}
