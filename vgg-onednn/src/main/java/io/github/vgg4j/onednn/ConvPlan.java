package io.github.vgg4j.onednn;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.buffer.DataType;

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
    private final Types t;
    private final boolean relu;
    private final Choice forward;
    private final Choice backwardData;
    private final Choice backwardWeights;
    private final List<dnnl_primitive_desc> hints = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>(); // all built, measured or not: closed together
    private final Step reluBackward; // null without a fused ReLU
    private Step maskOverSrc;        // made on the first backward that writes the error over its input

    /**
     * One candidate: oneDNN's algorithm and the type it computes in; {@code oneThread}: a weight
     * gradient only, from a primitive created for one thread ({@link #candidates} says why).
     */
    private record Candidate(int algorithm, DataType compute, boolean oneThread) {
        Candidate(int algorithm, DataType compute) {
            this(algorithm, compute, false);
        }

        boolean weightsOnly() {
            return oneThread;
        }

        String name() {
            return (algorithm == dnnl_convolution_winograd ? "winograd" : "direct")
                    + (compute == DataType.BFLOAT16 ? " bf16" : "") + (oneThread ? " one thread" : "");
        }
    }

    ConvPlan(ConvKernel.Geometry g, Types t, boolean relu, long scratchBudget) {
        this.g = g;
        this.t = t;
        this.relu = relu;
        List<Step> fwd = new ArrayList<>();
        List<Step> bwdData = new ArrayList<>();
        List<Step> bwdWeights = new ArrayList<>();
        // A forced algorithm comes first and the other is only a fallback where it has no kernel.
        boolean forced = !"auto".equals(System.getProperty(ALGORITHM, "auto"));
        try {
            for (Candidate c : candidates(t)) {
                dnnl_primitive_desc pd = forwardDescriptor(c);
                if (pd == null) {
                    continue;
                }
                // oneDNN's backward descriptors keep a pointer to their forward "hint": it lives as
                // long as this kernel, as a step or in the hints list.
                if (!c.weightsOnly() && (!forced || fwd.isEmpty())) {
                    fwd.add(forwardStep(c, pd));
                } else {
                    hints.add(pd);
                }
                if (!c.weightsOnly() && (!forced || bwdData.isEmpty())) {
                    Step d = backwardDataStep(c, pd);
                    if (d != null) {
                        bwdData.add(d);
                    }
                }
                if (!forced || bwdWeights.isEmpty()) {
                    Step w = backwardWeightsStep(c, pd);
                    if (w != null) {
                        bwdWeights.add(w);
                    }
                }
            }
            if (fwd.isEmpty() || bwdData.isEmpty() || bwdWeights.isEmpty()) {
                throw new IllegalStateException("oneDNN has no convolution for " + g + t.tag());
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
        reluBackward = relu ? Step.reluBackward(g.dst(), t.out()) : null;
        if (reluBackward != null) {
            steps.add(reluBackward);
        }
        String types = t.bf16() ? " bf16 in " + t.in() + " out " + t.out() : "";
        forward = new Choice((relu ? "forward+relu " : "forward ") + g + types, withinBudget(fwd, scratchBudget));
        backwardData = new Choice("backward data " + g + types, withinBudget(bwdData, scratchBudget));
        backwardWeights = new Choice("backward weights " + g + types, withinBudget(bwdWeights, scratchBudget));
    }

    /**
     * The candidates, in order of preference (the first is kept unless another is clearly faster).
     * In float32: oneDNN's direct and Winograd kernels. In bfloat16: the direct kernel in bfloat16
     * (on AMX, oneDNN's brgconv), and float32 Winograd, which oneDNN 2.5 has in float32 only: it
     * does ~2.25x fewer multiplications, so on large maps it can beat bfloat16 arithmetic, and it is
     * the more precise. For the weight gradient also the bfloat16 direct kernel on one thread, first
     * below AMX: oneDNN 2.5's (jit_bf16 on AVX-512 BF16) slows down erratically on two threads where
     * its maps are small (64 x 512 x 2x2: 590-2,900 ms a call, against 9-19 ms on one thread and 21
     * ms for float32 on two), and as the default it keeps a lucky fast two-thread run while
     * measuring from winning (that happened in 2 of 4 benchmark runs with two threads first).
     */
    private static List<Candidate> candidates(Types t) {
        String forced = System.getProperty(ALGORITHM, "auto");
        Candidate direct = new Candidate(dnnl_convolution_direct, t.compute());
        Candidate winograd = new Candidate(dnnl_convolution_winograd, DataType.FLOAT);
        Candidate oneThread = new Candidate(dnnl_convolution_direct, t.compute(), true);
        return switch (forced) {
            case "direct" -> List.of(direct);
            case "winograd" -> List.of(winograd, direct); // direct where none
            default -> !t.bf16() ? List.of(direct, winograd)
                    : "avx512_core_amx".equals(Dnnl.isa()) ? List.of(direct, oneThread, winograd)
                    : List.of(oneThread, direct, winograd);
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
            long delta = Scratch.forThisThread().address(Scratch.Role.DELTA, g.batch() * g.dstPerImage() * t.out().width());
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
        long error = Scratch.forThisThread().address(Scratch.Role.INPUT_ERROR, g.batch() * g.srcPerImage() * t.in().width());
        backwardData.run(new long[] {diffDst, weights, error}, sharedDiffDst(weightsStep, 1, backwardData.peek(), 0), false);
        if (maskOverSrc == null) {
            maskOverSrc = Step.reluBackward(g.src(), t.in());
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

    /** Whether a direction that has run is still timing its candidates. */
    boolean measuring() {
        return forward.measuring() || backwardData.measuring() || backwardWeights.measuring();
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

    /** The forward descriptor of a candidate, or null when oneDNN has none for this geometry. */
    private dnnl_primitive_desc forwardDescriptor(Candidate c) {
        DataType ct = c.compute();
        dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_convolution_forward_desc_init(d, dnnl_forward_training, c.algorithm(),
                Dnnl.desc(g.src(), dnnl_format_tag_any, ct), Dnnl.desc(g.weights(), dnnl_format_tag_any, ct),
                bias(), Dnnl.desc(g.dst(), dnnl_format_tag_any, ct), strides(), padL(), padR()),
                "dnnl_convolution_forward_desc_init");
        dnnl_primitive_attr attr = attributes(relu);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            int status = dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), attr, Dnnl.engine(), null);
            return status == dnnl_success ? pd : null;
        } finally {
            dnnl_primitive_attr_destroy(attr);
        }
    }

    /** The bias and its gradient: float32 in every precision (oneDNN's bfloat16 kernels take it so). */
    private dnnl_memory_desc_t bias() {
        return Dnnl.desc(new long[] {g.outChannels()}, dnnl_x);
    }

    // The plain arrays: activations and their errors in the layer's types, weights always float32.
    private dnnl_memory_desc_t plainSrc() {
        return Dnnl.desc(g.src(), dnnl_nchw, t.in());
    }

    private dnnl_memory_desc_t plainDst() {
        return Dnnl.desc(g.dst(), dnnl_nchw, t.out());
    }

    private dnnl_memory_desc_t plainWeights() {
        return Dnnl.desc(g.weights(), dnnl_oihw);
    }

    private Step forwardStep(Candidate c, dnnl_primitive_desc pd) {
        return new Step("conv forward (" + c.name() + ")", pd, List.of(
                Operand.in(DNNL_ARG_SRC, plainSrc(), Scratch.Role.SRC),
                Operand.in(DNNL_ARG_WEIGHTS, plainWeights(), Scratch.Role.WEIGHTS),
                Operand.in(DNNL_ARG_BIAS, bias(), null),
                Operand.out(DNNL_ARG_DST, plainDst(), Scratch.Role.DST)),
                new int[] {dnnl_query_src_md, dnnl_query_weights_md, -1, dnnl_query_dst_md});
    }

    private Step backwardDataStep(Candidate c, dnnl_primitive_desc hint) {
        DataType ct = c.compute();
        dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_convolution_backward_data_desc_init(d, c.algorithm(), Dnnl.desc(g.src(), dnnl_format_tag_any, ct),
                Dnnl.desc(g.weights(), dnnl_format_tag_any, ct), Dnnl.desc(g.dst(), dnnl_format_tag_any, ct),
                strides(), padL(), padR()), "dnnl_convolution_backward_data_desc_init");
        dnnl_primitive_attr attr = attributes(false);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            if (dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), attr, Dnnl.engine(), hint) != dnnl_success) {
                return null;
            }
            return new Step("conv backward data (" + c.name() + ")", pd, List.of(
                    Operand.in(DNNL_ARG_DIFF_DST, plainDst(), Scratch.Role.DIFF_DST),
                    Operand.in(DNNL_ARG_WEIGHTS, plainWeights(), Scratch.Role.WEIGHTS),
                    Operand.out(DNNL_ARG_DIFF_SRC, plainSrc(), Scratch.Role.DIFF_SRC)),
                    new int[] {dnnl_query_diff_dst_md, dnnl_query_weights_md, dnnl_query_diff_src_md});
        } finally {
            dnnl_primitive_attr_destroy(attr);
        }
    }

    /** Weight and bias gradients in float32 whatever the inputs' type: they are summed into DL4J's float32 gradients. */
    private Step backwardWeightsStep(Candidate c, dnnl_primitive_desc hint) {
        return c.oneThread() ? Dnnl.oneThread(() -> createBackwardWeightsStep(c, hint)) : createBackwardWeightsStep(c, hint);
    }

    private Step createBackwardWeightsStep(Candidate c, dnnl_primitive_desc hint) {
        DataType ct = c.compute();
        dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
        Dnnl.check(dnnl_convolution_backward_weights_desc_init(d, c.algorithm(), Dnnl.desc(g.src(), dnnl_format_tag_any, ct),
                Dnnl.desc(g.weights(), dnnl_format_tag_any), bias(),
                Dnnl.desc(g.dst(), dnnl_format_tag_any, ct), strides(), padL(), padR()),
                "dnnl_convolution_backward_weights_desc_init");
        dnnl_primitive_attr attr = attributes(false);
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            if (dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(d), attr, Dnnl.engine(), hint) != dnnl_success) {
                return null;
            }
            return new Step("conv backward weights (" + c.name() + ")", pd, List.of(
                    Operand.in(DNNL_ARG_SRC, plainSrc(), Scratch.Role.SRC),
                    Operand.in(DNNL_ARG_DIFF_DST, plainDst(), Scratch.Role.DIFF_DST),
                    Operand.out(DNNL_ARG_DIFF_WEIGHTS, plainWeights(), Scratch.Role.DIFF_WEIGHTS),
                    Operand.out(DNNL_ARG_DIFF_BIAS, bias(), Scratch.Role.DIFF_BIAS)),
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
