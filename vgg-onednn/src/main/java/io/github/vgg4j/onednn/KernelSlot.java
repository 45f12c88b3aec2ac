package io.github.vgg4j.onednn;

import java.util.function.Function;

/**
 * A layer's kernel for the geometry it last ran at: rebuilt when the geometry changes (the old one
 * closed), and a geometry oneDNN refused is remembered so that the layer goes straight to DL4J's
 * path for it instead of asking oneDNN again on every call.
 */
final class KernelSlot<G, K extends AutoCloseable> {
    private final Function<K, G> geometryOf;
    private K kernel;
    private G refused;

    KernelSlot(Function<K, G> geometryOf) {
        this.geometryOf = geometryOf;
    }

    /** The kernel for {@code g}, built by {@code create} if needed; null when oneDNN has none for it. */
    K get(G g, Function<G, K> create) {
        if (g.equals(refused)) {
            return null;
        }
        if (kernel == null || !geometryOf.apply(kernel).equals(g)) {
            close();
            try {
                kernel = create.apply(g);
            } catch (IllegalStateException e) {
                refused = g;
                return null;
            }
        }
        return kernel;
    }

    /** The kernel last built, or null. */
    K current() {
        return kernel;
    }

    private void close() {
        if (kernel != null) {
            try {
                kernel.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        kernel = null;
    }
}
