package io.github.vgg4j.core.internal;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.conf.memory.NetworkMemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.Locale;
import java.util.Map;

/**
 * The memory limits of this JVM, checked before the big allocations so that what cannot fit fails
 * at once with a sentence naming the setting to raise (instead of an {@code OutOfMemoryError}
 * halfway through, or a DL4J crash dump). Internal: for vgg4j's modules.
 *
 * <p>ND4J keeps every tensor off the Java heap, bounded by JavaCPP's {@value #MAX_BYTES} (its
 * default is the heap size, which is why a plain {@code java -Xmx1g} cannot even allocate VGG16's
 * 138M parameters) and {@value #MAX_PHYSICAL} (the whole process). Each check returns null when
 * the memory fits, else the message.
 */
public final class MemoryLimits {
    public static final String MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    public static final String MAX_PHYSICAL = "org.bytedeco.javacpp.maxphysicalbytes";
    private static final long MB = 1 << 20;
    /** What the JVM itself, DL4J's workspaces and the data pipeline take besides the counted tensors. */
    private static final long SLACK = 256 * MB;

    private MemoryLimits() {
    }

    /** Null if {@code bytes} more of Java heap fit; otherwise what to raise. */
    public static String heapShortfall(long requested, String what) {
        long bytes = Math.min(requested, Long.MAX_VALUE / 2);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes + SLACK > free) {
            System.gc();
            free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        }
        if (bytes + SLACK <= free) {
            return null;
        }
        return what + " needs about " + mb(bytes + SLACK) + " of Java heap but only " + mb(free) + " of the maximum "
                + mb(rt.maxMemory()) + " are free: raise -Xmx (with ./vgg: VGG_JAVA_OPTS=\"-Xmx" + gb(rt.maxMemory() + bytes + SLACK) + "\")";
    }

    /** Null if {@code bytes} more of ND4J's off-heap memory fit; otherwise what to raise. */
    public static String offHeapShortfall(long requested, String what) {
        long bytes = Math.min(requested, Long.MAX_VALUE / 2); // no overflow in the sums below
        long max = Pointer.maxBytes();
        long used = Pointer.totalBytes();
        if (max > 0 && bytes + SLACK > max - used) {
            return what + " needs about " + mb(bytes + SLACK) + " off-heap, but -D" + MAX_BYTES + " is " + mb(max) + " with "
                    + mb(used) + " in use: raise it (with ./vgg: VGG_JAVA_OPTS=\"-D" + MAX_BYTES + "=" + gb(used + bytes + SLACK)
                    + " -D" + MAX_PHYSICAL + "=" + gb(used + bytes + SLACK + Runtime.getRuntime().maxMemory()) + "\")";
        }
        long maxPhysical = Pointer.maxPhysicalBytes();
        long physical = Pointer.physicalBytes();
        if (maxPhysical > 0 && bytes + SLACK > maxPhysical - physical) {
            return what + " needs about " + mb(bytes + SLACK) + " more memory, but -D" + MAX_PHYSICAL + " is " + mb(maxPhysical)
                    + " and the process already uses " + mb(physical) + ": raise it (with ./vgg: VGG_JAVA_OPTS=\"-D" + MAX_PHYSICAL
                    + "=" + gb(physical + bytes + SLACK) + "\")";
        }
        return null;
    }

    /** One line for an allocation that failed anyway: what was being done and the setting to raise. */
    public static String explain(String what, OutOfMemoryError e) {
        String m = String.valueOf(e.getMessage());
        String setting = m.contains("Physical memory usage is too high") ? "-D" + MAX_PHYSICAL
                : m.contains("Cannot allocate") ? "-D" + MAX_BYTES + " (and -D" + MAX_PHYSICAL + ")" : "-Xmx";
        return "out of memory while " + what + " (" + firstLine(m) + "): raise " + setting
                + " (with ./vgg: VGG_JAVA_OPTS=...), or lower the batch size; off-heap limit " + mb(Pointer.maxBytes())
                + ", heap limit " + mb(Runtime.getRuntime().maxMemory());
    }

    /**
     * What training allocates besides the parameters, for vgg4j's kernels: the gradient view (DL4J
     * keeps one for every parameter, frozen or not), the updater's state for the trainable ones, every
     * layer's output for the batch (kept for backprop), and four of the largest layer's output for
     * the errors in flight and oneDNN's layout copies. Not DL4J's own memory report: it counts the
     * im2col buffers and convolution caches of DL4J's convolution, which vgg4j's kernels do not
     * have, and asked 18.5 GB for VGG16 at 224x224, batch 32, which trains in about 5 GB.
     */
    public static long trainingBytes(Model net, InputType input, int batch) {
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

    /**
     * The parameters a configuration declares (what {@code init()} allocates), counted as DL4J
     * counts them but summed exactly; -1 when a layer declares a negative count or the sum overflows.
     */
    public static long parameterCount(MultiLayerConfiguration conf) {
        long total = 0;
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            total = add(total, layer.getLayer().initializer().numParams(layer));
        }
        return total;
    }

    /** As {@link #parameterCount(MultiLayerConfiguration)}, for a graph: the sum over its vertices. */
    public static long parameterCount(ComputationGraphConfiguration conf) {
        long total = 0;
        for (GraphVertex v : conf.getVertices().values()) {
            total = add(total, v.numParams(true));
        }
        return total;
    }

    private static long add(long total, long n) {
        if (total < 0 || n < 0 || total > Long.MAX_VALUE - n) {
            return -1;
        }
        return total + n;
    }

    public static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,d MB", bytes / MB);
    }

    private static String gb(long bytes) {
        return ((bytes + (1L << 30) - 1) >> 30) + "g";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}
