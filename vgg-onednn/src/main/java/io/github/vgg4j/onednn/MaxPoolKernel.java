package io.github.vgg4j.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_v2_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;
import static io.github.vgg4j.onednn.Step.Operand;

/**
 * 2-D max pooling of one geometry on oneDNN, in ND4J's plain NCHW layout (oneDNN 2.5 has AVX-512
 * kernels for it, so no reorders). Training keeps oneDNN's workspace, the position of each maximum
 * (one byte per output value), so that backward is one pass instead of recomputing the forward.
 *
 * <p>It pools in its input's element type: a maximum is exact in any type, so a bfloat16 input
 * pools in bfloat16, and an output of the other type is converted on the way out (and its error on
 * the way in).
 */
final class MaxPoolKernel implements AutoCloseable {

    /** Sizes of one pooling call. */
    record Geometry(long batch, long channels, long inHeight, long inWidth, long outHeight, long outWidth,
                    long kernelHeight, long kernelWidth, long strideHeight, long strideWidth,
                    long padTop, long padLeft, long padBottom, long padRight) {
        long[] src() {
            return new long[] {batch, channels, inHeight, inWidth};
        }

        long[] dst() {
            return new long[] {batch, channels, outHeight, outWidth};
        }
    }

    /** A layer's kernel is kept by geometry and types. */
    record Key(Geometry geometry, Types types) {
    }

    private final Geometry g;
    private final Types t;
    private final Step inference;
    private final Step training;
    private final Step backward;
    private final long workspaceBytes;
    private Step mask; // made on first use
    private dnnl_memory workspace;
    private long workspaceAddress;

    MaxPoolKernel(Key key) {
        this.g = key.geometry();
        this.t = key.types();
        // The pooling itself in the input's type; the plain output (and its error) may be of the other.
        dnnl_memory_desc_t src = Dnnl.desc(g.src(), dnnl_nchw, t.compute());
        dnnl_memory_desc_t dst = Dnnl.desc(g.dst(), dnnl_nchw, t.compute());
        dnnl_memory_desc_t plainSrc = Dnnl.desc(g.src(), dnnl_nchw, t.in());
        dnnl_memory_desc_t plainDst = Dnnl.desc(g.dst(), dnnl_nchw, t.out());
        long[] kernel = {g.kernelHeight(), g.kernelWidth()};
        long[] strides = {g.strideHeight(), g.strideWidth()};
        long[] padL = {g.padTop(), g.padLeft()};
        long[] padR = {g.padBottom(), g.padRight()};
        long[] dilation = {0, 0};

        dnnl_pooling_v2_desc_t fd = new dnnl_pooling_v2_desc_t();
        Dnnl.check(dnnl_pooling_v2_forward_desc_init(fd, dnnl_forward_inference, dnnl_pooling_max, src, dst, strides, kernel,
                dilation, padL, padR), "dnnl_pooling_v2_forward_desc_init");
        inference = new Step("max pool forward", create(fd, null), List.of(
                Operand.in(DNNL_ARG_SRC, plainSrc, Scratch.Role.SRC), Operand.out(DNNL_ARG_DST, plainDst, Scratch.Role.DST)),
                new int[] {dnnl_query_src_md, dnnl_query_dst_md});

        dnnl_pooling_v2_desc_t td = new dnnl_pooling_v2_desc_t();
        Dnnl.check(dnnl_pooling_v2_forward_desc_init(td, dnnl_forward_training, dnnl_pooling_max, src, dst, strides, kernel,
                dilation, padL, padR), "dnnl_pooling_v2_forward_desc_init");
        dnnl_primitive_desc trainingPd = create(td, null);
        dnnl_memory_desc_t ws = Dnnl.query(trainingPd, dnnl_query_workspace_md);
        workspaceBytes = Dnnl.bytes(ws);
        training = new Step("max pool forward (training)", trainingPd, List.of(
                Operand.in(DNNL_ARG_SRC, plainSrc, Scratch.Role.SRC), Operand.out(DNNL_ARG_DST, plainDst, Scratch.Role.DST),
                Operand.out(DNNL_ARG_WORKSPACE, ws, null)), new int[] {dnnl_query_src_md, dnnl_query_dst_md, -1});

        dnnl_pooling_v2_desc_t bd = new dnnl_pooling_v2_desc_t();
        Dnnl.check(dnnl_pooling_v2_backward_desc_init(bd, dnnl_pooling_max, src, dst, strides, kernel, dilation, padL, padR),
                "dnnl_pooling_v2_backward_desc_init");
        backward = new Step("max pool backward", create(bd, trainingPd), List.of(
                Operand.in(DNNL_ARG_DIFF_DST, plainDst, Scratch.Role.DIFF_DST), Operand.in(DNNL_ARG_WORKSPACE, ws, null),
                Operand.out(DNNL_ARG_DIFF_SRC, plainSrc, Scratch.Role.DIFF_SRC)),
                new int[] {dnnl_query_diff_dst_md, -1, dnnl_query_diff_src_md});
    }

    /** Pooling is exact in any type: it runs in its input's. */
    static Types types(DataType in, DataType out) {
        return new Types(in, in, out);
    }

    private static dnnl_primitive_desc create(dnnl_pooling_v2_desc_t d, dnnl_primitive_desc hint) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), null, Dnnl.engine(), hint),
                "max pooling is not available for this geometry");
        return pd;
    }

    Key key() {
        return new Key(g, t);
    }

    Geometry geometry() {
        return g;
    }

    String implementation() {
        return training.implementation();
    }

    void forward(long src, long dst) {
        inference.execute(new long[] {src, dst}, null, false);
    }

    /** Forward that also records where each maximum came from, for {@link #backward}. */
    void forwardTraining(long src, long dst) {
        if (workspace == null) {
            workspace = Dnnl.allocate(workspaceBytes);
            workspaceAddress = Dnnl.handle(workspace);
        }
        training.execute(new long[] {src, dst, workspaceAddress}, null, false);
    }

    /** diffSrc from diffDst, through the maxima of the last {@link #forwardTraining}. */
    void backward(long diffDst, long diffSrc) {
        if (workspace == null) {
            throw new IllegalStateException("max pool backward without a training forward");
        }
        backward.execute(new long[] {diffDst, workspaceAddress, diffSrc}, null, false);
    }

    /**
     * diffDst where the forward's output {@code dst} is positive, 0 elsewhere, in this thread's
     * scratch; returns its address. The whole batch at once: in VGG only the last pool (whose next
     * layer is a dense one) needs it, and its output is small (3.2 MB at 224x224, batch 32).
     */
    long maskByOutput(long dst, long diffDst) {
        if (mask == null) {
            mask = Step.reluBackward(g.dst(), t.out());
        }
        long masked = Scratch.forThisThread().address(Scratch.Role.DELTA, g.batch() * g.channels() * g.outHeight()
                * g.outWidth() * t.out().width());
        mask.execute(new long[] {dst, diffDst, masked}, null, false);
        return masked;
    }

    @Override
    public void close() {
        if (mask != null) {
            mask.close();
        }
        backward.close(); // before training: its descriptor points at the training one as its hint
        training.close();
        inference.close();
        Dnnl.free(workspace);
        workspace = null;
    }
}
