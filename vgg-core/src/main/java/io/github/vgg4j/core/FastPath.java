package io.github.vgg4j.core;

import io.github.vgg4j.core.internal.CrashDumps;
import io.github.vgg4j.core.internal.Dl4jInternals;
import io.github.vgg4j.core.spi.KernelProvider;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * Puts vgg4j's kernels into a DL4J network: its convolution, max-pooling and batch-norm layers
 * replaced by ones that compute the same on faster kernels (on CPU, {@code vgg-onednn}'s oneDNN 2.5
 * kernels: ~7x DL4J 1.0.0-M2.1's own speed, see docs/performance.md). Every network vgg4j hands out
 * has them already ({@link VGGBuilder#buildNetwork()}, {@link VGGBuilder#buildGraph()}, the zoo
 * models, {@code ModelFiles.load}, fine-tuning, the feature cache, searches). A network made with
 * DL4J's own API gets them from one call:
 *
 * <pre>{@code
 * MultiLayerNetwork restored = FastPath.apply(ModelSerializer.restoreMultiLayerNetwork(file));
 * ComputationGraph tuned = FastPath.apply(new TransferLearning.GraphBuilder(graph)...build());
 * }</pre>
 *
 * Calling it again is harmless. A copy ({@code net.clone()}) is a new network: apply it again.
 *
 * <p>Precision: the kernels compute in float32 unless told otherwise ({@link #apply(Model,
 * Precision)}, {@link VGGBuilder#precision}); {@link Precision#BF16} computes in bfloat16 on CPUs that
 * do it natively, with the network's parameters, gradients, updater and saved files still float32.
 *
 * <p>Where the kernels come from: a {@link KernelProvider} on the classpath ({@code vgg-onednn} for
 * ND4J's CPU backend), found once per process. Without one (e.g. on ND4J's CUDA backend), or when the
 * DL4J on the classpath is not the version the kernels were built for ({@link Dl4jInternals}),
 * networks run on DL4J's own layers and {@link #status()} says why. Nothing happens before the
 * first network is made or loaded: building a configuration changes nothing in the JVM.
 * {@code -Dvgg4j.fastpath=false} leaves every network as DL4J made it. At that first network DL4J's
 * memory crash dumps are also pointed away from the working directory ({@link CrashDumps}).
 */
public final class FastPath {
    /** {@code false} leaves networks as DL4J made them. */
    public static final String OPT_OUT = "vgg4j.fastpath";

    private static final Logger log = LoggerFactory.getLogger(FastPath.class);
    private static volatile Selection selection;

    private FastPath() {
    }

    /**
     * What {@link #apply} does in this process: the ND4J backend, whether vgg4j's kernels are
     * attached, and a line that says which kernels or why none.
     */
    public record Status(String backend, boolean kernels, String detail) {
    }

    /**
     * Gives a network vgg4j's kernels and DL4J's activation cache for training ({@link
     * CacheMode#DEVICE}, when it had none, so that layers without kernels do not run their forward
     * pass twice per step). Returns the same network. Layers that already run the kernels keep
     * their precision; new ones compute in float32.
     */
    public static <M extends Model> M apply(M model) {
        return apply(model, selection(), null);
    }

    /**
     * {@link #apply(Model)} with the kernels computing in {@code precision} ({@link #resolve}d:
     * {@link Precision#AUTO} picks bfloat16 where the CPU has it); a network that already runs
     * them switches. Returns the same network.
     *
     * @throws IllegalStateException for {@link Precision#BF16} where it cannot run natively
     */
    public static <M extends Model> M apply(M model, Precision precision) {
        return apply(model, selection(), resolve(precision));
    }

    /**
     * What {@code precision} means in this process: {@link Precision#FP32} or {@link
     * Precision#BF16}, never AUTO.
     *
     * @throws IllegalStateException for BF16 where the kernels cannot compute it natively (no
     *                               kernels, or a CPU without AVX-512 BF16 or AMX), saying why
     */
    public static Precision resolve(Precision precision) {
        if (precision == null || precision == Precision.FP32) {
            return Precision.FP32;
        }
        Selection s = selection();
        String why = s.provider() != null ? s.provider().unsupported(Precision.BF16) : s.status().detail();
        if (why == null) {
            return Precision.BF16;
        }
        if (precision == Precision.AUTO) {
            return Precision.FP32;
        }
        throw new IllegalStateException("bfloat16 needs a CPU that computes it natively (AVX-512 BF16 or AMX) and "
                + "vgg4j's kernels, and " + why + "; use precision fp32 (or auto: bf16 only where it is native)");
    }

    /** The precision the model's kernels compute in: FP32 or BF16 (FP32 without kernels). */
    public static Precision precision(Model model) {
        KernelProvider p = selection().provider();
        return p == null ? Precision.FP32 : p.precision(model);
    }

    static <M extends Model> M apply(M model, Selection s) {
        return apply(model, s, null);
    }

    /** With {@code precision} null, kernel layers already in the model keep theirs. */
    private static <M extends Model> M apply(M model, Selection s, Precision precision) {
        if (s.provider() != null) {
            if (model instanceof MultiLayerNetwork m && m.getLayerWiseConfigurations().getCacheMode() == CacheMode.NONE) {
                m.getLayerWiseConfigurations().setCacheMode(CacheMode.DEVICE);
                m.setCacheMode(CacheMode.DEVICE);
            } else if (model instanceof ComputationGraph g && g.getConfiguration().getCacheMode() == CacheMode.NONE) {
                g.getConfiguration().setCacheMode(CacheMode.DEVICE);
                g.setCacheMode(CacheMode.DEVICE);
            }
            // after the cache mode: the kernel layers take it over
            if (precision == null) {
                s.provider().install(model);
            } else {
                s.provider().install(model, precision);
            }
        }
        return model;
    }

    /** What each layer with vgg4j's kernels runs, one line per layer; empty when none has them. */
    public static List<String> implementations(Model model) {
        KernelProvider p = selection().provider();
        return p == null ? List.of() : p.implementations(model);
    }

    /** The kernel provider in use, if any (for checkpoints of its measured choices, and tests). */
    public static Optional<KernelProvider> kernels() {
        return Optional.ofNullable(selection().provider());
    }

    /** Finds the kernels (once per process) and says what is in effect. */
    public static Status status() {
        return selection().status();
    }

    /** What this process runs: the status, and the provider when the kernels are on. */
    record Selection(Status status, KernelProvider provider) {
    }

    private static Selection selection() {
        Selection s = selection;
        if (s == null) {
            synchronized (FastPath.class) {
                s = selection;
                if (s == null) {
                    // once per process, before the first network vgg4j hands out can fail: DL4J's crash
                    // dumps go to ~/.vgg4j/crash, not into the user's working directory
                    CrashDumps.outOfWorkingDirectory();
                    boolean optedOut = "false".equalsIgnoreCase(System.getProperty(OPT_OUT));
                    s = select(backend(), optedOut ? null : ServiceLoader.load(KernelProvider.class,
                            FastPath.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList(),
                            Dl4jInternals::mismatch);
                    selection = s;
                    log.debug("vgg4j fast path: {}", s.status());
                }
            }
        }
        return s;
    }

    /**
     * The first provider that can run here, given the DL4J check ({@code found} null: opted out).
     * A provider that cannot run, or DL4J internals that differ from what the kernels were built
     * for, is one log line; networks then stay on DL4J's own layers.
     */
    static Selection select(String backend, List<KernelProvider> found, Supplier<Optional<String>> dl4jMismatch) {
        if (found == null) {
            return new Selection(new Status(backend, false, "-D" + OPT_OUT + "=false: DL4J's own layers"), null);
        }
        if (found.isEmpty()) {
            return new Selection(new Status(backend, false, "no vgg4j kernels on the classpath: DL4J's own layers"
                    + ("CPU".equalsIgnoreCase(backend) ? " (add io.github.vgg4j:vgg-onednn for vgg4j's oneDNN kernels, ~7x faster)" : "")),
                    null);
        }
        StringBuilder why = new StringBuilder();
        for (KernelProvider p : found) {
            String unavailable = p.unavailableReason();
            if (unavailable == null) {
                unavailable = dl4jMismatch.get().orElse(null);
            }
            if (unavailable == null) {
                return new Selection(new Status(backend, true, p.describe()), p);
            }
            why.append(why.length() == 0 ? "" : "; ").append(p.describe()).append(" off: ").append(unavailable);
        }
        log.info("vgg4j's kernels are off ({}); networks run on DL4J's own layers", why);
        return new Selection(new Status(backend, false, why.toString()), null);
    }

    private static String backend() {
        try {
            return Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
        } catch (RuntimeException | LinkageError e) {
            return "none (" + e.getMessage() + ")";
        }
    }
}
