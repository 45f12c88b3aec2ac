package io.github.vgg4j.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;

import java.util.ArrayList;
import java.util.List;

import static org.bytedeco.dnnl.global.dnnl.*;
import static io.github.vgg4j.onednn.Step.Operand;

/**
 * A 2-D convolution of one geometry, for one batch size, on oneDNN:
 * forward with the bias and, optionally, the ReLU fused in; backward to the input, the weights and
 * the bias. Plain layouts outside (NCHW activations, OIHW weights, as ND4J stores them).
 *
 * <p>The algorithm is chosen per direction by timing the first calls ({@link Choice}): oneDNN's
 * direct kernels and its Winograd F(4x4, 3x3) kernels, whichever is faster for this geometry on
 * this machine (Winograd is ~2x faster on VGG's larger maps and slower on 2x2 ones; PyTorch 1.13 and
 * libnd4j never choose per layer). Both compute float32 convolutions; Winograd's rounding differs
 * from direct's by a few 1e-6 relative ({@code FastPathTest} holds both to DL4J's plain path).
 * Candidates whose scratch memory exceeds a budget are not considered.
 * {@code -Dvgg4j.onednn.algorithm=direct|winograd} forces one.
 */
final class ConvPlan implements AutoCloseable {
    static final String ALGORITHM = "vgg4j.onednn.algorithm";

    private final ConvKernel.Geometry g;
    private final boolean relu;
    private final Choice forward;
    private final Choice backwardData;
    private final Choice backwardWeights;
    private final List<dnnl_primitive_desc> hints = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>(); // all built, measured or not: closed together
    private final Step reluBackward; // null without a fused ReLU
    private Step maskOverSrc;        // made on the first backward that writes the error over its input

    ConvPlan(ConvKernel.Geometry g, boolean relu, long scratchBudget) {
        this.g = g;
        this.relu = relu;
        List<Step> fwd = new ArrayList<>();
        List<Step> bwdData = new ArrayList<>();
        List<Step> bwdWeights = new ArrayList<>();
        // A forced algorithm comes first and the other is only a fallback where it has no kernel.
        boolean forced = !"auto".equals(System.getProperty(ALGORITHM, "auto"));
        try {
            for (int algorithm : algorithms()) {
                dnnl_primitive_desc pd = forwardDescriptor(algorithm);
                if (pd == null) {
                    continue;
                }
                String alg = algorithm == dnnl_convolution_winograd ? "winograd" : "direct";
                // oneDNN's backward descriptors keep a pointer to their forward "hint": it lives as
                // long as this kernel, as a step or in the hints list.
                if (!forced || fwd.isEmpty()) {
                    fwd.add(forwardStep(alg, pd));
                } else {
                    hints.add(pd);
                }
                if (!forced || bwdData.isEmpty()) {
                    Step d = backwardDataStep(alg, algorithm, pd);
                    if (d != null) {
                        bwdData.add(d);
                    }
                }
                if (!forced || bwdWeights.isEmpty()) {
                    Step w = backwardWeightsStep(alg, algorithm, pd);
                    if (w != null) {
                        bwdWeights.add(w);
                    }
                }
            }
            if (fwd.isEmpty() || bwdData.isEmpty() || bwdWeights.isEmpty()) {
                throw new IllegalStateException("oneDNN has no convolution for " + g);
            }
        } catch (RuntimeException e) {
            bwdData.forEach(Step::close);
            bwdWeights.forEach(Step::close);
            fwd.forEach(Step::close);
            hints.forEach(org.bytedeco.dnnl.global.dnnl::dnnl_primitive_desc_destroy);
            throw e;
        }
        steps.addAll(bwdData);
        steps.addAll(bwdWeights);
        steps.addAll(fwd);
        reluBackward = relu ? Step.reluBackward(g.dst()) : null;
        if (reluBackward != null) {
            steps.add(reluBackward);
        }
        forward = new Choice((relu ? "forward+relu " : "forward ") + g, withinBudget(fwd, scratchBudget));
        backwardData = new Choice("backward data " + g, withinBudget(bwdData, scratchBudget));
        backwardWeights = new Choice("backward weights " + g, withinBudget(bwdWeights, scratchBudget));
    }

    private static int[] algorithms() {
        String forced = System.getProperty(ALGORITHM, "auto");
        return switch (forced) {
            case "direct" -> new int[] {dnnl_convolution_direct};
            case "winograd" -> new int[] {dnnl_convolution_winograd, dnnl_convolution_direct}; // direct where none
            default -> new int[] {dnnl_convolution_direct, dnnl_convolution_winograd};
        };
    }

    /** dst = conv(src, weights) + bias, then ReLU if fused; plain NCHW/OIHW addresses. */
    void forward(long src, long weights, long bias, long dst) {
        forward.run(new long[] {src, weights, bias, dst}, null, false);
    }

