package io.github.vgg4j.onednn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernels in bfloat16 against the same kernels in float32, element by element, within bounds
 * derived from the arithmetic rather than tuned to what passes.
 *
 * <p>The bounds. bfloat16 keeps 8 significant bits: rounding a value to it changes it by at most
 * {@code u = 2^-8} relative. A dot product of length K whose two factors are each rounded to
 * bfloat16 and whose products are summed in float32 is off from the exact one by at most
 * {@code (2u + u^2) * S + K * 2^-24 * S}, where {@code S = sum |a_i| |b_i|}; the float32 reference
 * is off by the second term too. So each output element may differ from the reference by
 * {@code (2u + u^2 + 2 K 2^-24) S}, plus {@code u |y|} when the output itself is stored in
 * bfloat16. S comes from the float32 kernels run on the absolute values of the same operands (their
 * own error, {@code K 2^-24} relative, is part of the slack). A value that is exactly representable
 * in bfloat16 (the inputs of the bfloat16-typed cases) is not rounded, and the bound is still an
 * upper bound. A fused ReLU is 1-Lipschitz, so it keeps the forward bound; in backward its
 * derivative is read off the output, and where the pre-activation is within the forward bound of 0
 * the two may disagree: those terms ({@code F}) count in full.
 *
 * <p>These are worst-case bounds; the measured errors are ~5-20x smaller (random signs cancel). A
 * kernel that computed garbage, used the wrong operand, the wrong type or the wrong layout for part
 * of an array would exceed them by orders of magnitude. Max pooling is exact in any type: compared
 * for equality.
 */
class Bf16KernelTest {
    private static final double U = Math.pow(2, -8);
    private static final double U32 = Math.pow(2, -24);

    private static void assumeBf16() {
        assumeTrue(Dnnl.available(), "oneDNN did not load: " + Dnnl.unavailableReason());
        assumeTrue(Dnnl.nativeBf16(), "this CPU computes no bfloat16 natively (oneDNN's instruction set: " + Dnnl.isa()
                + "); bfloat16 kernels are tested on CPUs with AVX-512 BF16 or AMX");
    }

    @ParameterizedTest(name = "relu {0}, in {1}, out {2}, chunks of {3} bytes")
    @CsvSource({
            "false, FLOAT, FLOAT, 33554432",
            "true, FLOAT, FLOAT, 33554432",
            "true, BFLOAT16, BFLOAT16, 33554432",
            "false, BFLOAT16, FLOAT, 33554432",
            "true, FLOAT, BFLOAT16, 33554432",
            "true, BFLOAT16, BFLOAT16, 6000"})
    void convolutionIsWithinTheRoundingBoundOfFloat32(boolean relu, DataType in, DataType out, long chunkBytes) {
        assumeBf16();
        System.setProperty(ConvKernel.CHUNK_BYTES_PROPERTY, Long.toString(chunkBytes));
        System.setProperty(ConvPlan.ALGORITHM, "direct"); // the bf16 arithmetic itself (Winograd is float32)
        try {
            checkConvolution(relu, in, out);
        } finally {
            System.clearProperty(ConvKernel.CHUNK_BYTES_PROPERTY);
            System.clearProperty(ConvPlan.ALGORITHM);
        }
    }

