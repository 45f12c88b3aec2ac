package io.github.vgg4j.core.io;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.internal.MemoryLimits;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a network from a model file as it streams by ({@link ModelArchive}), the way DL4J's
 * {@code ModelSerializer} does, from the bytes vgg4j checked: the configuration (allowlisted,
 * {@link ModelFileSafety}), then the parameters read into an array of the configuration's
 * parameter count ({@link Nd4jArrays}), then the updater state read into the updater's own array.
 */
final class NetworkReader implements ModelArchive.Reader {
    private final Path file;
    private final boolean loadUpdater;
    private ModelFileSafety.Configuration configuration;
    private long parameters = -1;
    private Model network;

    NetworkReader(Path file, boolean loadUpdater) {
        this.file = file;
        this.loadUpdater = loadUpdater;
    }

    @Override
    public void configuration(String json) throws IOException {
        configuration = ModelFileSafety.configuration(file, json);
        try {
            parameters = configuration.isGraph() ? MemoryLimits.parameterCount(configuration.graph())
                    : MemoryLimits.parameterCount(configuration.layers());
        } catch (RuntimeException e) {
            throw new IOException(file + ": configuration.json describes layers DL4J cannot size: " + ModelFileSafety.firstLine(e), e);
        }
        if (parameters < 0) {
            throw new IOException(file + ": configuration.json declares layers whose parameter count is negative or overflows");
        }
    }

    @Override
    public void array(String name, DataInputStream in, long size, String where) throws IOException {
        if (name.equals(ModelArchive.COEFFICIENTS)) {
            Nd4jArrays.Header h = Nd4jArrays.readHeader(in, size, parameters, where);
            // the parameters, and the gradient view that init() allocates beside them
            requireOffHeap(2 * h.dataBytes(), "the " + String.format(Locale.ROOT, "%,d", h.length()) + " parameters of " + file);
            INDArray params = Nd4jArrays.read(in, h, where);
            network = build(params);
        } else if (loadUpdater) {
            if (network == null) {
                throw new IOException(where + " comes before " + ModelArchive.COEFFICIENTS + "; DL4J writes the parameters first");
            }
            Nd4jArrays.Header h = Nd4jArrays.readHeader(in, size, -1, where);
            requireOffHeap(h.dataBytes(), "the updater state of " + file);
            INDArray state = updaterState();
            if (state == null) {
                throw new IOException(where + " holds " + h.length() + " values of updater state, but the configuration's updater keeps none");
            }
            if (state.length() != h.length()) {
                throw new IOException(where + " holds " + h.length() + " values; the configuration's updater keeps " + state.length());
            }
            Nd4jArrays.readInto(in, h, state, where);
        }
    }

    /** The network, once the whole file has been read (parameters and updater state in place), on vgg4j's kernels. */
    Model network() throws IOException {
        if (network == null) {
            if (parameters > 0) {
                throw new IOException(file + " has no " + ModelArchive.COEFFICIENTS + " for the " + parameters
                        + " parameters of its configuration");
            }
            network = build(null);
        }
        return FastPath.apply(network); // last: the kernels rebuild the updater on their layers, with its state
    }

    private Model build(INDArray params) throws IOException {
        try {
            Model net;
            if (configuration.isGraph()) {
                if (params != null) {
                    configuration.graph().setDataType(params.dataType()); // as ModelSerializer: old configurations name none
                }
                ComputationGraph g = new ComputationGraph(configuration.graph());
                g.init(params, false);
                net = g;
            } else {
                if (params != null) {
                    configuration.layers().setDataType(params.dataType());
                }
                MultiLayerNetwork m = new MultiLayerNetwork(configuration.layers());
                m.init(params, false);
                net = m;
            }
            requireParameterViewsInside(net, params == null ? 0 : params.length());
            return net;
        } catch (RuntimeException e) {
            throw new IOException(file + ": DL4J cannot build the network its configuration describes: " + ModelFileSafety.firstLine(e), e);
        }
    }

    /**
     * DL4J sizes each layer's parameters with unchecked long arithmetic: dimensions that overflow
     * can give a small total and then views larger than the array under them. Each view must have
     * an exactly computed size, and all of them together the array's.
     */
    private void requireParameterViewsInside(Model net, long total) throws IOException {
        long sum = 0;
        for (Map.Entry<String, INDArray> p : net.paramTable().entrySet()) {
            long n = 1;
            for (long d : p.getValue().shape()) {
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException overflow) {
                    n = -1;
                    break;
                }
            }
            if (n < 0 || n != p.getValue().length() || (sum += n) > total) {
                throw new IOException(file + ": configuration.json declares parameter " + p.getKey() + " of shape "
                        + Arrays.toString(p.getValue().shape()) + ", which does not fit the " + total + " parameters");
            }
        }
    }

    private INDArray updaterState() {
        Updater u = network instanceof MultiLayerNetwork m ? m.getUpdater() : null;
        if (u != null) {
            return u.getStateViewArray();
        }
        return network instanceof ComputationGraph g ? g.getUpdater().getStateViewArray() : null;
    }

    private void requireOffHeap(long bytes, String what) throws IOException {
        String problem = MemoryLimits.offHeapShortfall(bytes, what);
        if (problem != null) {
            throw new IOException(problem);
        }
    }
}
