package io.github.vgg4j.datavec;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Test support: files in the real on-disk formats, written by the tests themselves. */
final class TestData {

    private TestData() {
    }

    /** Pixel value of CIFAR test image {@code i}, channel c (0 R, 1 G, 2 B), row y, column x: all distinct per position. */
    static int cifarPixel(int i, int c, int y, int x) {
        return (i * 7 + c * 80 + y * 3 + x) & 0xff;
    }

    /** One CIFAR-10 batch file: records of label byte + 1024 R + 1024 G + 1024 B. */
    static byte[] cifarBatch(int[] labels, int firstImage) {
        byte[] data = new byte[labels.length * 3073];
        for (int i = 0; i < labels.length; i++) {
            int off = i * 3073;
            data[off] = (byte) labels[i];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        data[off + 1 + c * 1024 + y * 32 + x] = (byte) cifarPixel(firstImage + i, c, y, x);
                    }
                }
            }
        }
        return data;
    }

    static void tarGz(Path archive, Map<String, byte[]> entries) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(Files.newOutputStream(archive)))) {
            for (var e : entries.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                entry.setSize(e.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
    }

    static void idxImages(Path file, int count, int rows, int cols, byte[] pixels, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(file, gzip))) {
            out.writeInt(0x00000803);
            out.writeInt(count);
            out.writeInt(rows);
            out.writeInt(cols);
            out.write(pixels);
        }
    }

    static void idxLabels(Path file, int[] labels, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(file, gzip))) {
            out.writeInt(0x00000801);
            out.writeInt(labels.length);
            for (int l : labels) {
                out.writeByte(l);
            }
        }
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        return gzip ? new GZIPOutputStream(out) : out;
    }

    /** An RGB image split in four quadrants of known colours (top-left red, top-right green, bottom-left blue, bottom-right white). */
    static BufferedImage quadrants(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean top = y < h / 2, left = x < w / 2;
                int rgb = top ? (left ? 0xFF0000 : 0x00FF00) : (left ? 0x0000FF : 0xFFFFFF);
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return out.toByteArray();
    }

    static Path write(Path file, BufferedImage img, String format) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, encode(img, format));
        return file;
    }

    /** A small solid-colour JPEG. */
    static Path jpeg(Path file, int rgb, int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return write(file, img, "jpg");
    }
}