    private static void checkConvolution(boolean relu, DataType in, DataType out) {
        int n = 4, ic = 24, oc = 16, side = 9;
        ConvKernel.Geometry g = new ConvKernel.Geometry(n, ic, side, side, oc, side, side, 3, 3, 1, 1, 1, 1, 1, 1);
        Types t = new Types(DataType.BFLOAT16, in, out);
        Nd4j.getRandom().setSeed(42);
        INDArray x = exact(Nd4j.rand(DataType.FLOAT, g.src()).subi(0.5).muli(2), in);
        INDArray w = Nd4j.rand(DataType.FLOAT, g.weights()).subi(0.5).muli(0.4);
        INDArray b = Nd4j.rand(DataType.FLOAT, oc).subi(0.5);
        INDArray dy = exact(Nd4j.rand(DataType.FLOAT, g.dst()).subi(0.5).muli(2), out);

        // float32 reference, and the pre-activation (for where the ReLU's derivative may differ)
        Conv ref = Conv.run(g, Types.FP32, relu, x, w, b, dy);
        Conv pre = Conv.run(g, Types.FP32, false, x, w, b, dy);
        Conv bf = Conv.run(g, t, relu, x.castTo(in), w, b, dy.castTo(out));

        long kFwd = ic * 9L;
        long kWeights = (long) n * side * side;
        double slack = 2 * U + U * U;
        // S for the forward: sum |x| |w| (+ |b| for the float32 bias addition)
        Conv mag = Conv.run(g, Types.FP32, false, abs(x), abs(w), Nd4j.zeros(DataType.FLOAT, oc), abs(dy));
        INDArray sFwd = mag.y.add(abs(b).reshape(1, oc, 1, 1));
        INDArray preBound = sFwd.mul(slack + 2 * kFwd * U32);
        INDArray fwdBound = out == DataType.BFLOAT16 ? preBound.add(abs(ref.y).add(preBound).muli(U)) : preBound;
        assertWithinAndRounded("forward", bf.y.castTo(DataType.FLOAT), ref.y, fwdBound);

        // Backward: the error entries the kernels pass on. With a ReLU, the reference's own mask, and
        // F: where |pre-activation| <= the forward bound, either kernel may keep or drop the entry.
        INDArray keep = relu ? ref.y.gt(0.0).castTo(DataType.FLOAT) : Nd4j.onesLike(dy);
        INDArray flip = relu ? abs(pre.y).sub(preBound).lte(0.0).castTo(DataType.FLOAT) : Nd4j.zerosLike(dy);
        INDArray dyKept = abs(dy).mul(Transforms.max(keep, flip));
        INDArray dyFlip = abs(dy).mul(flip);
        Conv magKept = Conv.run(g, Types.FP32, false, abs(x), abs(w), Nd4j.zeros(DataType.FLOAT, oc), dyKept);
        Conv magFlip = Conv.run(g, Types.FP32, false, abs(x), abs(w), Nd4j.zeros(DataType.FLOAT, oc), dyFlip);
        // the error at the input: sums over oc * 3 * 3
        INDArray dxBound = magKept.dx.mul(slack + 2 * kFwd * U32).addi(magFlip.dx.mul(1 + slack));
        if (in == DataType.BFLOAT16) {
            dxBound.addi(abs(ref.dx).add(dxBound).muli(U));
        }
        assertWithinAndRounded("error at the input", bf.dx.castTo(DataType.FLOAT), ref.dx, dxBound);
        // weight and bias gradients: float32 outputs, sums over the batch and the map
        INDArray dwBound = magKept.dw.mul(slack + 2 * kWeights * U32).addi(magFlip.dw.mul(1 + slack));
        assertWithinAndRounded("weight gradient", bf.dw, ref.dw, dwBound);
        INDArray dbBound = magKept.db.mul(U + 2 * kWeights * U32).addi(magFlip.db.mul(1 + U));
        assertWithinAndRounded("bias gradient", bf.db, ref.db, dbBound);
    }

    /**
     * While a bfloat16 kernel times its candidates for the weight gradient (bfloat16 on all
     * threads, bfloat16 on one thread, float32 Winograd), each call runs the next one: every one of
     * them is within the bound (Winograd in float32 is the most precise of them).
     */
    @Test
    void everyWeightGradientCandidateIsWithinTheBound() {
        assumeBf16();
        ConvKernel.Geometry g = new ConvKernel.Geometry(4, 32, 4, 4, 32, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1);
        Types t = new Types(DataType.BFLOAT16, DataType.BFLOAT16, DataType.BFLOAT16);
        Nd4j.getRandom().setSeed(5);
        INDArray x = exact(Nd4j.rand(DataType.FLOAT, g.src()).subi(0.5), DataType.BFLOAT16);
        INDArray w = Nd4j.rand(DataType.FLOAT, g.weights()).subi(0.5).muli(0.2);
        INDArray b = Nd4j.zeros(DataType.FLOAT, 32);
        INDArray dy = exact(Nd4j.rand(DataType.FLOAT, g.dst()).subi(0.5), DataType.BFLOAT16);
        Conv ref = Conv.run(g, Types.FP32, false, x, w, b, dy);
        Conv mag = Conv.run(g, Types.FP32, false, abs(x), abs(w), b, abs(dy));
        INDArray bound = mag.dw.mul(2 * U + U * U + 2 * 4 * 16 * U32);
        Choice.forgetAll(); // measure here, whatever an earlier test decided for this shape
        try (ConvKernel k = new ConvKernel(new ConvKernel.Key(g, t), false)) {
            INDArray xs = x.castTo(DataType.BFLOAT16);
            INDArray dys = dy.castTo(DataType.BFLOAT16);
            INDArray y = Nd4j.create(DataType.BFLOAT16, g.dst());
            INDArray dx = Nd4j.create(DataType.BFLOAT16, g.src());
            for (int call = 0; call < 3; call++) {
                INDArray dw = Nd4j.create(DataType.FLOAT, g.weights());
                INDArray db = Nd4j.create(DataType.FLOAT, 32);
                k.forward(Dnnl.address(xs), Dnnl.address(w), Dnnl.address(b), Dnnl.address(y));
                k.backward(Dnnl.address(xs), Dnnl.address(w), Dnnl.address(dys), Dnnl.address(y), Dnnl.address(dx),
                        Dnnl.address(dw), Dnnl.address(db), false, false);
                Dnnl.keepAlive(xs, dys);
                assertWithin("weight gradient, call " + call + " (" + k.describe() + ")", dw, ref.dw, bound);
            }
            assertTrue(k.describe().contains("backward weights (direct bf16 one thread)"), k.describe());
        }
    }

