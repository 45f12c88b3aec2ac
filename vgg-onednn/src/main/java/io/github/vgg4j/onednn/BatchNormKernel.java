package io.github.vgg4j.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import java.util.List;

import static io.github.vgg4j.onednn.Step.Operand;
import static org.bytedeco.dnnl.global.dnnl.*;

/**
 * Spatial batch normalisation of one geometry on oneDNN, in ND4J's plain NCHW layout, with the
 * per-channel scale (gamma) and shift (beta) as separate vectors so that they are DL4J's own
 * parameter and gradient views. Training computes the batch's mean and (biased) variance, which
 * backward takes back; inference uses the running estimates.
 */
final class BatchNormKernel implements AutoCloseable {

    /** Sizes of one call. */
    record Geometry(long batch, long channels, long height, long width, float epsilon) {
        long[] data() {
            return new long[] {batch, channels, height, width};
        }
    }

    private final Geometry g;
    private final Step inference;
    private final Step training;
    private final Step backward;

    BatchNormKernel(Geometry g) {
        this.g = g;
        dnnl_memory_desc_t data = Dnnl.desc(g.data(), dnnl_nchw);
        dnnl_memory_desc_t channel = Dnnl.desc(new long[] {g.channels()}, dnnl_x);
        int scaleShift = dnnl_use_scale | dnnl_use_shift;

        dnnl_batch_normalization_desc_t id = new dnnl_batch_normalization_desc_t();
        Dnnl.check(dnnl_batch_normalization_forward_desc_init(id, dnnl_forward_inference, data, g.epsilon(),
                scaleShift | dnnl_use_global_stats), "dnnl_batch_normalization_forward_desc_init");
        inference = new Step("batch norm forward", create(id, null), List.of(
                Operand.in(DNNL_ARG_SRC, data, null), Operand.in(DNNL_ARG_MEAN, channel, null),
                Operand.in(DNNL_ARG_VARIANCE, channel, null), Operand.in(DNNL_ARG_SCALE, channel, null),
                Operand.in(DNNL_ARG_SHIFT, channel, null), Operand.out(DNNL_ARG_DST, data, null)), none(6));

        dnnl_batch_normalization_desc_t td = new dnnl_batch_normalization_desc_t();
        Dnnl.check(dnnl_batch_normalization_forward_desc_init(td, dnnl_forward_training, data, g.epsilon(), scaleShift),
                "dnnl_batch_normalization_forward_desc_init");
        dnnl_primitive_desc trainingPd = create(td, null);
        training = new Step("batch norm forward (training)", trainingPd, List.of(
                Operand.in(DNNL_ARG_SRC, data, null), Operand.in(DNNL_ARG_SCALE, channel, null),
                Operand.in(DNNL_ARG_SHIFT, channel, null), Operand.out(DNNL_ARG_DST, data, null),
                Operand.out(DNNL_ARG_MEAN, channel, null), Operand.out(DNNL_ARG_VARIANCE, channel, null)), none(6));

        dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
        Dnnl.check(dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, g.epsilon(), scaleShift),
                "dnnl_batch_normalization_backward_desc_init");
        backward = new Step("batch norm backward", create(bd, trainingPd), List.of(
                Operand.in(DNNL_ARG_SRC, data, null), Operand.in(DNNL_ARG_MEAN, channel, null),
                Operand.in(DNNL_ARG_VARIANCE, channel, null), Operand.in(DNNL_ARG_DIFF_DST, data, null),
                Operand.in(DNNL_ARG_SCALE, channel, null), Operand.in(DNNL_ARG_SHIFT, channel, null),
                Operand.out(DNNL_ARG_DIFF_SRC, data, null), Operand.out(DNNL_ARG_DIFF_SCALE, channel, null),
                Operand.out(DNNL_ARG_DIFF_SHIFT, channel, null)), none(9));
    }

    private static int[] none(int n) {
        int[] plain = new int[n];
        java.util.Arrays.fill(plain, -1);
        return plain;
    }

    private static dnnl_primitive_desc create(dnnl_batch_normalization_desc_t d, dnnl_primitive_desc hint) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), null, Dnnl.engine(), hint),
                "batch normalisation is not available for this geometry");
        return pd;
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
