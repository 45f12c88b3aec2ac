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

    /** Null if the whole encoded image looks complete; otherwise what is wrong. */
    static String problem(byte[] bytes) {
        if (bytes.length == 0) {
            return "empty (zero-byte) file";
        }
        Kind kind = kind(bytes);
        if (kind == null) {
            return headerProblem(bytes);
        }
        return switch (kind) {
            case JPEG -> endsWith(bytes, new byte[] {(byte) 0xFF, (byte) 0xD9}) ? null
                    : "truncated: the JPEG data has no end-of-image marker";
            case PNG -> endsWith(bytes, PNG_IEND) ? null : "truncated: the PNG data has no IEND chunk";
            case BMP -> bmpProblem(bytes);
        };
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