    @Test
    void oneThreadIsThisThreadsOpenMpSettingForAWhile() {
        assumeTrue(Dnnl.available(), "oneDNN did not load: " + Dnnl.unavailableReason());
        var ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        assertEquals(1, (int) Dnnl.oneThread(ops::ompGetMaxThreads));
        assertEquals(before, ops.ompGetMaxThreads());
    }

    /** One forward and backward pass of a fresh kernel on plain arrays (the float32 types' arrays, or bfloat16 ones). */
    private record Conv(INDArray y, INDArray dx, INDArray dw, INDArray db) {
        static Conv run(ConvKernel.Geometry g, Types t, boolean relu, INDArray x, INDArray w, INDArray b, INDArray dy) {
            try (ConvKernel k = new ConvKernel(new ConvKernel.Key(g, t), relu)) {
                INDArray xs = x.castTo(t.in()).dup('c');
                INDArray dys = dy.castTo(t.out()).dup('c');
                INDArray y = Nd4j.create(t.out(), g.dst());
                INDArray dx = Nd4j.create(t.in(), g.src());
                INDArray dw = Nd4j.create(DataType.FLOAT, g.weights());
                INDArray db = Nd4j.create(DataType.FLOAT, g.outChannels());
                k.forward(Dnnl.address(xs), Dnnl.address(w), Dnnl.address(b), Dnnl.address(y));
                k.backward(Dnnl.address(xs), Dnnl.address(w), Dnnl.address(dys), Dnnl.address(y), Dnnl.address(dx),
                        Dnnl.address(dw), Dnnl.address(db), false, false);
                Dnnl.keepAlive(xs, dys, w, b);
                return new Conv(y.castTo(DataType.FLOAT), dx.castTo(DataType.FLOAT), dw, db);
            }
        }
    }

    /**
     * Max pooling moves values, so in any type it is exact: a bfloat16 output is the rounded float32
     * one, the error at the input routes the same values to the same places. The inputs are distinct
     * values exactly representable in bfloat16, so that no two of a window tie.
     */
    @ParameterizedTest(name = "in {0}, out {1}")
    @CsvSource({"BFLOAT16, BFLOAT16", "BFLOAT16, FLOAT", "FLOAT, BFLOAT16"})
    void maxPoolingIsExact(DataType in, DataType out) {
        assumeBf16();
        MaxPoolKernel.Geometry g = new MaxPoolKernel.Geometry(2, 8, 8, 8, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0);
        INDArray x = distinctBf16Values(2 * 8 * 8 * 8, 1).reshape(g.src());
        INDArray dy = distinctBf16Values(2 * 8 * 4 * 4, 2).reshape(g.dst());
        INDArray[] ref = pool(g, MaxPoolKernel.types(DataType.FLOAT, DataType.FLOAT), x, dy);
        INDArray[] bf = pool(g, MaxPoolKernel.types(in, out), x.castTo(in), dy.castTo(out));
        assertEquals(ref[0].castTo(out).castTo(DataType.FLOAT), bf[0].castTo(DataType.FLOAT), "forward");
        assertEquals(ref[1], bf[1].castTo(DataType.FLOAT), "error at the input");
        assertEquals(in, bf[1].dataType());
    }

