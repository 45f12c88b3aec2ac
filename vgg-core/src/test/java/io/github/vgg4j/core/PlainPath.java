package io.github.vgg4j.core;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Field;

/** Test support: DL4J's built-in path, and a look at which layers run a platform helper. */
public final class PlainPath {

    private PlainPath() {
    }

    /** A network on DL4J's own layers (no vgg4j kernels, no platform helpers): the reference. */
    public static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        return init(conf, null);
    }

    /**
     * The same with the given parameters (a flat vector of the configuration's data type, copied), or
     * initialised ones if null. Given parameters leave ND4J's global random generator alone (an
     * initialisation reseeds it with the configuration's seed).
     */
    public static MultiLayerNetwork init(MultiLayerConfiguration conf, INDArray params) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init(params, true);
        return net;
    }

    /** The helper class a layer uses, or null. */
    public static String helperOf(Layer layer) {
        return layer.getHelper() == null ? null : layer.getHelper().getClass().getSimpleName();
    }

    /** How often a layer's helper failed and DL4J fell back to its built-in path (0: the helper ran). */
    public static int helperFailures(Layer layer) {
        for (Class<?> c = layer.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("helperCountFail");
                f.setAccessible(true);
                return f.getInt(layer);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return 0;
    }
}