    /**
     * diffSrc, diffWeights, diffBias from diffDst, the error at the layer's output: with the ReLU
     * fused, it first goes through the ReLU's derivative, read off the forward's output {@code dst}
     * (unless {@code diffDstMasked}: the error was written over {@code dst}, already multiplied by
     * it, see {@link ErrorInPlace}). With {@code accumulate} the weight and bias gradients are added
     * to what the arrays hold. With {@code errorOverSrc}, diffSrc is ignored: the error at the input,
     * multiplied by {@code (src > 0)}, is written over {@code src} once the weights' gradient no
     * longer needs it.
     */
    void backward(long src, long weights, long diffDst, long dst, long diffSrc, long diffWeights, long diffBias,
                  boolean accumulate, boolean diffDstMasked, boolean errorOverSrc) {
        if (reluBackward != null && !diffDstMasked) {
            // The error at the convolution's output: diffDst where the ReLU's output (dst) is positive.
            long delta = Scratch.forThisThread().address(Scratch.Role.DELTA, Dnnl.bytes(Dnnl.desc(g.dst(), dnnl_nchw)));
            reluBackward.execute(new long[] {dst, diffDst, delta}, null, false);
            diffDst = delta;
        }
        if (!errorOverSrc) {
            Step data = backwardData.run(new long[] {diffDst, weights, diffSrc}, null, false);
            backwardWeights.run(new long[] {src, diffDst, diffWeights, diffBias}, sharedDiffDst(data, 0, backwardWeights.peek(), 1),
                    accumulate);
            return;
        }
        // The weights' gradient reads src, so it runs first; the error at the input goes to a scratch
        // buffer and then, through the previous ReLU's derivative, over src.
        Step weightsStep = backwardWeights.run(new long[] {src, diffDst, diffWeights, diffBias}, null, accumulate);
        long error = Scratch.forThisThread().address(Scratch.Role.INPUT_ERROR, g.batch() * g.srcBytesPerImage());
        backwardData.run(new long[] {diffDst, weights, error}, sharedDiffDst(weightsStep, 1, backwardData.peek(), 0), false);
        if (maskOverSrc == null) {
            maskOverSrc = Step.reluBackward(g.src());
            steps.add(maskOverSrc);
        }
        maskOverSrc.execute(new long[] {src, error, src}, null, false);
    }

    /**
     * diff_dst, reordered by the step that ran first into this thread's DIFF_DST buffer, is reused
     * by the second when both chose the same layout.
     */
    private static boolean[] sharedDiffDst(Step first, int firstIndex, Step second, int secondIndex) {
        if (!first.reorders(firstIndex) || !second.reorders(secondIndex)
                || !Dnnl.same(first.inner(firstIndex), second.inner(secondIndex))) {
            return null;
        }
        boolean[] ready = new boolean[secondIndex == 0 ? 3 : 4];
        ready[secondIndex] = true;
        return ready;
    }

    ConvKernel.Geometry geometry() {
        return g;
    }

    /** The implementations in use, e.g. for logs and tests. */
    String describe() {
        return g + (relu ? " +relu" : "") + ": fwd " + forward.describe() + ", bwd data " + backwardData.describe()
                + ", bwd weights " + backwardWeights.describe();
    }

    // ---- primitive descriptors -------------------------------------------------------------

    private long[] strides() {
        return new long[] {g.strideHeight(), g.strideWidth()};
    }

    private long[] padL() {
        return new long[] {g.padTop(), g.padLeft()};
    }

    private long[] padR() {
        return new long[] {g.padBottom(), g.padRight()};
    }