    private static INDArray[] pool(MaxPoolKernel.Geometry g, Types t, INDArray x, INDArray dy) {
        try (MaxPoolKernel k = new MaxPoolKernel(new MaxPoolKernel.Key(g, t))) {
            INDArray xs = x.dup('c');
            INDArray dys = dy.dup('c');
            INDArray y = Nd4j.create(t.out(), g.dst());
            INDArray dx = Nd4j.create(t.in(), g.src());
            k.forwardTraining(Dnnl.address(xs), Dnnl.address(y));
            k.backward(Dnnl.address(dys), Dnnl.address(dx));
            Dnnl.keepAlive(xs, dys);
            return new INDArray[] {y, dx};
        }
    }

    /**
     * Batch norm of a bfloat16 input (it normalises in its input's type) against float32 on the same
     * values. Its statistics are computed in float32 either way, so the differences are the bfloat16
     * roundings of what it reads and writes: the output ({@code u |y|}: it is computed in bfloat16,
     * whatever type it is then stored in), the error it receives ({@code u |dy|} when that arrives in
     * float32 and is rounded), the error it passes on (bfloat16 like its input: {@code u |dx|}); and
     * float32 rounding in reductions of
     * length R = N*H*W, bounded by {@code 4 R 2^-24} relative to the magnitudes of the terms (for the
     * mean, the variance, its square root and the division).
     */
    @ParameterizedTest(name = "out {0}")
    @CsvSource({"BFLOAT16", "FLOAT"})
    void batchNormIsWithinTheRoundingBoundOfFloat32(DataType out) {
        assumeBf16();
        BatchNormKernel.Geometry g = new BatchNormKernel.Geometry(4, 8, 6, 6, 1e-5f);
        Nd4j.getRandom().setSeed(7);
        INDArray x = exact(Nd4j.rand(DataType.FLOAT, g.data()).muli(3).subi(1), DataType.BFLOAT16);
        INDArray dy = exact(Nd4j.rand(DataType.FLOAT, g.data()).subi(0.5), out);
        INDArray gamma = Nd4j.rand(DataType.FLOAT, 8).addi(0.5);
        INDArray beta = Nd4j.rand(DataType.FLOAT, 8).subi(0.5);
        Bn ref = Bn.run(g, Types.FP32, x, dy, gamma, beta);
        Bn bf = Bn.run(g, BatchNormKernel.types(DataType.BFLOAT16, out), x.castTo(DataType.BFLOAT16), dy.castTo(out),
                gamma, beta);

        long r = 4 * 6 * 6;
        double f32 = 4 * r * U32;
        INDArray sigma = Transforms.sqrt(ref.variance.add(1e-5f)).reshape(1, 8, 1, 1);
        INDArray scale = abs(gamma).reshape(1, 8, 1, 1).div(sigma);
        INDArray mean = ref.mean.reshape(1, 8, 1, 1);
        INDArray xhat = x.sub(mean).div(sigma);
        INDArray meanAbsX = abs(x).mean(0, 2, 3).reshape(1, 8, 1, 1);
        INDArray yBound = scale.mul(abs(x).add(meanAbsX)).addi(abs(beta).reshape(1, 8, 1, 1)).muli(f32);
        yBound.addi(abs(ref.y).add(yBound).muli(U)); // rounded to bfloat16, what it computes in, whatever it is stored in
        assertWithin("forward", bf.y, ref.y, yBound);

        double dyRounding = out == DataType.BFLOAT16 ? 0 : U; // a float32 error is rounded on the way in
        INDArray absDy = abs(dy);
        INDArray meanAbsDy = absDy.mean(0, 2, 3).reshape(1, 8, 1, 1);
        INDArray meanAbsDyXhat = absDy.mul(abs(xhat)).mean(0, 2, 3).reshape(1, 8, 1, 1);
        INDArray terms = absDy.add(meanAbsDy).addi(abs(xhat).mul(meanAbsDyXhat)).muli(scale); // |dx| <= this
        INDArray dxBound = terms.mul(dyRounding + f32);
        dxBound.addi(abs(ref.dx).add(dxBound).muli(U)); // the error at a bfloat16 input is bfloat16
        assertWithin("error at the input", bf.dx, ref.dx, dxBound);
        INDArray dGammaBound = absDy.mul(abs(xhat)).sum(0, 2, 3).muli(dyRounding + f32);
        assertWithin("gamma gradient", bf.dGamma, ref.dGamma, dGammaBound);
        INDArray dBetaBound = absDy.sum(0, 2, 3).muli(dyRounding + f32);
        assertWithin("beta gradient", bf.dBeta, ref.dBeta, dBetaBound);
    }

