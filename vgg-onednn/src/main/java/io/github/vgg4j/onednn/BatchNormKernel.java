package io.github.vgg4j.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

import static io.github.vgg4j.onednn.Step.Operand;
import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Spatial batch normalisation of one geometry on oneDNN, in ND4J's plain NCHW layout, with the
 * per-channel scale (gamma) and shift (beta) as separate vectors so that they are DL4J's own
 * parameter and gradient views. Training computes the batch's mean and (biased) variance, which
 * backward takes back; inference uses the running estimates.
 *
 * <p>It normalises in its input's element type ({@link #types}); oneDNN keeps the statistics, scale
 * and shift in float32 and computes them in float32 from bfloat16 data. An output of the other
 * type is converted on the way out (and its error on the way in).
 */
final class BatchNormKernel implements AutoCloseable {

    /** Sizes of one call. */
    record Geometry(long batch, long channels, long height, long width, float epsilon) {
        long[] data() {
            return new long[] {batch, channels, height, width};
        }
    }

    /** A layer's kernel is kept by geometry and types. */
    record Key(Geometry geometry, Types types) {
    }

    /** Normalisation is memory-bound: it runs in its input's type, never converting it first. */
    static Types types(DataType in, DataType out) {
        return new Types(in, in, out);
    }

    private final Geometry g;
    private final Types t;
    private final Step inference;
    private final Step training;
    private final Step backward;

    BatchNormKernel(Key key) {
        this.g = key.geometry();
        this.t = key.types();
        dnnl_memory_desc_t data = Dnnl.desc(g.data(), dnnl_nchw, t.compute());
        dnnl_memory_desc_t src = Dnnl.desc(g.data(), dnnl_nchw, t.in());
        dnnl_memory_desc_t dst = Dnnl.desc(g.data(), dnnl_nchw, t.out());
        dnnl_memory_desc_t channel = Dnnl.desc(new long[] {g.channels()}, dnnl_x);
        int scaleShift = dnnl_use_scale | dnnl_use_shift;

        dnnl_batch_normalization_desc_t id = new dnnl_batch_normalization_desc_t();
        Dnnl.check(dnnl_batch_normalization_forward_desc_init(id, dnnl_forward_inference, data, g.epsilon(),
                scaleShift | dnnl_use_global_stats), "dnnl_batch_normalization_forward_desc_init");
        inference = new Step("batch norm forward", create(id, null), List.of(
                Operand.in(DNNL_ARG_SRC, src, Scratch.Role.SRC), Operand.in(DNNL_ARG_MEAN, channel, null),
                Operand.in(DNNL_ARG_VARIANCE, channel, null), Operand.in(DNNL_ARG_SCALE, channel, null),
                Operand.in(DNNL_ARG_SHIFT, channel, null), Operand.out(DNNL_ARG_DST, dst, Scratch.Role.DST)),
                new int[] {dnnl_query_src_md, -1, -1, -1, -1, dnnl_query_dst_md});

        dnnl_batch_normalization_desc_t td = new dnnl_batch_normalization_desc_t();
        Dnnl.check(dnnl_batch_normalization_forward_desc_init(td, dnnl_forward_training, data, g.epsilon(), scaleShift),
                "dnnl_batch_normalization_forward_desc_init");
        dnnl_primitive_desc trainingPd = create(td, null);
        training = new Step("batch norm forward (training)", trainingPd, List.of(
                Operand.in(DNNL_ARG_SRC, src, Scratch.Role.SRC), Operand.in(DNNL_ARG_SCALE, channel, null),
                Operand.in(DNNL_ARG_SHIFT, channel, null), Operand.out(DNNL_ARG_DST, dst, Scratch.Role.DST),
                Operand.out(DNNL_ARG_MEAN, channel, null), Operand.out(DNNL_ARG_VARIANCE, channel, null)),
                new int[] {dnnl_query_src_md, -1, -1, dnnl_query_dst_md, -1, -1});

        dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
        Dnnl.check(dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, g.epsilon(), scaleShift),
                "dnnl_batch_normalization_backward_desc_init");
        backward = new Step("batch norm backward", create(bd, trainingPd), List.of(
                Operand.in(DNNL_ARG_SRC, src, Scratch.Role.SRC), Operand.in(DNNL_ARG_MEAN, channel, null),
                Operand.in(DNNL_ARG_VARIANCE, channel, null), Operand.in(DNNL_ARG_DIFF_DST, dst, Scratch.Role.DIFF_DST),
                Operand.in(DNNL_ARG_SCALE, channel, null), Operand.in(DNNL_ARG_SHIFT, channel, null),
                Operand.out(DNNL_ARG_DIFF_SRC, src, Scratch.Role.DIFF_SRC), Operand.out(DNNL_ARG_DIFF_SCALE, channel, null),
                Operand.out(DNNL_ARG_DIFF_SHIFT, channel, null)),
                new int[] {dnnl_query_src_md, -1, -1, dnnl_query_diff_dst_md, -1, -1, dnnl_query_diff_src_md, -1, -1});
    }

    private static dnnl_primitive_desc create(dnnl_batch_normalization_desc_t d, dnnl_primitive_desc hint) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), null, Dnnl.engine(), hint),
                "batch normalisation is not available for this geometry");
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

    /** dst = scale * (src - mean) / sqrt(variance + eps) + shift with the given (running) statistics. */
    void forward(long src, long mean, long variance, long scale, long shift, long dst) {
        inference.execute(new long[] {src, mean, variance, scale, shift, dst}, null, false);
    }

    /** The same with the batch's own statistics, which it writes to {@code mean} and {@code variance}. */
    void forwardTraining(long src, long scale, long shift, long dst, long mean, long variance) {
        training.execute(new long[] {src, scale, shift, dst, mean, variance}, null, false);
    }

    /** diffSrc, diffScale and diffShift from diffDst, with the statistics of the training forward. */
    void backward(long src, long mean, long variance, long diffDst, long scale, long shift, long diffSrc, long diffScale,
                  long diffShift) {
        // oneDNN 2.5 checks for the shift too, though the gradients do not depend on it
        backward.execute(new long[] {src, mean, variance, diffDst, scale, shift, diffSrc, diffScale, diffShift}, null, false);
    }

    @Override
    public void close() {
        backward.close(); // before training: its descriptor points at the training one as its hint
        training.close();
        inference.close();
    }
}
