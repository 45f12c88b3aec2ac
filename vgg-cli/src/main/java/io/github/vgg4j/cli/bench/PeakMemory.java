package io.github.vgg4j.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident memory as the operating system counts it: Java heap, ND4J's off-heap
 * tensors, native libraries and allocator slack together. It is the measure a PyTorch process
 * reports ({@code ru_maxrss}, {@code VmHWM}), so the two can be compared.
 *
 * <pre>{@code long peak = PeakMemory.peakResidentBytes();   // -1 where the OS does not say}</pre>
 */
public final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private PeakMemory() {
    }

    /** The high-water mark of the resident set ({@code VmHWM}), or -1 where /proc is not available. */
    public static long peakResidentBytes() {
        return statusBytes("VmHWM:");
    }

    private static long statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    // "VmHWM:	  123456 kB"
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc hidden: the caller reports "unknown"
        }
        return -1;
    }
}
