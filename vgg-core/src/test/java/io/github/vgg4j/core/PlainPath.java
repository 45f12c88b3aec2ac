package io.github.vgg4j.core;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Field;

/** Test support: DL4J's built-in (helper-free) path, and a look at which layers run a helper. */
public final class PlainPath {

    private PlainPath() {
    }

    /** A network whose layers were created without platform helpers (DL4J's own Java/libnd4j path). */
    public static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        return init(conf, null);
    }

    /**
     * The same with the given parameters (a flat vector of the configuration's data type, copied), or
     * initialised ones if null. Given parameters leave ND4J's global random generator alone (an
     * initialisation reseeds it with the configuration's seed).
     */
    public static synchronized MultiLayerNetwork init(MultiLayerConfiguration conf, INDArray params) {
        FastPath.install();
        String previous = System.getProperty(FastPath.HELPERS_DISABLE);
        System.setProperty(FastPath.HELPERS_DISABLE, "true");
        try {
            MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
            net.init(params, true);
            return net;
        } finally {
            if (previous == null) {
                System.clearProperty(FastPath.HELPERS_DISABLE);
            } else {
                System.setProperty(FastPath.HELPERS_DISABLE, previous);
            }
        }
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
