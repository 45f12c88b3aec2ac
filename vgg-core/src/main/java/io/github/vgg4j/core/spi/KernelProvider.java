package io.github.vgg4j.core.spi;

import io.github.vgg4j.core.Precision;
import org.deeplearning4j.nn.api.Model;

import java.util.List;
import java.util.Map;

/**
 * What a kernel module offers {@link io.github.vgg4j.core.FastPath}: layers of a DL4J network
 * replaced by faster ones that compute the same thing. {@code vgg-onednn} provides one for ND4J's
 * CPU backend; FastPath finds it with {@link java.util.ServiceLoader}, so an application only puts
 * the module on its classpath. Implementations have a public no-argument constructor and are listed
 * in {@code META-INF/services/io.github.vgg4j.core.spi.KernelProvider}.
 */
public interface KernelProvider {

    /** e.g. {@code oneDNN 2.5.2 kernels}: for logs and {@code vgg benchmark}. */
    String describe();

    /** Null when the kernels can run in this process (backend, natives, DL4J version); otherwise why not. */
    String unavailableReason();

    /**
     * Puts the kernels into the model's layers (also inside frozen wrappers), keeping its
     * configuration, parameters, gradients and updater state; returns how many layers now run them.
     * Called only when {@link #unavailableReason()} is null; calling it again is harmless (layers
     * that already run the kernels keep their precision; new ones compute in FP32).
     */
    int install(Model model);

    /**
     * Null when the kernels compute in {@code precision} ({@link Precision#FP32} or {@link
     * Precision#BF16}) natively on this machine; otherwise why not, in words for a user (e.g. which
     * instructions the CPU lacks). FP32 must always be supported.
     */
    default String unsupported(Precision precision) {
        return precision == Precision.FP32 ? null : describe() + " compute in float32 only";
    }

    /**
     * {@link #install(Model)} computing in {@code precision} (FP32 or BF16, which {@link
     * #unsupported} accepted); layers that already run the kernels switch to it. The model's
     * parameters, gradients and updater stay float32.
     */
    default int install(Model model, Precision precision) {
        if (precision != Precision.FP32) {
            throw new UnsupportedOperationException(describe() + " compute in float32 only, not " + precision);
        }
        return install(model);
    }

    /** The precision the model's kernels compute in: FP32 or BF16 (FP32 when it has none). */
    default Precision precision(Model model) {
        return Precision.FP32;
    }

    /** What each layer with the kernels runs, one line per layer ({@code name: description}). */
    List<String> implementations(Model model);

    /**
     * Choices the kernels made by measuring in this process (e.g. a convolution algorithm per
     * geometry); a checkpoint keeps them so that a resumed run computes as the uninterrupted one
     * would have. Empty when nothing is chosen by measurement.
     */
    default Map<String, String> choices() {
        return Map.of();
    }

    /** Makes {@code choices} (from {@link #choices()}, e.g. of a checkpoint) this process's, for kernels created from now on. */
    default void adoptChoices(Map<String, String> choices) {
    }

    /** Forgets this process's choices: kernels created from now on measure again (as in a new process). */
    default void forgetChoices() {
    }

    /**
     * Whether some of the model's kernels that have run are still making their {@link #choices()}
     * by measuring: the steps until they are done run slower than the steady state (a benchmark
     * warms up until this is false). False when nothing is chosen by measurement.
     */
    default boolean measuring(Model model) {
        return false;
    }
}
