package io.github.vgg4j.core;

import io.github.vgg4j.core.onednn.OneDnnKernels;
import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.Nd4jCpu;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the networks vgg4j builds or loads run convolution, pooling, batch norm and LRN through
 * ND4J's oneDNN kernels on CPU. Called by {@link VGGBuilder}, the zoo models and the model loader,
 * so users never have to know; calling it again is free.
 *
 * <p>Stock DL4J 1.0.0-M2.1 never reaches oneDNN (../shared/notes/dl4j-cpu-performance.md):
 * <ol>
 *   <li>{@code HelperUtils.createHelper} creates no layer helper while the system property
 *       {@value #HELPERS_DISABLE} is unset (its default is {@code true}). It is read when a layer
 *       is instantiated, so it is set here, before any network is initialised. A value the user
 *       set explicitly is respected.</li>
 *   <li>The oneDNN availability check looks up a class that M2.1 renamed; vgg-core ships it again
 *       ({@link Nd4jCpu.Environment}).</li>
 *   <li>JavaCPP loads the plain libnd4j build unless told to prefer the oneDNN one: the platform
 *       extension ({@value #PLATFORM_EXTENSION}) is set to {@code -onednn} when that build is on the
 *       classpath, before ND4J loads its natives.</li>
 * </ol>
 * NCHW is kept: NHWC with the oneDNN helper gave wrong gradients in M2.1.
 *
 * <p>{@link #apply} then gives a network vgg4j's own convolution and max-pooling kernels (oneDNN
 * 2.5, the faster algorithm per layer, bias and ReLU fused; {@code io.github.vgg4j.core.onednn}). The builder, the zoo models and the model loader call it; a network made with
 * {@code new MultiLayerNetwork(conf).init()} gets it from {@code FastPath.apply(net)}.
 * Opt out with {@code -D}{@value #OPT_OUT}{@code =false} (everything) or {@code -Dvgg4j.onednn=false}
 * (vgg4j's kernels only).
 */
public final class FastPath {
    /** DL4J's switch for platform helpers (cuDNN / oneDNN); DL4J defaults it to {@code true}. */
    public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";
    /** JavaCPP's preferred native build suffix, e.g. {@code -onednn}. */
    public static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";
    /** {@code false} leaves DL4J's defaults untouched. */
    public static final String OPT_OUT = "vgg4j.fastpath";

    private static final Logger log = LoggerFactory.getLogger(FastPath.class);
    private static volatile Status status;

    private FastPath() {
    }

    /**
     * What the fast path found; {@link #helpersEnabled()} tells whether layers get oneDNN helpers,
     * {@code kernels} whether {@link #apply} attaches vgg4j's own convolution kernels.
     */
    public record Status(String backend, boolean oneDnn, boolean helpersEnabled, boolean kernels, String detail) {
    }

    /**
     * Gives a network built or loaded elsewhere the fast path: vgg4j's oneDNN kernels in its
     * convolution, max-pooling and batch-norm layers, and DL4J's activation cache for training
     * ({@link CacheMode#DEVICE}, so that layers without vgg4j's kernels do not run their forward pass
     * twice per step) when it had none. Returns the network. A clone ({@code net.clone()}) is a new
     * network: apply it again.
     */
    public static <M extends Model> M apply(M model) {
        Status s = install();
        if (s.helpersEnabled()) {
            if (model instanceof MultiLayerNetwork m && m.getLayerWiseConfigurations().getCacheMode() == CacheMode.NONE) {
                m.getLayerWiseConfigurations().setCacheMode(CacheMode.DEVICE);
                m.setCacheMode(CacheMode.DEVICE);
            } else if (model instanceof ComputationGraph g && g.getConfiguration().getCacheMode() == CacheMode.NONE) {
                g.getConfiguration().setCacheMode(CacheMode.DEVICE);
                g.setCacheMode(CacheMode.DEVICE);
            }
        }
        if (s.kernels()) {
            OneDnnKernels.install(model); // after the cache mode: its layers keep their own cache
        }
        OneDnnKernels.dropBatchNormHelpers(model); // any left: DL4J's own batch norm, the reference (see there)
        return model;
    }

    /** Installs the workarounds (once per JVM) and says what is in effect. */
    public static Status install() {
        Status s = status;
        if (s == null) {
            synchronized (FastPath.class) {
                s = status;
                if (s == null) {
                    s = doInstall();
                    status = s;
                    log.debug("vgg4j fast path: {}", s);
                }
            }
        }
        return s;
    }

    private static Status doInstall() {
        if ("false".equalsIgnoreCase(System.getProperty(OPT_OUT))) {
            return new Status(backend(), false, helpersOn(), false, OPT_OUT + "=false: DL4J defaults kept");
        }
        if (System.getProperty(PLATFORM_EXTENSION) == null) {
            String extension = preferredExtension();
            if (extension != null) {
                System.setProperty(PLATFORM_EXTENSION, extension);
            }
        }
        String backend = backend();
        if (!"CPU".equalsIgnoreCase(backend)) {
            // M2.1 ships no cuDNN layer helper classes: enabling helpers on CUDA only logs warnings.
            return new Status(backend, false, helpersOn(), false, "non-CPU backend: DL4J's built-in layers");
        }
        boolean oneDnn = Nd4jCpu.Environment.getInstance().isUseMKLDNN();
        if (System.getProperty(HELPERS_DISABLE) == null) {
            System.setProperty(HELPERS_DISABLE, "false");
        }
        Nd4j.getEnvironment().allowHelpers(true);
        if (!oneDnn) {
            log.warn("ND4J's CPU backend was loaded without oneDNN: convolutions take DL4J's slow path. "
                    + "Put nd4j-native's '<os>-onednn' classifier on the classpath and start the JVM with -D"
                    + PLATFORM_EXTENSION + "=-onednn (or use vgg4j before any other ND4J call).");
            return new Status(backend, false, helpersOn(), false, "libnd4j without oneDNN loaded");
        }
        if (!helpersOn()) {
            return new Status(backend, true, false, false, HELPERS_DISABLE + "=true set by the user: helpers off");
        }
        boolean kernels = OneDnnKernels.available();
        return new Status(backend, true, true, kernels, "oneDNN helpers on; vgg4j kernels " + OneDnnKernels.describe());
    }

    private static boolean helpersOn() {
        return "false".equalsIgnoreCase(System.getProperty(HELPERS_DISABLE, "true"));
    }

    private static String backend() {
        return Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
    }

    /** The accelerated native build present on the classpath for this platform, if any. */
    private static String preferredExtension() {
        String platform = Loader.getPlatform();
        ClassLoader cl = FastPath.class.getClassLoader();
        if (cl.getResource("org/nd4j/linalg/cpu/nativecpu/bindings/" + platform + "-onednn/") != null) {
            return "-onednn";
        }
        if (cl.getResource("org/nd4j/linalg/jcublas/bindings/" + platform + "-cudnn/") != null) {
            return "-cudnn";
        }
        return null;
    }
}
