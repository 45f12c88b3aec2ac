package io.github.vgg4j.core.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every part of DL4J that vgg4j relies on and that is not DL4J's public API, in one place: for
 * whoever upgrades DL4J, the list to check (docs/performance.md prints it), and for the running
 * process, a check made once, at the first network that would get vgg4j's kernels.
 *
 * <p>Three kinds of touch point: a non-public field vgg4j writes by reflection; a workspace name
 * that DL4J keeps in a protected constant (vgg4j frees or recognises those workspaces); and the
 * protected members that vgg4j's kernel layers (subclasses of DL4J's convolution, pooling and
 * batch-norm layers) read, call or override. With another DL4J version any of them may be gone or
 * changed; then {@link #mismatch()} says which, the kernels stay off (one log line), and every
 * network runs on DL4J's own layers, which need none of this. Internal: for vgg4j's modules.
 */
public final class Dl4jInternals {
    private static final Logger log = LoggerFactory.getLogger(Dl4jInternals.class);

    private static final String NN = "org.deeplearning4j.nn.";
    private static final String ABSTRACT_LAYER = NN + "layers.AbstractLayer";
    private static final String BASE_LAYER = NN + "layers.BaseLayer";
    private static final String CONV_LAYER = NN + "layers.convolution.ConvolutionLayer";
    private static final String POOL_LAYER = NN + "layers.convolution.subsampling.SubsamplingLayer";
    private static final String BN_LAYER = NN + "layers.normalization.BatchNormalization";
    private static final String MLN = NN + "multilayer.MultiLayerNetwork";
    private static final String GRAPH = NN + "graph.ComputationGraph";
    private static final String MGR = NN + "workspace.LayerWorkspaceMgr";
    private static final String ARRAY = "org.nd4j.linalg.api.ndarray.INDArray";
    private static final String CONF = NN + "conf.NeuralNetConfiguration";
    private static final String DATA_TYPE = "org.nd4j.linalg.api.buffer.DataType";

    /** MultiLayerNetwork's and ComputationGraph's workspace for the activations of a training step. */
    public static final String TRAINING_ACTIVATIONS = "WS_ALL_LAYERS_ACT";
    /** Prefix of their inference-activation and error workspaces ({@code _1}, {@code _2}; {@code _0}.. in a graph). */
    public static final String LAYER_ACTIVATIONS_PREFIX = "WS_LAYER_ACT_";

    /** One member of DL4J that vgg4j depends on: what it is, where, and why vgg4j needs it. */
    public record TouchPoint(Kind kind, String owner, String member, List<String> types, String why) {
        public TouchPoint {
            types = List.copyOf(types);
        }

        @Override
        public String toString() {
            String simple = owner.substring(owner.lastIndexOf('.') + 1);
            return switch (kind) {
                case FIELD -> simple + "." + member + " (field)";
                case METHOD -> simple + "." + member + "(" + String.join(", ", types.stream()
                        .map(t -> t.substring(t.lastIndexOf('.') + 1)).toList()) + ")";
                case CONSTANT -> simple + "." + member + " = \"" + types.get(0) + "\"";
                case CONSTRUCTOR -> simple + "(" + String.join(", ", types.stream()
                        .map(t -> t.substring(t.lastIndexOf('.') + 1)).toList()) + ")";
            };
        }
    }

    /** A declared field (type in {@code types}), method or constructor (parameter types), or a String constant (its value). */
    public enum Kind { FIELD, METHOD, CONSTRUCTOR, CONSTANT }

    /** The touch points, grouped by who needs them. */
    public static final List<TouchPoint> TOUCH_POINTS = List.of(
            // Written by reflection: a replaced layer must also be what getLayer(name) returns.
            field(MLN, "layerMap", "java.util.LinkedHashMap", "kernel layers replace DL4J's under their names"),
            // Workspace names (Workspaces.releaseActivations; errors written in place only inside a training step).
            constant(MLN, "WS_ALL_LAYERS_ACT", TRAINING_ACTIVATIONS, "training activations"),
            constant(MLN, "WS_LAYER_ACT_1", LAYER_ACTIVATIONS_PREFIX + "1", "inference activations / errors"),
            constant(MLN, "WS_LAYER_ACT_2", LAYER_ACTIVATIONS_PREFIX + "2", "inference activations / errors"),
            constant(GRAPH, "WS_ALL_LAYERS_ACT", TRAINING_ACTIVATIONS, "training activations"),
            // The kernel layers are DL4J's layers with two methods overridden: what they use of their superclasses.
            constructor(CONV_LAYER, "kernel layer built from DL4J's configuration", CONF, DATA_TYPE),
            constructor(POOL_LAYER, "kernel layer built from DL4J's configuration", CONF, DATA_TYPE),
            constructor(BN_LAYER, "kernel layer built from DL4J's configuration", CONF, DATA_TYPE),
            method(CONV_LAYER, "activate", "overridden", "boolean", MGR),
            method(CONV_LAYER, "backpropGradient", "overridden", ARRAY, MGR),
            method(POOL_LAYER, "activate", "overridden", "boolean", MGR),
            method(POOL_LAYER, "backpropGradient", "overridden", ARRAY, MGR),
            method(BN_LAYER, "activate", "overridden", "boolean", MGR),
            method(BN_LAYER, "backpropGradient", "overridden", ARRAY, MGR),
            field(ABSTRACT_LAYER, "input", ARRAY, "the layer's input"),
            field(ABSTRACT_LAYER, "dataType", DATA_TYPE, "float32 only"),
            method(ABSTRACT_LAYER, "layerConf", "the layer's configuration"),
            method(ABSTRACT_LAYER, "assertInputSet", "DL4J's input check", "boolean"),
            method(ABSTRACT_LAYER, "applyDropOutIfNecessary", "input dropout as DL4J applies it", "boolean", MGR),
            method(ABSTRACT_LAYER, "backpropDropOutIfPresent", "input dropout as DL4J applies it", ARRAY),
            field(BASE_LAYER, "gradientViews", "java.util.Map", "gradients written into DL4J's views"),
            field(BASE_LAYER, "weightNoiseParams", "java.util.Map", "weight noise as DL4J applies it"),
            method(BASE_LAYER, "getParamWithNoise", "weight noise as DL4J applies it", "java.lang.String", "boolean", MGR),
            method(BASE_LAYER, "hasBias", "kernels need a bias"),
            field(CONV_LAYER, "convolutionMode", NN + "conf.ConvolutionMode", "Same/Truncate padding"),
            field(BN_LAYER, "ONE_ON_2LOGE_10", "double", "the running variance kept as log10 of the std, as DL4J keeps it"),
            method(CONV_LAYER, "validateInputRank", "DL4J's input check"),
            method(CONV_LAYER, "validateInputDepth", "DL4J's input check", "long"));

    private static volatile Optional<String> mismatch;

    private Dl4jInternals() {
    }

    /**
     * Empty when every touch point is as vgg4j expects (DL4J 1.0.0-M2.1); otherwise which ones are
     * not. Checked once per process; a mismatch is logged once.
     */
    public static Optional<String> mismatch() {
        Optional<String> m = mismatch;
        if (m == null) {
            synchronized (Dl4jInternals.class) {
                m = mismatch;
                if (m == null) {
                    m = check(TOUCH_POINTS);
                    m.ifPresent(why -> log.warn("vgg4j's kernels are off: {}. Networks run on DL4J's own layers.", why));
                    mismatch = m;
                }
            }
        }
        return m;
    }

    /** Checks the given touch points against the DL4J on the classpath: empty, or what is missing or changed. */
    public static Optional<String> check(List<TouchPoint> points) {
        List<String> wrong = new ArrayList<>();
        for (TouchPoint p : points) {
            String problem = problem(p);
            if (problem != null) {
                wrong.add(p + ": " + problem);
            }
        }
        return wrong.isEmpty() ? Optional.empty() : Optional.of("this DL4J differs from 1.0.0-M2.1, which vgg4j's kernels were built for ("
                + String.join("; ", wrong) + ")");
    }

    /** Makes {@code replacement} what {@code net.getLayer(name)} returns (DL4J keeps layers by name in a protected map). */
    @SuppressWarnings("unchecked")
    public static void replaceLayerByName(MultiLayerNetwork net, String name, Layer replacement) {
        try {
            Field f = MultiLayerNetwork.class.getDeclaredField("layerMap");
            f.setAccessible(true);
            ((Map<String, Layer>) f.get(net)).put(name, replacement);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot replace layer '" + name + "' in DL4J's MultiLayerNetwork: " + e, e);
        }
    }

    private static String problem(TouchPoint p) {
        Class<?> owner;
        try {
            owner = Class.forName(p.owner(), false, Dl4jInternals.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "class not found";
        }
        try {
            switch (p.kind()) {
                case FIELD -> {
                    Field f = owner.getDeclaredField(p.member());
                    return f.getType().getName().equals(p.types().get(0)) || isAssignable(p.types().get(0), f.getType())
                            ? null : "type is " + f.getType().getName();
                }
                case CONSTANT -> {
                    Field f = owner.getDeclaredField(p.member());
                    if (!Modifier.isStatic(f.getModifiers())) {
                        return "not static";
                    }
                    f.setAccessible(true);
                    Object value = f.get(null);
                    return Objects.equals(value, p.types().get(0)) ? null : "value is \"" + value + "\"";
                }
                case METHOD -> {
                    Method m = findMethod(owner, p.member(), types(p.types()));
                    return m == null ? "no such method" : null;
                }
                case CONSTRUCTOR -> {
                    owner.getDeclaredConstructor(types(p.types()));
                    return null;
                }
            }
        } catch (NoSuchFieldException e) {
            return "no such field";
        } catch (NoSuchMethodException e) {
            return "no such constructor";
        } catch (ClassNotFoundException e) {
            return "class " + e.getMessage() + " not found";
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return e.toString();
        }
        return null;
    }

    private static boolean isAssignable(String declared, Class<?> actual) {
        try {
            return Class.forName(declared, false, Dl4jInternals.class.getClassLoader()).isAssignableFrom(actual);
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Method findMethod(Class<?> owner, String name, Class<?>[] params) {
        for (Class<?> c = owner; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredMethod(name, params);
            } catch (NoSuchMethodException e) {
                // a superclass may declare it
            }
        }
        return null;
    }

    private static Class<?>[] types(List<String> names) throws ClassNotFoundException {
        Class<?>[] types = new Class<?>[names.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = switch (names.get(i)) {
                case "boolean" -> boolean.class;
                case "int" -> int.class;
                case "long" -> long.class;
                case "double" -> double.class;
                default -> Class.forName(names.get(i), false, Dl4jInternals.class.getClassLoader());
            };
        }
        return types;
    }

    private static TouchPoint field(String owner, String name, String type, String why) {
        return new TouchPoint(Kind.FIELD, owner, name, List.of(type), why);
    }

    private static TouchPoint constant(String owner, String name, String value, String why) {
        return new TouchPoint(Kind.CONSTANT, owner, name, List.of(value), why);
    }

    private static TouchPoint method(String owner, String name, String why, String... params) {
        return new TouchPoint(Kind.METHOD, owner, name, Arrays.asList(params), why);
    }

    private static TouchPoint constructor(String owner, String why, String... params) {
        return new TouchPoint(Kind.CONSTRUCTOR, owner, "<init>", Arrays.asList(params), why);
    }
}
