package io.github.vgg4j.onednn;

import java.util.HashMap;
import java.util.Map;

/**
 * A 2-D convolution of one geometry on oneDNN, run over the batch in chunks: forward with the bias
 * and, optionally, the ReLU fused in; backward to the input, the weights and the bias. Plain
 * layouts outside (NCHW activations, OIHW weights, as ND4J stores them), in the element types of
 * {@link Types} (weights, their gradients and the bias always float32).
 *
 * <p>Why chunks: oneDNN computes in its own blocked layouts, so each call needs copies of its input
 * and output in those layouts (and Winograd transforms of them). For a whole 224x224 batch these
 * copies were gigabytes; a few images at a time they stay within {@value #CHUNK_BYTES_PROPERTY}
 * (default 32 MiB per tensor), and the images of a convolution are independent. The weight and bias
 * gradients of the chunks are summed. Small maps (all of VGG on CIFAR up to batch 128) run whole.
 */
final class ConvKernel implements AutoCloseable {
    static final String CHUNK_BYTES_PROPERTY = "vgg4j.onednn.chunkBytes";
    static final String SCRATCH_BUDGET_PROPERTY = "vgg4j.onednn.scratchBudget";

    /** Sizes of one convolution call; padding may differ left/right (DL4J's Same mode, floors). */
    record Geometry(long batch, long inChannels, long inHeight, long inWidth, long outChannels, long outHeight,
                    long outWidth, long kernelHeight, long kernelWidth, long strideHeight, long strideWidth,
                    long padTop, long padLeft, long padBottom, long padRight) {
        /** The same convolution on {@code n} images. */
        Geometry withBatch(long n) {
            return new Geometry(n, inChannels, inHeight, inWidth, outChannels, outHeight, outWidth, kernelHeight,
                    kernelWidth, strideHeight, strideWidth, padTop, padLeft, padBottom, padRight);
        }

        long srcPerImage() {
            return inChannels * inHeight * inWidth;
        }

        long dstPerImage() {
            return outChannels * outHeight * outWidth;
        }

        long[] src() {
            return new long[] {batch, inChannels, inHeight, inWidth};
        }

        long[] weights() {
            return new long[] {outChannels, inChannels, kernelHeight, kernelWidth};
        }

        long[] dst() {
            return new long[] {batch, outChannels, outHeight, outWidth};
        }

        @Override
        public String toString() {
            return "mb" + batch + "_ic" + inChannels + "oc" + outChannels + "_" + inHeight + "x" + inWidth + "_k"
                    + kernelHeight + "x" + kernelWidth + "s" + strideHeight + "p" + padTop;
        }
    }

    /** A layer's kernels are kept by geometry and types. */
    record Key(Geometry geometry, Types types) {
    }

    private final Geometry g;
    private final Types t;
    private final boolean relu;
    private final long chunk;
    private final long srcBytesPerImage;
    private final long dstBytesPerImage;
    private final long scratchBudget = Long.getLong(SCRATCH_BUDGET_PROPERTY, 96L << 20);
    private final Map<Long, ConvPlan> plans = new HashMap<>(2);

    ConvKernel(Key key, boolean relu) {
        this.g = key.geometry();
        this.t = key.types();
        this.relu = relu;
        srcBytesPerImage = g.srcPerImage() * t.in().width();
        dstBytesPerImage = g.dstPerImage() * t.out().width();
        // Chunks sized by the blocked copies in float32 (the larger case), so that both precisions split alike.
        long perImage = Math.max(g.srcPerImage(), g.dstPerImage()) * Float.BYTES;
        long chunkBytes = Long.getLong(CHUNK_BYTES_PROPERTY, 32L << 20);
        this.chunk = Math.max(1, Math.min(g.batch(), chunkBytes / Math.max(1, perImage)));
    }

    Key key() {
        return new Key(g, t);
    }

    Geometry geometry() {
        return g;
    }

    private ConvPlan plan(long n) {
        return plans.computeIfAbsent(n, k -> new ConvPlan(g.withBatch(k), t, relu, scratchBudget));
    }

    /** dst = conv(src, weights) + bias, then ReLU if fused; plain NCHW/OIHW addresses. */
    void forward(long src, long weights, long bias, long dst) {
        Scratch.forThisThread().safePoint();
        for (long first = 0; first < g.batch(); first += chunk) {
            long n = Math.min(chunk, g.batch() - first);
            plan(n).forward(src + first * srcBytesPerImage, weights, bias, dst + first * dstBytesPerImage);
        }
    }

    /**
     * diffSrc, diffWeights, diffBias from diffDst, the error at the layer's output (through the fused
     * ReLU's derivative, read off the forward's output {@code dst}, when there is one); the two flags
     * as in {@link ConvPlan#backward}: the error already written over {@code dst}, the error at the
     * input to be written over {@code src} (chunk by chunk, each once its weight gradient is done).
     */
    void backward(long src, long weights, long diffDst, long dst, long diffSrc, long diffWeights, long diffBias,
                  boolean diffDstMasked, boolean errorOverSrc) {
        Scratch.forThisThread().safePoint();
        for (long first = 0; first < g.batch(); first += chunk) {
            long n = Math.min(chunk, g.batch() - first);
            long out = first * dstBytesPerImage;
            long in = first * srcBytesPerImage;
            plan(n).backward(src + in, weights, diffDst + out, dst + out, errorOverSrc ? 0 : diffSrc + in, diffWeights,
                    diffBias, first > 0, diffDstMasked, errorOverSrc);
        }
    }

    /** Whether one of its convolutions that has run is still timing its candidate algorithms. */
    boolean measuring() {
        return plans.values().stream().anyMatch(ConvPlan::measuring);
    }

    /** The implementations in use, e.g. for logs and tests. */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (ConvPlan p : plans.values()) {
            b.append(b.length() == 0 ? "" : "; ").append(p.describe());
        }
        return b.toString();
    }

    @Override
    public void close() {
        plans.values().forEach(ConvPlan::close);
        plans.clear();
    }
}
