package io.github.vgg4j.datavec;

import java.util.List;

/**
 * A labelled (or unlabelled) collection of images: CIFAR-10 records and idx files in memory,
 * image folders decoded on demand. Every source is read through this one interface, so the
 * iterators, record readers, splits and statistics serve all of them.
 */
public interface ImageDataset {

    /** Number of examples. */
    int size();

    /** Class names in output order; empty for an unlabelled set. */
    List<String> labels();

    /** Class index of example {@code i}, or -1 when unlabelled. */
    int label(int i);

    /** A stable name of example {@code i} for reports: a file name, or "data_batch_1.bin#17". */
    String id(int i);

    /** The image at its native size (in-memory sources) or fitted to {@code fit} (decoded sources). */
    RawImage read(int i, Fit fit, java.util.SplittableRandom random) throws BadImageException;

    /** Whether {@link #read} already applies {@code fit} (decoders resize while decoding). */
    default boolean fitsWhileReading() {
        return false;
    }

    /** Where the data came from, for messages. */
    String source();

    /** Files left out when the source was listed (zero-byte, non-image); decoding failures come later. */
    default List<SkippedFiles.Entry> skippedWhileListing() {
        return List.of();
    }

    /** {channels, height, width} when every image has the same size (CIFAR, idx); null for folders. */
    default int[] nativeShape() {
        return null;
    }

    /** Thrown for an example that cannot be decoded; the iterator skips and reports it. */
    final class BadImageException extends Exception {
        private final String id;
        private final String reason;

        public BadImageException(String id, String reason) {
            super(id + ": " + reason);
            this.id = id;
            this.reason = reason;
        }

        public String id() {
            return id;
        }

        public String reason() {
            return reason;
        }
    }
}
