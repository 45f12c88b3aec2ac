package io.github.vgg4j.transfer;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Memory checks before the big allocations, so that a model that cannot fit fails at once with a
 * sentence naming the setting to raise.
 *
 * <p>Where the memory goes: ND4J keeps every tensor off the Java heap, bounded by JavaCPP's
 * {@value #MAX_BYTES} (its default is the heap size, which is why a plain {@code java -Xmx1g}
 * cannot even allocate VGG16's 138M parameters) and {@value #MAX_PHYSICAL} (the whole process).
 * DL4J's {@code ModelSerializer} reads every entry of a model zip into heap byte arrays before
 * copying the parameters off-heap, so loading also needs heap of about the file's unpacked size.
 */
final class MemoryCheck {
    static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    static final String MAX_PHYSICAL = "org.bytedeco.javacpp.maxphysicalbytes";
    private static final long MB = 1 << 20;
    /** What the JVM itself, DL4J's workspaces and the data pipeline take besides the counted tensors. */
    private static final long SLACK = 256 * MB;

    private MemoryCheck() {
    }

    /** Before a model zip is read: heap for its entries, off-heap for its parameters. */
    static void beforeLoading(Path zip) throws IOException {
        long unpacked = 0;
        long params = 0;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                long size = Math.max(entry.getSize(), entry.getCompressedSize());
                unpacked += size;
                if (entry.getName().equals("coefficients.bin")) {
                    params = size;
                }
            }
        } catch (java.util.zip.ZipException e) {
            return; // not a zip: the loader reports that with the file name
        }
        requireHeap(unpacked, "loading " + zip.getFileName() + " (DL4J reads the whole model file into the heap)");
        requireOffHeap(params, "the parameters of " + zip.getFileName());
    }

    /** Before a network of {@code params} parameters is allocated. */
    static void beforeAllocating(long params, String what) {
        requireOffHeap(params * 4, what + " (" + String.format(Locale.ROOT, "%,d", params) + " parameters)");
    }

    /** Before training: {@link #trainingBytes} at this batch size must fit. */
    static void beforeTraining(Model net, InputType input, int batch, String what) {
        long bytes;
        try {
            bytes = trainingBytes(net, input, batch);
        } catch (RuntimeException e) {
            return; // layers DL4J cannot describe: train and let the OutOfMemoryError translation speak
        }
        requireOffHeap(bytes, what + " at batch " + batch + " (activations, gradients and updater state; lower --batch, or)");
    }

    /**
     * What training allocates besides the parameters, for vgg4j's kernels: the gradient view (DL4J
     * keeps one for every parameter, frozen or not), the updater's state for the trainable ones, every
     * layer's output for the batch (kept for backprop), and four of the largest layer's output for
     * the errors in flight and oneDNN's layout copies. Not DL4J's own memory report: it counts the
     * im2col buffers and convolution caches of DL4J's convolution, which vgg4j's kernels do not
     * have, and asked 18.5 GB for VGG16 at 224x224, batch 32, which trains in about 5 GB.
     */
    static long trainingBytes(Model net, InputType input, int batch) {
        NetworkMemoryReport report = (NetworkMemoryReport) (net instanceof MultiLayerNetwork m
                ? m.getLayerWiseConfigurations().getMemoryReport(input)
                : ((ComputationGraph) net).getConfiguration().getMemoryReport(input));
        long perExample = input.arrayElementsPerExample();
        long largest = perExample;
        for (MemoryReport r : report.getLayerAndVertexReports().values()) {
            if (r instanceof LayerMemoryReport l && l.getOutputType() != null) {
                long n = l.getOutputType().arrayElementsPerExample();
                perExample += n;
                largest = Math.max(largest, n);
            }
        }
        long updaterState = 0;
        for (org.deeplearning4j.nn.api.Layer layer : net instanceof MultiLayerNetwork m ? m.getLayers()
                : ((ComputationGraph) net).getLayers()) {
            if (layer instanceof FrozenLayer) {
                continue;
            }
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                IUpdater u = layer.conf().getLayer().getUpdaterByParam(p.getKey());
                updaterState += u == null ? 0 : u.stateSize(p.getValue().length());
            }
        }
        return 4 * (net.numParams() + updaterState + (long) batch * (perExample + 4 * largest));
    }

    static void requireHeap(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes + SLACK > free) {
            System.gc();
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        if (bytes + SLACK > free) {
            throw new InsufficientMemoryException(what + " needs about " + mb(bytes + SLACK) + " of Java heap but only "
                    + mb(free) + " of the maximum " + mb(rt.maxMemory()) + " are free: raise -Xmx (with ./vgg: VGG_JAVA_OPTS=\"-Xmx"
                    + gb(rt.maxMemory() + bytes + SLACK) + "\")");
        }
    }

    static void requireOffHeap(long bytes, String what) {
        long max = Pointer.maxBytes();
        long used = Pointer.totalBytes();
        if (max > 0 && bytes + SLACK > max - used) {
            throw new InsufficientMemoryException(what + " needs about " + mb(bytes + SLACK) + " off-heap, but -D" + MAX_BYTES
                    + " is " + mb(max) + " with " + mb(used) + " in use: raise it (with ./vgg: VGG_JAVA_OPTS=\"-D" + MAX_BYTES + "="
                    + gb(used + bytes + SLACK) + " -D" + MAX_PHYSICAL + "=" + gb(used + bytes + SLACK + Runtime.getRuntime().maxMemory())
                    + "\")");
        }
        long maxPhysical = Pointer.maxPhysicalBytes();
        long physical = Pointer.physicalBytes();
        if (maxPhysical > 0 && bytes + SLACK > maxPhysical - physical) {
            throw new InsufficientMemoryException(what + " needs about " + mb(bytes + SLACK) + " more memory, but -D" + MAX_PHYSICAL
                    + " is " + mb(maxPhysical) + " and the process already uses " + mb(physical) + ": raise it (with ./vgg: VGG_JAVA_OPTS=\"-D"
                    + MAX_PHYSICAL + "=" + gb(physical + bytes + SLACK) + "\")");
        }
    }

    /** Runs {@code work}, turning JavaCPP's allocation failure into a message that names the setting. */
    static <T> T translatingOutOfMemory(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (OutOfMemoryError e) {
            throw explain(what, e);
        }
    }

    static InsufficientMemoryException explain(String what, OutOfMemoryError e) {
        String m = String.valueOf(e.getMessage());
        String setting = m.contains("Physical memory usage is too high") ? "-D" + MAX_PHYSICAL
                : m.contains("Cannot allocate") ? "-D" + MAX_BYTES + " (and -D" + MAX_PHYSICAL + ")" : "-Xmx";
        return new InsufficientMemoryException("out of memory while " + what + " (" + firstLine(m) + "): raise " + setting
                + " (with ./vgg: VGG_JAVA_OPTS=...), or lower the batch size; off-heap limit " + mb(Pointer.maxBytes())
                + ", heap limit " + mb(Runtime.getRuntime().maxMemory()), e);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,d MB", bytes / MB);
    }

    private static String gb(long bytes) {
        return ((bytes + (1L << 30) - 1) >> 30) + "g";
    }
}
