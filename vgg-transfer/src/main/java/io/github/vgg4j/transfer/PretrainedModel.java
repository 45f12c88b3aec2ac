package io.github.vgg4j.transfer;

import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A pretrained network (MultiLayerNetwork or ComputationGraph) with what its weights expect: the
 * input shape and the preprocessing ({@link ModelInfo}). Obtained from {@link Pretrained}.
 *
 * <pre>{@code
 * PretrainedModel vgg = Pretrained.open("zoo:vgg16");
 * System.out.println(vgg.info().preprocessing()); // caffe-imagenet (BGR, x1.0, mean [103.939, 116.779, 123.68], ...)
 * }</pre>
 */
public record PretrainedModel(Model network, ModelInfo info) {

    public PretrainedModel {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(info, "info");
        if (!(network instanceof MultiLayerNetwork) && !(network instanceof ComputationGraph)) {
            throw new IllegalArgumentException("not a MultiLayerNetwork or ComputationGraph: " + network.getClass().getName());
        }
        if (info.preprocessing() == null) {
            throw new IllegalArgumentException("a pretrained model needs the preprocessing its weights expect");
        }
    }

    public boolean isGraph() {
        return network instanceof ComputationGraph;
    }

    /** {channels, height, width}. */
    public int[] inputShape() {
        return info.inputShape();
    }

    public Preprocessing preprocessing() {
        return info.preprocessing();
    }

    /** The layer names from input to output (what freezeThrough accepts). */
    public List<String> layerNames() {
        return Chain.of(network).names();
    }

    /** Saves the network and its info (vgg import writes this). */
    public void save(Path file) throws IOException {
        ModelFiles.save(network, file, info, false);
    }
}
