package io.github.vgg4j.datavec;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * MNIST-format idx files, raw or gzipped: a big-endian header (two zero bytes, a data-type byte
 * 0x08 for unsigned bytes, a dimension count, one int per dimension), then the data. Images are
 * {@code idx3} ([count, rows, cols]), labels {@code idx1} ([count]). Declared sizes are checked
 * against the data actually present before anything of that size is allocated, so a header that
 * claims 2^31 images cannot exhaust memory.
 */
final class IdxFiles {
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxFiles() {
    }

    record Images(int count, int rows, int cols, byte[] pixels) {
    }

    static Images readImages(Path file) throws IOException {
        Parsed p = read(file, 3);
        if (p.dims[1] < 1 || p.dims[2] < 1 || p.dims[1] > 4096 || p.dims[2] > 4096) {
            throw new BadDataException(file + ": image size " + p.dims[1] + "x" + p.dims[2] + " is not plausible for an idx image file");
        }
        return new Images(p.dims[0], p.dims[1], p.dims[2], p.data);
    }

    static int[] readLabels(Path file) throws IOException {
        Parsed p = read(file, 1);
        int[] labels = new int[p.dims[0]];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = p.data[i] & 0xff;
        }
        return labels;
    }

    private record Parsed(int[] dims, byte[] data) {
    }

    private static Parsed read(Path file, int expectedDims) throws IOException {
        boolean gzip = isGzip(file);
        long fileSize = Files.size(file);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                gzip ? new GZIPInputStream(Files.newInputStream(file), 1 << 16) : Files.newInputStream(file), 1 << 16))) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new BadDataException(file + ": " + (gzip ? "decompressed data" : "file") + " is shorter than an idx header");
            }
            if ((magic >>> 16) != 0) {
                throw new BadDataException(file + ": wrong magic number 0x" + String.format("%08X", magic)
                        + "; idx files start with 0x0000 (then the data type and dimension count), e.g. 0x00000803 for images");
            }
            int type = (magic >>> 8) & 0xff;
            int dims = magic & 0xff;
            if (type != UNSIGNED_BYTE) {
                throw new BadDataException(file + ": data type 0x" + String.format("%02X", type)
                        + " is not supported; MNIST-format images and labels are unsigned bytes (0x08)");
            }
            if (dims != expectedDims) {
                throw new BadDataException(file + ": " + dims + " dimension(s) (magic 0x" + String.format("%08X", magic)
                        + "); expected " + expectedDims + (expectedDims == 3 ? " for images [count, rows, cols] (0x00000803)"
                        : " for labels [count] (0x00000801)"));
            }
            int[] d = new int[dims];
            long total = 1;
            for (int i = 0; i < dims; i++) {
                try {
                    d[i] = in.readInt();
                } catch (EOFException e) {
                    throw new BadDataException(file + ": the header ends before dimension " + (i + 1) + " of " + dims);
                }
                if (d[i] < 0) {
                    throw new BadDataException(file + ": dimension " + (i + 1) + " is negative (" + d[i] + ")");
                }
                // Checked at every step: three dimensions near 2^31 would overflow a long, wrap to a
                // small or negative size and slip past the checks below (a fuzzing finding).
                total *= d[i];
                if (total > Integer.MAX_VALUE - 16) {
                    throw new BadDataException(file + ": the header declares dimensions " + describe(d) + " of more than "
                            + (Integer.MAX_VALUE - 16) + " bytes, more than one array can hold");
                }
            }
            long header = 4 + 4L * dims;
            if (!gzip && header + total != fileSize) {
                throw new BadDataException(file + ": the header declares " + describe(d) + " = " + total + " bytes of data but the file has "
                        + (fileSize - header));
            }
            if (gzip && total > fileSize * 1100L) {
                // deflate cannot compress better than ~1032:1, so this much data cannot be in the file
                throw new BadDataException(file + ": the header declares " + describe(d) + " = " + total
                        + " bytes, more than a gzip file of " + fileSize + " bytes can hold");
            }
            byte[] data = readExactly(in, (int) total, file, d);
            return new Parsed(d, data);
        } catch (java.util.zip.ZipException e) {
            throw new BadDataException(file + ": corrupt gzip data: " + e.getMessage(), e);
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off stream as EOF, not as corrupt data (a fuzzing finding)
            throw new BadDataException(file + ": the gzip data ends early (truncated file?): " + e.getMessage(), e);
        }
    }

    /** Reads exactly {@code n} bytes, allocating only as the data actually arrives. */
    private static byte[] readExactly(InputStream in, int n, Path file, int[] dims) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, 1 << 20));
        byte[] buf = new byte[1 << 16];
        int remaining = n;
        while (remaining > 0) {
            int r = in.read(buf, 0, Math.min(buf.length, remaining));
            if (r < 0) {
                throw new BadDataException(file + ": the header declares " + describe(dims) + " = " + n
                        + " bytes of data but only " + (n - remaining) + " follow (truncated file?)");
            }
            out.write(buf, 0, r);
            remaining -= r;
        }
        if (in.read() >= 0) {
            throw new BadDataException(file + ": more data follows the " + n + " bytes its header declares (" + describe(dims) + ")");
        }
        return out.toByteArray();
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static String describe(int[] dims) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return s.append(']').toString();
    }
}
