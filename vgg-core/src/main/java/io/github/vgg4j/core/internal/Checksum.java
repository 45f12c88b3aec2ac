package io.github.vgg4j.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.Adler32;

/**
 * An expected checksum of a published file: Adler-32 (what DL4J's zoo publishes, as a decimal
 * number), MD5 (CIFAR-10's archives) or SHA-256 (Hugging Face).
 */
public record Checksum(Algorithm algorithm, String value) {

    public enum Algorithm { ADLER32, MD5, SHA256 }

    public Checksum {
        value = value.trim().toLowerCase(Locale.ROOT);
    }

    public static Checksum adler32(long value) {
        return new Checksum(Algorithm.ADLER32, Long.toString(value));
    }

    public static Checksum md5(String hex) {
        return new Checksum(Algorithm.MD5, hex);
    }

    public static Checksum sha256(String hex) {
        return new Checksum(Algorithm.SHA256, hex);
    }

    /** A running computation of this checksum's algorithm. */
    public Digest start() {
        return switch (algorithm) {
            case ADLER32 -> new Digest() {
                private final Adler32 adler = new Adler32();

                public void update(byte[] b, int off, int len) {
                    adler.update(b, off, len);
                }

                public String value() {
                    return Long.toString(adler.getValue());
                }
            };
            case MD5, SHA256 -> new Digest() {
                private final MessageDigest md = messageDigest(algorithm == Algorithm.MD5 ? "MD5" : "SHA-256");

                public void update(byte[] b, int off, int len) {
                    md.update(b, off, len);
                }

                public String value() {
                    return HexFormat.of().formatHex(md.digest());
                }
            };
        };
    }

    /** Whether the file has this checksum. */
    public boolean matches(Path file) throws IOException {
        return value.equals(compute(file));
    }

    /** This checksum's algorithm applied to a file. */
    public String compute(Path file) throws IOException {
        Digest d = start();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return d.value();
    }

    public interface Digest {
        void update(byte[] b, int off, int len);

        String value();
    }

    private static MessageDigest messageDigest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(name + " is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return algorithm.name().toLowerCase(Locale.ROOT) + " " + value;
    }
}