    private dnnl_primitive_attr attributes(boolean withRelu) {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        Dnnl.check(dnnl_primitive_attr_create(attr), "dnnl_primitive_attr_create");
        Dnnl.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode");
        if (withRelu) {
            dnnl_post_ops ops = new dnnl_post_ops();
            Dnnl.check(dnnl_post_ops_create(ops), "dnnl_post_ops_create");
            Dnnl.check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "relu post-op");
            Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops");
            dnnl_post_ops_destroy(ops);
        }
        return attr;
    }

    /** The forward descriptor for an algorithm, or null when oneDNN has none for this geometry. */
    private dnnl_primitive_desc forwardDescriptor(int algorithm) {
        dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_convolution_forward_desc_init(d, dnnl_forward_training, algorithm,
                Dnnl.desc(g.src(), dnnl_format_tag_any), Dnnl.desc(g.weights(), dnnl_format_tag_any),
                Dnnl.desc(new long[] {g.outChannels()}, dnnl_x), Dnnl.desc(g.dst(), dnnl_format_tag_any),
                strides(), padL(), padR()), "dnnl_convolution_forward_desc_init");
        dnnl_primitive_attr attr = attributes(relu);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            int status = dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), attr, Dnnl.engine(), null);
            return status == dnnl_success ? pd : null;
        } finally {
            dnnl_primitive_attr_destroy(attr);
        }
    }

    private Step forwardStep(String alg, dnnl_primitive_desc pd) {
        return new Step("conv forward (" + alg + ")", pd, List.of(
                Operand.in(DNNL_ARG_SRC, Dnnl.desc(g.src(), dnnl_nchw), Scratch.Role.SRC),
                Operand.in(DNNL_ARG_WEIGHTS, Dnnl.desc(g.weights(), dnnl_oihw), Scratch.Role.WEIGHTS),
                Operand.in(DNNL_ARG_BIAS, Dnnl.desc(new long[] {g.outChannels()}, dnnl_x), null),
                Operand.out(DNNL_ARG_DST, Dnnl.desc(g.dst(), dnnl_nchw), Scratch.Role.DST)),
                new int[] {dnnl_query_src_md, dnnl_query_weights_md, -1, dnnl_query_dst_md});
    }

    private Step backwardDataStep(String alg, int algorithm, dnnl_primitive_desc hint) {
        dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_convolution_backward_data_desc_init(d, algorithm, Dnnl.desc(g.src(), dnnl_format_tag_any),
                Dnnl.desc(g.weights(), dnnl_format_tag_any), Dnnl.desc(g.dst(), dnnl_format_tag_any),
                strides(), padL(), padR()), "dnnl_convolution_backward_data_desc_init");
        dnnl_primitive_attr attr = attributes(false);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            if (dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), attr, Dnnl.engine(), hint) != dnnl_success) {
                return null;
            }
            return new Step("conv backward data (" + alg + ")", pd, List.of(
                    Operand.in(DNNL_ARG_DIFF_DST, Dnnl.desc(g.dst(), dnnl_nchw), Scratch.Role.DIFF_DST),
                    Operand.in(DNNL_ARG_WEIGHTS, Dnnl.desc(g.weights(), dnnl_oihw), Scratch.Role.WEIGHTS),
                    Operand.out(DNNL_ARG_DIFF_SRC, Dnnl.desc(g.src(), dnnl_nchw), Scratch.Role.DIFF_SRC)),
                    new int[] {dnnl_query_diff_dst_md, dnnl_query_weights_md, dnnl_query_diff_src_md});
        } finally {
            dnnl_primitive_attr_destroy(attr);
        }
    }

    private Step backwardWeightsStep(String alg, int algorithm, dnnl_primitive_desc hint) {
        dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_convolution_backward_weights_desc_init(d, algorithm, Dnnl.desc(g.src(), dnnl_format_tag_any),
                Dnnl.desc(g.weights(), dnnl_format_tag_any), Dnnl.desc(new long[] {g.outChannels()}, dnnl_x),
                Dnnl.desc(g.dst(), dnnl_format_tag_any), strides(), padL(), padR()),
                "dnnl_convolution_backward_weights_desc_init");
        dnnl_primitive_attr attr = attributes(false);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            if (dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), attr, Dnnl.engine(), hint) != dnnl_success) {
                return null;
            }
            return new Step("conv backward weights (" + alg + ")", pd, List.of(
                    Operand.in(DNNL_ARG_SRC, Dnnl.desc(g.src(), dnnl_nchw), Scratch.Role.SRC),
                    Operand.in(DNNL_ARG_DIFF_DST, Dnnl.desc(g.dst(), dnnl_nchw), Scratch.Role.DIFF_DST),
                    Operand.out(DNNL_ARG_DIFF_WEIGHTS, Dnnl.desc(g.weights(), dnnl_oihw), Scratch.Role.DIFF_WEIGHTS),
                    Operand.out(DNNL_ARG_DIFF_BIAS, Dnnl.desc(new long[] {g.outChannels()}, dnnl_x), Scratch.Role.DIFF_BIAS)),
                    new int[] {dnnl_query_src_md, dnnl_query_diff_dst_md, dnnl_query_diff_weights_md, -1});
        } finally {
            dnnl_primitive_attr_destroy(attr);
        }
    }

    /**
     * The candidates whose scratch (oneDNN's scratchpad and the copies in its layouts) fits the
     * budget, or the leanest one. Winograd's backward-weights kernel keeps per-thread copies of
     * transformed weights: 130 MB for a 512x512 layer, more than the whole activation memory of a
     * CIFAR-sized batch; its speed is not worth a peak-memory regression.
     */
    private static List<Step> withinBudget(List<Step> candidates, long budget) {
        List<Step> fit = candidates.stream().filter(s -> s.scratchBytes() <= budget).toList();
        if (!fit.isEmpty()) {
            return fit;
        }
        return List.of(candidates.stream().min(java.util.Comparator.comparingLong(Step::scratchBytes)).orElseThrow());
    }

    @Override
    public void close() {
        backwardData.close();
        backwardWeights.close();
        forward.close();
        steps.forEach(Step::close); // backward steps first: they point at their forward hints
        steps.clear();
        hints.forEach(org.bytedeco.dnnl.global.dnnl::dnnl_primitive_desc_destroy);
        hints.clear();
    }
}
