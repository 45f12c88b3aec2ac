package io.github.vgg4j.datavec;

import java.util.List;
import java.util.Locale;

/**
 * The budgets data is held to where it enters, so that a small file cannot cost a large amount
 * of memory, disk or time: a 2 MB archive that expands to 2 GB, a CIFAR batch of millions of
 * records, a 3 GB file named like an image. Each is a system property ({@code -Dvgg4j....=N}; with
 * {@code ./vgg}: {@code VGG_JAVA_OPTS="-D...=N"}), read when data is opened, and every refusal
 * names the file, the budget and the property that raises it.
 */
public final class DataLimits {
    /** Bytes one archive entry may expand to (1 GiB). */
    public static final Limit ARCHIVE_ENTRY_BYTES = new Limit("vgg4j.archive.maxEntryBytes", 1L << 30, "bytes per archive entry");
    /** Bytes a whole archive may expand to (64 GiB; extraction also stops short of filling the disk). */
    public static final Limit ARCHIVE_BYTES = new Limit("vgg4j.archive.maxBytes", 64L << 30, "bytes per extracted archive");
    /** Entries (files and folders) of one archive. */
    public static final Limit ARCHIVE_ENTRIES = new Limit("vgg4j.archive.maxEntries", 1_000_000, "entries per archive");
    /** Records of one CIFAR-10 batch file (CIFAR-10's hold 10,000). */
    public static final Limit CIFAR_RECORDS = new Limit("vgg4j.cifar.maxRecordsPerFile", 10_000, "records per CIFAR batch file");
    /** Bytes of one image file, read whole before decoding (64 MiB). */
    public static final Limit IMAGE_BYTES = new Limit("vgg4j.maxImageBytes", 64L << 20, "bytes per image file");
    /** Pixels of one image, as its header declares or as it is resized to (100 megapixels). */
    public static final Limit IMAGE_PIXELS = new Limit("vgg4j.maxImagePixels", 100_000_000L, "pixels per image");

    /** All of them, for documentation and tests. */
    public static final List<Limit> ALL = List.of(ARCHIVE_ENTRY_BYTES, ARCHIVE_BYTES, ARCHIVE_ENTRIES, CIFAR_RECORDS, IMAGE_BYTES,
            IMAGE_PIXELS);

    private DataLimits() {
    }

    /** One budget: its system property, default and unit. */
    public record Limit(String property, long defaultValue, String unit) {
        /** The value in effect (the property's, if it is a positive number). */
        public long value() {
            String v = System.getProperty(property);
            if (v != null) {
                try {
                    long n = Long.parseLong(v.trim().replace("_", ""));
                    if (n > 0) {
                        return n;
                    }
                } catch (NumberFormatException ignored) {
                    // the default
                }
            }
            return defaultValue;
        }

        /** True if {@code n} is within the budget. */
        public boolean allows(long n) {
            return n <= value();
        }

        /** "at most N unit (raise with -Dproperty=...)", for messages. */
        public String describe() {
            return String.format(Locale.ROOT, "at most %,d %s (raise with -D%s=...)", value(), unit, property);
        }
    }
}
