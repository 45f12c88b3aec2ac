package io.github.vgg4j.cli.report;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/** The output of a named layer (inference mode) of a MultiLayerNetwork or ComputationGraph. */
public final class Activations {
    private Activations() {
    }

    /** Layer names in order, to name the valid choices in an error. */
    public static List<String> layerNames(Model model) {
        List<String> names = new ArrayList<>();
        if (model instanceof MultiLayerNetwork n) {
            for (int i = 0; i < n.getnLayers(); i++) {
                names.add(n.getLayerWiseConfigurations().getConf(i).getLayer().getLayerName());
            }
        } else {
            ComputationGraph g = (ComputationGraph) model;
            for (int i : g.topologicalSortOrder()) {
                String name = g.getConfiguration().getTopologicalOrderStr().get(i);
                if (!g.getConfiguration().getNetworkInputs().contains(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Checks that {@code layer} exists, with the valid names in the message if not. */
    public static void requireLayer(Model model, String layer, String option) {
        List<String> names = layerNames(model);
        if (!names.contains(layer)) {
            throw new IllegalArgumentException(option + ": the model has no layer '" + layer + "'; its layers are " + names);
        }
    }

    public static INDArray of(Model model, String layer, INDArray input) {
        if (model instanceof MultiLayerNetwork n) {
            int index = layerNames(model).indexOf(layer);
            List<INDArray> acts = n.feedForwardToLayer(index, input, false);
            return acts.get(acts.size() - 1).detach();
        }
        return ((ComputationGraph) model).feedForward(input, false).get(layer).detach();
    }
}
