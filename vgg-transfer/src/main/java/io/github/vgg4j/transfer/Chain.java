package io.github.vgg4j.transfer;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A network read as a straight chain of named layers, whether it is a MultiLayerNetwork or a
 * ComputationGraph whose vertices form a line (every VGG does: DL4J's pretrained graphs, Keras
 * imports, VGGBuilder networks). A graph's preprocessor vertex ({@code flatten}) becomes the input
 * preprocessor of the layer after it.
 *
 * <p>Any slice of the chain becomes a MultiLayerNetwork of its own with the same function and a
 * copy of the parameters: the frozen part that featurizes the data, the trainable head that trains
 * on the features. One representation serves both kinds of network, so featurizing does not care
 * which kind the pretrained model was.
 */
final class Chain {

    /**
     * One layer: its configuration (frozen wrappers removed), its input preprocessor, the live
     * layer, and (graphs only) the preprocessor vertex in front of it, if that is where the
     * preprocessor came from.
     */
    record Step(String name, NeuralNetConfiguration conf, InputPreProcessor preProcessor,
                org.deeplearning4j.nn.api.Layer layer, String preprocessorVertex) {
        long numParams() {
            return layer.numParams();
        }
    }

    private final List<Step> steps;
    private final String graphInput;
    private final DataType dataType;
    /** What the source network's kernels compute in: its slices compute in it too. */
    private final Precision precision;

    private Chain(List<Step> steps, String graphInput, DataType dataType, Precision precision) {
        this.steps = List.copyOf(steps);
        this.graphInput = graphInput;
        this.dataType = dataType;
        this.precision = precision;
    }

