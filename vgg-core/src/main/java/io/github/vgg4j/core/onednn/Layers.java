package io.github.vgg4j.core.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * What the kernels need from DL4J's networks and layers that DL4J offers no accessor for: a layer's
 * data type and cache mode, and a network's layer at a position (replaced by a faster subclass).
 */
final class Layers {
    private static final Field DATA_TYPE = field(AbstractLayer.class, "dataType");
    private static final Field CACHE_MODE = field(AbstractLayer.class, "cacheMode");
    private static final Field LAYER_MAP = field(MultiLayerNetwork.class, "layerMap");
    private static final Field BN_HELPER = field(org.deeplearning4j.nn.layers.normalization.BatchNormalization.class, "helper");

    private Layers() {
    }

    static DataType dataType(Layer layer) {
        try {
            return (DataType) DATA_TYPE.get(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    static CacheMode cacheMode(Layer layer) {
        try {
            return (CacheMode) CACHE_MODE.get(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Puts {@code replacement} where {@code old} is: inside the wrapper chain of {@code outer} (a
     * frozen layer), or at {@code index} of the network itself.
     */
    @SuppressWarnings("unchecked")
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
            try {
                ((Map<String, Layer>) LAYER_MAP.get(m)).put(name, replacement);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        } else if (model instanceof ComputationGraph g) {
            g.getLayers()[index] = replacement;
            ((LayerVertex) g.getVertex(name)).setLayer(replacement);
        }
    }

    /** Removes a batch-norm layer's platform helper: DL4J creates it in the constructor only. */
    static void dropHelper(org.deeplearning4j.nn.layers.normalization.BatchNormalization bn) {
        try {
            BN_HELPER.set(bn, null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field field(Class<?> declaring, String name) {
        try {
            Field f = declaring.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's " + declaring.getSimpleName() + " has no field '" + name
                    + "' (a DL4J version other than 1.0.0-M2.1?): vgg4j's kernels cannot attach", e);
        }
    }
}