    private record Bn(INDArray y, INDArray mean, INDArray variance, INDArray dx, INDArray dGamma, INDArray dBeta) {
        static Bn run(BatchNormKernel.Geometry g, Types t, INDArray x, INDArray dy, INDArray gamma, INDArray beta) {
            try (BatchNormKernel k = new BatchNormKernel(new BatchNormKernel.Key(g, t))) {
                INDArray xs = x.dup('c');
                INDArray dys = dy.dup('c');
                INDArray y = Nd4j.create(t.out(), g.data());
                INDArray mean = Nd4j.create(DataType.FLOAT, g.channels());
                INDArray var = Nd4j.create(DataType.FLOAT, g.channels());
                INDArray dx = Nd4j.create(t.in(), g.data());
                INDArray dGamma = Nd4j.create(DataType.FLOAT, g.channels());
                INDArray dBeta = Nd4j.create(DataType.FLOAT, g.channels());
                k.forwardTraining(Dnnl.address(xs), Dnnl.address(gamma), Dnnl.address(beta), Dnnl.address(y),
                        Dnnl.address(mean), Dnnl.address(var));
                k.backward(Dnnl.address(xs), Dnnl.address(mean), Dnnl.address(var), Dnnl.address(dys), Dnnl.address(gamma),
                        Dnnl.address(beta), Dnnl.address(dx), Dnnl.address(dGamma), Dnnl.address(dBeta));
                Dnnl.keepAlive(xs, dys, gamma, beta);
                return new Bn(y.castTo(DataType.FLOAT), mean, var, dx.castTo(DataType.FLOAT), dGamma, dBeta);
            }
        }
    }

    @Test
    void theCpuIsReportedAsOneDnnSeesIt() {
        assumeTrue(Dnnl.available(), "oneDNN did not load: " + Dnnl.unavailableReason());
        String isa = Dnnl.isa();
        assertNotNull(isa);
        assertEquals(isa.equals("avx512_core_bf16") || isa.equals("avx512_core_amx"), Dnnl.nativeBf16(), isa);
    }

    /** Asserts |actual - expected| <= bound element by element. */
    private static void assertWithin(String what, INDArray actual, INDArray expected, INDArray bound) {
        INDArray diff = abs(actual.sub(expected));
        double worst = diff.sub(bound).maxNumber().doubleValue();
        double used = diff.div(bound.add(1e-30)).maxNumber().doubleValue();
        assertTrue(worst <= 0, what + ": an element is off by " + worst + " beyond its bound (max |difference| "
                + diff.maxNumber() + ", " + used + " of its bound)");
    }

    /**
     * The same, and the differences are a visible share of the bound: where bfloat16 arithmetic ran,
     * they are (a check that the kernel did not quietly compute in float32, which would pass any bound).
     */
    private static void assertWithinAndRounded(String what, INDArray actual, INDArray expected, INDArray bound) {
        assertWithin(what, actual, expected, bound);
        double used = abs(actual.sub(expected)).div(bound.add(1e-30)).maxNumber().doubleValue();
        assertTrue(used > 1e-3, what + ": differences at most " + used + " of the bound: was it computed in bfloat16?");
    }

    /** The values rounded to {@code type} (so that a bfloat16-typed kernel receives exactly them), as float32. */
    private static INDArray exact(INDArray a, DataType type) {
        return a.castTo(type).castTo(DataType.FLOAT);
    }

    private static INDArray abs(INDArray a) {
        return Transforms.abs(a, true);
    }

    /** n distinct values k * 2^e (k in 128..255, e in -12..12, either sign): exact in bfloat16, shuffled. */
    private static INDArray distinctBf16Values(int n, long seed) {
        List<Float> values = new ArrayList<>();
        for (int e = -12; e <= 12; e++) {
            for (int k = 128; k < 256; k++) {
                float v = (float) (k * Math.pow(2, e - 7));
                values.add(v);
                values.add(-v);
            }
        }
        Collections.shuffle(values, new Random(seed));
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = values.get(i);
        }
        return Nd4j.createFromArray(a);
    }
}