    static Chain of(Model model) {
        if (model instanceof MultiLayerNetwork m) {
            MultiLayerConfiguration c = m.getLayerWiseConfigurations();
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < m.getnLayers(); i++) {
                NeuralNetConfiguration conf = unfrozen(c.getConf(i));
                steps.add(new Step(conf.getLayer().getLayerName(), conf, c.getInputPreProcess(i), m.getLayer(i), null));
            }
            return new Chain(steps, null, c.getDataType(), FastPath.precision(m));
        }
        if (model instanceof ComputationGraph g) {
            return ofGraph(g);
        }
        throw new IllegalArgumentException("not a MultiLayerNetwork or ComputationGraph: " + model.getClass().getName());
    }

    /** Whether the graph is a line from its one input to its one output. */
    static boolean isChain(ComputationGraph g) {
        try {
            ofGraph(g);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Chain ofGraph(ComputationGraph g) {
        var conf = g.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new IllegalArgumentException("the graph has " + conf.getNetworkInputs().size() + " inputs and "
                    + conf.getNetworkOutputs().size() + " outputs; only single-input, single-output chains are supported");
        }
        Map<String, String> next = new HashMap<>();
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().size() != 1) {
                throw new IllegalArgumentException("vertex '" + e.getKey() + "' has " + e.getValue().size()
                        + " inputs: the graph is not a chain of layers");
            }
            if (next.put(e.getValue().get(0), e.getKey()) != null) {
                throw new IllegalArgumentException("vertex '" + e.getValue().get(0)
                        + "' feeds several vertices: the graph is not a chain of layers");
            }
        }
        List<Step> steps = new ArrayList<>();
        InputPreProcessor pending = null;
        String pendingName = null;
        String input = conf.getNetworkInputs().get(0);
        for (String v = next.get(input); v != null; v = next.get(v)) {
            GraphVertex vertex = conf.getVertices().get(v);
            while (vertex instanceof FrozenVertex f) {
                vertex = f.getUnderlying(); // TransferLearning freezes the vertices before a frozen layer too
            }
            if (vertex instanceof PreprocessorVertex p) {
                if (pending != null) {
                    throw new IllegalArgumentException("two preprocessor vertices in a row before '" + v + "'");
                }
                pending = p.getPreProcessor();
                pendingName = v;
            } else if (vertex instanceof LayerVertex lv) {
                if (lv.getPreProcessor() != null && pending != null) {
                    throw new IllegalArgumentException("layer '" + v + "' has a preprocessor and follows a preprocessor vertex");
                }
                NeuralNetConfiguration c = unfrozen(lv.getLayerConf());
                c.getLayer().setLayerName(v);
                steps.add(new Step(v, c, pending != null ? pending : lv.getPreProcessor(), g.getLayer(v), pendingName));
                pending = null;
                pendingName = null;
            } else {
                throw new IllegalArgumentException("vertex '" + v + "' is a " + vertex.getClass().getSimpleName()
                        + ": only layers and preprocessors can be read as a chain");
            }
        }
        return new Chain(steps, input, conf.getDataType(), FastPath.precision(g));
    }

    static NeuralNetConfiguration unfrozen(NeuralNetConfiguration conf) {
        NeuralNetConfiguration c = conf.clone();
        Layer l = c.getLayer();
        String name = l.getLayerName();
        while (l instanceof FrozenLayer || l instanceof FrozenLayerWithBackprop) {
            l = l instanceof FrozenLayer f ? f.getLayer() : ((FrozenLayerWithBackprop) l).getUnderlying();
        }
        if (l != c.getLayer()) {
            l = l.clone();
            l.setLayerName(name);
            c.setLayer(l);
        }
        return c;
    }

    List<Step> steps() {
        return steps;
    }

    int size() {
        return steps.size();
    }

    List<String> names() {
        return steps.stream().map(Step::name).toList();
    }

    /** Index of a layer, or -1. */
    int indexOf(String name) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The activation type after each layer, for a given network input. */
    List<InputType> outputTypes(InputType input) {
        List<InputType> types = new ArrayList<>();
        InputType t = input;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.preProcessor() != null) {
                t = s.preProcessor().getOutputType(t);
            }
            t = s.conf().getLayer().getOutputType(i, t);
            types.add(t);
        }
        return types;
    }

    /** The graph's input name (null for a MultiLayerNetwork). */
    String graphInput() {
        return graphInput;
    }

    /**
     * Layers {@code from..to} (inclusive) as a new MultiLayerNetwork with a copy of their parameters,
     * on vgg4j's kernels.
     *
     * @param customize applied to each copied layer configuration before the network is built (may be null)
     */
    Precision precision() {
        return precision;
    }

    MultiLayerNetwork slice(int from, int to, java.util.function.Consumer<NeuralNetConfiguration> customize) {
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        Map<Integer, InputPreProcessor> pre = new HashMap<>();
        for (int i = from; i <= to; i++) {
            Step s = steps.get(i);
            NeuralNetConfiguration c = s.conf().clone();
            if (customize != null) {
                customize.accept(c);
            }
            confs.add(c);
            if (s.preProcessor() != null) {
                pre.put(i - from, s.preProcessor().clone());
            }
        }
        // No output-layer validation: a slice may end anywhere (the frozen part ends in a pooling layer).
        MultiLayerConfiguration conf = new MultiLayerConfiguration.Builder().confs(confs).inputPreProcessors(pre)
                .validateOutputLayerConfig(false).dataType(dataType).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = from; i <= to; i++) {
            if (steps.get(i).numParams() > 0) {
                net.getLayer(i - from).params().assign(steps.get(i).layer().params());
            }
        }
        return FastPath.apply(net, precision); // a network vgg4j hands out or trains: on the kernels, in the source's precision
    }

    /** Copies the parameters of every layer of {@code source} into the layer of the same name in {@code target}. */
    static void copyParams(MultiLayerNetwork source, Model target) {
        Chain t = of(target);
        for (int i = 0; i < source.getnLayers(); i++) {
            org.deeplearning4j.nn.api.Layer l = source.getLayer(i);
            if (l.numParams() == 0) {
                continue;
            }
            String name = l.conf().getLayer().getLayerName();
            int j = t.indexOf(name);
            if (j < 0) {
                throw new IllegalStateException("no layer '" + name + "' in the target network " + t.names());
            }
            INDArray dst = t.steps.get(j).layer().params();
            if (dst.length() != l.numParams()) {
                throw new IllegalStateException("layer '" + name + "' has " + l.numParams() + " parameters here and "
                        + dst.length() + " in the target");
            }
            dst.assign(l.params());
        }
    }
}
