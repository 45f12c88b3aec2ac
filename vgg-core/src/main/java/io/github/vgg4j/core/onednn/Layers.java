package io.github.vgg4j.core.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Field;

/**
 * The two fields of DL4J's layers that the kernels need and DL4J offers no setter for: the helper
 * (created by DL4J from fixed class names) and the cached pre-output (set by DL4J only as a copy).
 */
final class Layers {
    private static final Field PRE_OUTPUT = field(AbstractLayer.class, "preOutput");

    private Layers() {
    }

    static void setHelper(Layer layer, Class<?> declaring, LayerHelper helper) {
        try {
            field(declaring, "helper").set(layer, helper);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    static void setPreOutput(Layer layer, INDArray preOutput) {
        try {
            PRE_OUTPUT.set(layer, preOutput);
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
