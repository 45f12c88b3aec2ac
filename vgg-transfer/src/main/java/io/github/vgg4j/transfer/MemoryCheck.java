package io.github.vgg4j.transfer;

import io.github.vgg4j.core.internal.MemoryLimits;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Memory checks before the big allocations of transfer learning, so that a model that cannot fit
 * fails at once with a sentence naming the setting to raise; the limits and messages are vgg-core's
 * {@link MemoryLimits}, shared with the model loader and the network builder.
 */
final class MemoryCheck {
    static final String MAX_BYTES = MemoryLimits.MAX_BYTES;
    static final String MAX_PHYSICAL = MemoryLimits.MAX_PHYSICAL;

    private MemoryCheck() {
    }

    /** Before a network of {@code params} parameters is allocated. */
    static void beforeAllocating(long params, String what) {
        requireOffHeap(params * 4, what + " (" + String.format(Locale.ROOT, "%,d", params) + " parameters)");
    }

    /** Before training: {@link #trainingBytes} at this batch size must fit. */
    static void beforeTraining(Model net, InputType input, int batch, String what) {
        long bytes;
        try {
            bytes = trainingBytes(net, input, batch);
        } catch (RuntimeException e) {
            return; // layers DL4J cannot describe: train and let the OutOfMemoryError translation speak
        }
        requireOffHeap(bytes, what + " at batch " + batch + " (activations, gradients and updater state; lower --batch, or)");
    }

    /** {@link MemoryLimits#trainingBytes}. */
    static long trainingBytes(Model net, InputType input, int batch) {
        return MemoryLimits.trainingBytes(net, input, batch);
    }

    static void requireHeap(long bytes, String what) {
        String problem = MemoryLimits.heapShortfall(bytes, what);
        if (problem != null) {
            throw new InsufficientMemoryException(problem);
        }
    }

    static void requireOffHeap(long bytes, String what) {
        String problem = MemoryLimits.offHeapShortfall(bytes, what);
        if (problem != null) {
            throw new InsufficientMemoryException(problem);
        }
    }

    /** Runs {@code work}, turning JavaCPP's allocation failure into a message that names the setting. */
    static <T> T translatingOutOfMemory(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (OutOfMemoryError e) {
            throw explain(what, e);
        }
    }

    static InsufficientMemoryException explain(String what, OutOfMemoryError e) {
        return new InsufficientMemoryException(MemoryLimits.explain(what, e), e);
    }

    static String mb(long bytes) {
        return MemoryLimits.mb(bytes);
    }
}
