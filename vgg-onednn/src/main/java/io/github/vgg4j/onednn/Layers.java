package io.github.vgg4j.onednn;

import io.github.vgg4j.core.internal.Dl4jInternals;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Puts a kernel layer where DL4J's layer was in a network. */
final class Layers {

    private Layers() {
    }

    /**
     * Puts {@code replacement} where {@code old} is: inside the wrapper chain of {@code outer} (a
     * frozen layer), or at {@code index} of the network itself (and under its name: DL4J's
     * MultiLayerNetwork keeps its layers by name too, in a map only reflection reaches).
     */
    static void replace(Model model, int index, Layer outer, Layer old, Layer replacement) {
        if (outer != old) {
            Layer l = outer;
            while (l instanceof BaseWrapperLayer w && w.getUnderlying() != old) {
                l = w.getUnderlying();
            }
            ((BaseWrapperLayer) l).setUnderlying(replacement);
            return;
        }
        String name = old.conf().getLayer().getLayerName();
        if (model instanceof MultiLayerNetwork m) {
            m.getLayers()[index] = replacement;
            Dl4jInternals.replaceLayerByName(m, name, replacement);
        } else if (model instanceof ComputationGraph g) {
            g.getLayers()[index] = replacement;
            ((LayerVertex) g.getVertex(name)).setLayer(replacement);
        }
    }
}
