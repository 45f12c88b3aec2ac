package io.github.vgg4j.transfer;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A pretrained VGG with a new head and frozen layers ({@link FineTune#build()}): the network to
 * train, the names of its frozen layers, and the info (labels, preprocessing, input shape) that is
 * saved with it.
 *
 * <pre>{@code
 * TransferModel m = FineTune.of(base).labels(labels).build();
 * // ... train the head (FineTuner does it on cached features) ...
 * TransferModel block5 = m.unfreezeThrough("block4_pool", 1e-4);   // second stage: block 5 trains too
 * block5.save(Path.of("finetuned.zip"));
 * }</pre>
 */
public final class TransferModel {
    private final Model network;
    private final ModelInfo info;
    private final List<String> frozen;
    private final FineTune options;

    TransferModel(Model network, ModelInfo info, List<String> frozen, FineTune options) {
        this.network = network;
        this.info = info;
        this.frozen = List.copyOf(frozen);
        this.options = options;
    }

    /** The network to train: a MultiLayerNetwork or a ComputationGraph, as the base was. */
    public Model network() {
        return network;
    }

    public ModelInfo info() {
        return info;
    }

    /** The frozen layers, from the input up to the freeze point. */
    public List<String> frozenLayers() {
        return frozen;
    }

    public String freezeThrough() {
        return frozen.get(frozen.size() - 1);
    }

    /** Every layer from input to output. */
    public List<String> layerNames() {
        return Chain.of(network).names();
    }

    /** Parameters that training changes (those of the layers after the freeze point). */
    public long trainableParams() {
        long n = 0;
        for (Chain.Step s : Chain.of(network).steps()) {
            if (!frozen.contains(s.name())) {
                n += s.numParams();
            }
        }
        return n;
    }

    /**
     * The same network with more layers trainable (the second stage of a fine-tuning: e.g. block 5
     * once the new head has been trained), at a new learning rate for every trainable layer.
     */
    public TransferModel unfreezeThrough(String layer, double learningRate) {
        Model plain = plainNetwork();
        Chain chain = Chain.of(plain);
        int index = LayerNames.resolve(chain, layer, info.architecture());
        if (index >= frozen.size() - 1) {
            throw new IllegalArgumentException("unfreezing through '" + layer + "' would not train more than freezing through '"
                    + freezeThrough() + "' does; give an earlier layer, e.g. the pool of the block before");
        }
        var ftc = options.configuration(learningRate);
        Model next = plain instanceof MultiLayerNetwork m
                ? new TransferLearning.Builder(m).fineTuneConfiguration(ftc).setFeatureExtractor(index).build()
                : new TransferLearning.GraphBuilder((ComputationGraph) plain).fineTuneConfiguration(ftc)
                        .setFeatureExtractor(chain.names().get(index)).build();
        Map<String, String> props = new java.util.LinkedHashMap<>(info.properties());
        props.put("freezeThrough", chain.names().get(index));
        return new TransferModel(FastPath.apply(next, FastPath.precision(network)), new ModelInfo(info.architecture(), info.inputShape(), info.labels(), info.preprocessing(),
                props), chain.names().subList(0, index + 1), options);
    }

    /**
     * A copy of the network without the frozen wrappers (what is saved: a plain network that a
     * later fine-tuning or {@code vgg evaluate} loads like any other), on vgg4j's kernels in the
     * network's precision.
     */
    public Model plainNetwork() {
        if (network instanceof MultiLayerNetwork m) {
            MultiLayerConfiguration conf = m.getLayerWiseConfigurations().clone();
            for (int i = 0; i < conf.getConfs().size(); i++) {
                conf.getConfs().set(i, Chain.unfrozen(conf.getConf(i)));
            }
            MultiLayerNetwork plain = new MultiLayerNetwork(conf);
            plain.init(m.params().dup(), false);
            return FastPath.apply(plain, FastPath.precision(network));
        }
        ComputationGraph g = (ComputationGraph) network;
        ComputationGraphConfiguration conf = g.getConfiguration().clone();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            while (v instanceof FrozenVertex f) {
                v = f.getUnderlying();
            }
            if (v instanceof LayerVertex lv) {
                v = new LayerVertex(Chain.unfrozen(lv.getLayerConf()), lv.getPreProcessor());
            }
            e.setValue(v);
        }
        ComputationGraph plain = new ComputationGraph(conf);
        plain.init(g.params().dup(), false);
        return FastPath.apply(plain, FastPath.precision(network));
    }

    /** Saves the plain network with its labels and preprocessing (atomically). */
    public void save(Path file) throws IOException {
        ModelFiles.save(plainNetwork(), file, info, false);
    }

    FineTune options() {
        return options;
    }
}
