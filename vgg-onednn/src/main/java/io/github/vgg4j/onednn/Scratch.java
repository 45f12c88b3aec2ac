package io.github.vgg4j.onednn;

import org.bytedeco.dnnl.dnnl_memory;

import java.util.EnumMap;
import java.util.Map;

/**
 * The temporary buffers of the kernels (blocked copies of activations and weights, oneDNN's
 * scratchpads), one set per thread, shared by every layer and grown to the largest request.
 *
 * <p>Why: allocating them per call made ~20% of DL4J's training time kernel page faults; per layer
 * they would multiply the memory. Layers run one after the other on a thread, and each buffer lives
 * only during one kernel call, so one buffer per role is enough.
 */
final class Scratch {
    /** What a buffer holds during a call; buffers of different roles are used at the same time. */
    enum Role { SRC, WEIGHTS, DELTA, DIFF_DST, DIFF_SRC, DIFF_WEIGHTS, DIFF_BIAS, SCRATCHPAD,
        /** The error at a convolution's input, plain, before it goes over the input ({@link ErrorInPlace}). */
        INPUT_ERROR;

        /** A forward pass's output lives only until it is reordered out; backward's diff_dst likewise. */
        static final Role DST = DIFF_DST;
    }

    private static final ThreadLocal<Scratch> THREAD = ThreadLocal.withInitial(Scratch::new);

    private final Map<Role, dnnl_memory> buffers = new EnumMap<>(Role.class);
    private final Map<Role, Long> sizes = new EnumMap<>(Role.class);
    private final Map<Role, Long> addresses = new EnumMap<>(Role.class);

    private Scratch() {
    }

    static Scratch forThisThread() {
        return THREAD.get();
    }

    /** The address of this thread's buffer for a role, at least {@code bytes} long. */
    long address(Role role, long bytes) {
        Long size = sizes.get(role);
        if (size == null || size < bytes) {
            Dnnl.free(buffers.remove(role));
            dnnl_memory m = Dnnl.allocate(bytes);
            buffers.put(role, m);
            sizes.put(role, bytes);
            addresses.put(role, Dnnl.handle(m));
        }
        return addresses.get(role);
    }

    private int measuring;
    private boolean releasePending;

    /**
     * Counts kernels still timing their candidate algorithms on this thread; when the last one has
     * chosen, the buffers are released (at the next {@link #safePoint}) and regrow to what the
     * chosen kernels need.
     */
    void measuring(int delta) {
        measuring += delta;
        if (delta < 0 && measuring == 0) {
            releasePending = true;
        }
    }

    /**
     * Where a release asked for by {@link #measuring} happens: at the start of a kernel call, never
     * inside one. A choice is made inside a call, between steps that pass each other buffers (the
     * error through the ReLU's derivative, a reordered diff_dst, the error at the input), and
     * freeing them there would leave the next step reading freed memory.
     */
    void safePoint() {
        if (releasePending) {
            releasePending = false;
            buffers.values().forEach(Dnnl::free);
            buffers.clear();
            sizes.clear();
            addresses.clear();
        }
    }

    /** Bytes held by this thread's buffers. */
    long bytes() {
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }
}
