package io.github.vgg4j.datavec;

/**
 * Cheap checks of encoded images before decoding: the signature at the start (JPEG, PNG, BMP) and,
 * for JPEG and PNG, the end marker. OpenCV decodes a truncated JPEG without an error (it fills the
 * missing rows with grey), so truncation is caught here, as PIL reports "image file is truncated".
 */
final class ImageFormats {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] PNG_IEND = {'I', 'E', 'N', 'D'};
    /** Encoders may append padding after the end marker; look this far back for it. */
    private static final int TRAILER_WINDOW = 1024;

    private ImageFormats() {
    }

    enum Kind { JPEG, PNG, BMP }

    static Kind kind(byte[] head) {
        if (head.length >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8 && (head[2] & 0xff) == 0xFF) {
            return Kind.JPEG;
        }
        if (startsWith(head, PNG_SIGNATURE)) {
            return Kind.PNG;
        }
        if (head.length >= 2 && head[0] == 'B' && head[1] == 'M') {
            return Kind.BMP;
        }
        return null;
    }

    /** Null if the first bytes are a JPEG, PNG or BMP signature; otherwise what is wrong. */
    static String headerProblem(byte[] head) {
        return kind(head) != null ? null : "not a JPEG, PNG or BMP image (unknown file signature)";
    }

    /** Null if the whole encoded image looks complete and of a sane size; otherwise what is wrong. */
    static String problem(byte[] bytes) {
        if (bytes.length == 0) {
            return "empty (zero-byte) file";
        }
        Kind kind = kind(bytes);
        if (kind == null) {
            return headerProblem(bytes);
        }
        long[] size = dimensions(kind, bytes);
        if (size == null) {
            return "corrupt: no image size in the " + kind + " header";
        }
        // a small file can declare a 60,000 x 60,000 image, which the decoder would try to allocate
        if (size[0] <= 0 || size[1] <= 0 || !DataLimits.IMAGE_PIXELS.allows(size[0] * size[1])) {
            return "declares " + size[0] + "x" + size[1] + " pixels; " + DataLimits.IMAGE_PIXELS.describe();
        }
        return switch (kind) {
            case JPEG -> endsWith(bytes, new byte[] {(byte) 0xFF, (byte) 0xD9}) ? null
                    : "truncated: the JPEG data has no end-of-image marker";
            case PNG -> endsWith(bytes, PNG_IEND) ? null : "truncated: the PNG data has no IEND chunk";
            case BMP -> bmpProblem(bytes);
        };
    }

    /** {width, height} from the header, or null when the header is cut short. */
    static long[] dimensions(Kind kind, byte[] b) {
        switch (kind) {
            case PNG:
                // the IHDR chunk comes first: width and height, big-endian, at offsets 16 and 20
                return b.length < 24 ? null : new long[] {be32(b, 16), be32(b, 20)};
            case BMP:
                // BITMAPINFOHEADER: width and height (negative: top-down), little-endian, at 18 and 22
                return b.length < 26 ? null : new long[] {Math.abs((long) (int) le32(b, 18)), Math.abs((long) (int) le32(b, 22))};
            default:
                return jpegDimensions(b);
        }
    }

    /** Walks the JPEG markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC). */
    private static long[] jpegDimensions(byte[] b) {
        int i = 2;
        while (i + 9 < b.length) {
            if ((b[i] & 0xff) != 0xFF) {
                return null;
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                i += 2; // markers without a length
                continue;
            }
            int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                long height = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
                long width = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
                return new long[] {width, height};
            }
            if (length < 2) {
                return null;
            }
            i += 2 + length;
        }
        return null;
    }

    private static long be32(byte[] b, int o) {
        return (b[o] & 0xffL) << 24 | (b[o + 1] & 0xffL) << 16 | (b[o + 2] & 0xffL) << 8 | (b[o + 3] & 0xffL);
    }

    private static long le32(byte[] b, int o) {
        return (b[o] & 0xffL) | (b[o + 1] & 0xffL) << 8 | (b[o + 2] & 0xffL) << 16 | (b[o + 3] & 0xffL) << 24;
    }

    private static String bmpProblem(byte[] b) {
        if (b.length < 6) {
            return "truncated: shorter than a BMP header";
        }
        long declared = (b[2] & 0xffL) | (b[3] & 0xffL) << 8 | (b[4] & 0xffL) << 16 | (b[5] & 0xffL) << 24;
        return declared > b.length ? "truncated: the BMP header declares " + declared + " bytes, the file has " + b.length : null;
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean endsWith(byte[] data, byte[] marker) {
        int from = Math.max(0, data.length - TRAILER_WINDOW - marker.length);
        outer:
        for (int i = data.length - marker.length; i >= from; i--) {
            for (int k = 0; k < marker.length; k++) {
                if (data[i + k] != marker[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
