package io.github.vgg4j.onednn;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Float64Reference;
import io.github.vgg4j.core.GradientCheck;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.PlainPath;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The networks the builder makes run on oneDNN (no flag needed), and oneDNN computes what DL4J's
 * own path computes: outputs and gradients on a net with every layer type a VGG has.
 */
class FastPathTest {
    private static final String ALGORITHM = "vgg4j.onednn.algorithm";
    private static final String CHUNK_BYTES = "vgg4j.onednn.chunkBytes";
    private static final String IN_PLACE = "vgg4j.onednn.inPlaceErrors";

    /** conv, batch norm, ReLU, LRN, max-pool, dense, softmax. */
    private static MultiLayerConfiguration everyLayerType() {
        return VGGBuilder.of(VggConfiguration.A_LRN).batchNorm(true).widthMultiplier(1 / 16.0)
                .inputShape(3, 32, 32).numClasses(5).head(Head.cifar()).dropout(0).seed(7).build();
    }

    @Test
    void theKernelsAreFoundWithoutAnyUserFlagAndLibnd4jIsItsOneDnnBuild() {
        FastPath.Status status = FastPath.status();
        assertEquals("CPU", status.backend());
        assertTrue(status.kernels(), "vgg4j's oneDNN kernels should be found and load: " + status);
        assertTrue(status.detail().contains("oneDNN 2.5"), status.detail());
        // Only the -onednn natives of libnd4j are on the classpath (the plain ones are excluded): JavaCPP loads them.
        assertTrue(org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN(),
                "libnd4j should be its oneDNN build");
    }

    /**
     * .ci/isa runs the numerical tests with oneDNN capped at lower instruction sets (AVX2, AVX-512
     * without its extensions), so that the kernels' other code paths are compared with float64 on
     * one machine. The cap must reach the oneDNN of vgg4j's kernels in the forked test JVM: oneDNN
     * 2.5 reads ONEDNN_MAX_CPU_ISA (or DNNL_MAX_CPU_ISA), and surefire passes mvn's environment on.
     * (libnd4j's own oneDNN 2.3 reads only DNNL_MAX_CPU_ISA; .ci/isa sets both.) Uncapped, oneDNN
     * must run its JIT code for the widest of AVX2 and AVX-512 the CPU has.
     */
    @Test
    void oneDnnRunsAtTheInstructionSetItIsCappedAt() throws Exception {
        FastPath.status(); // ND4J's natives first (Dnnl)
        int isa = org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa();
        String cap = System.getenv("ONEDNN_MAX_CPU_ISA") != null ? System.getenv("ONEDNN_MAX_CPU_ISA") : System.getenv("DNNL_MAX_CPU_ISA");
        java.nio.file.Path cpuinfo = java.nio.file.Path.of("/proc/cpuinfo");
        java.util.Set<String> flags = new java.util.HashSet<>();
        if (java.nio.file.Files.isReadable(cpuinfo)) {
            java.nio.file.Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst()
                    .ifPresent(l -> flags.addAll(List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))));
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(flags.isEmpty(), "no x86 CPU flags to compare with (/proc/cpuinfo)");
        int avx2 = org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx2, avx512 = org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core;
        int hardware = flags.containsAll(List.of("avx512f", "avx512bw", "avx512vl", "avx512dq")) ? avx512
                : flags.contains("avx2") ? avx2 : 0;
        String what = "oneDNN's effective ISA " + isa + " (" + (cap == null ? "no cap" : "capped at " + cap) + ", CPU up to " + hardware + ")";
        if (cap == null || cap.equalsIgnoreCase("ALL")) {
            assertEquals(hardware, isa & hardware, what);
        } else {
            int level = switch (cap.toUpperCase()) {
                case "SSE41" -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_sse41;
                case "AVX" -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx;
                case "AVX2" -> avx2;
                case "AVX512_CORE" -> avx512;
                case "AVX512_CORE_VNNI" -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_vnni;
                case "AVX512_CORE_BF16" -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_bf16;
                case "AVX512_CORE_AMX" -> org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_amx;
                default -> throw new IllegalArgumentException("unknown ONEDNN_MAX_CPU_ISA " + cap);
            };
            assertEquals(0, isa & ~level, what + ": above the cap");
            assertEquals(level & hardware, isa & hardware, what);
        }
        System.out.println(what);
    }

    @Test
    void convolutionPoolingAndBatchNormRunThroughVgg4jsOneDnnKernels() {
        MultiLayerNetwork net = new MultiLayerNetwork(everyLayerType());
        net.init();
        FastPath.apply(net);
        INDArray x = Nd4j.rand(new int[] {4, 3, 32, 32});
        INDArray y = Nd4j.eye(5).getRows(0, 1, 2, 3);
        net.fit(x, y);
        net.output(x);
        int conv = 0, pool = 0, bn = 0;
        for (Layer l : net.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            String helper = PlainPath.helperOf(l);
            assertEquals(0, PlainPath.helperFailures(l), name + ": the helper failed and DL4J fell back");
            if (name.contains("_conv")) {
                assertEquals("OneDnnConvolutionLayer", l.getClass().getSimpleName(), name);
                conv++;
            } else if (name.endsWith("_pool")) {
                assertEquals("OneDnnSubsamplingLayer", l.getClass().getSimpleName(), name);
                assertTrue(FastPath.implementations(net).stream().anyMatch(
                        // any of oneDNN's implementations: jit on AVX-512, simple_nchw on AVX2 (ONEDNN_MAX_CPU_ISA=AVX2)
                        i -> i.startsWith(name + ": max pool ")), name + " ran oneDNN's kernel");
                pool++;
            } else if (name.contains("_bn")) {
                // vgg4j's kernel; DL4J's oneDNN helper is removed (OneDnnKernels#dropBatchNormHelpers)
                assertNull(helper, name);
                assertEquals("OneDnnBatchNormalization", l.getClass().getSimpleName(), name);
                assertTrue(FastPath.implementations(net).stream().anyMatch(
                        i -> i.startsWith(name + ": batch norm ")), name + " ran oneDNN's kernel");
                bn++;
            } else if (name.equals("block1_lrn")) {
                // DL4J disabled its oneDNN LRN helper on CPU (deeplearning4j#7272): LRN runs DL4J's own path.
                assertNull(helper, name);
            }
        }
        assertEquals(8, conv);
        assertEquals(5, pool);
        assertEquals(8, bn);
    }

    /**
     * Several training steps, not only one: a kernel that got the first step right and kept some
     * state wrong would show here. At every step of the fast network's own trajectory, a plain-path
     * copy with the same parameters (running estimates included) and updater state runs the same
     * batch; both are judged against float64 by {@link GradientCheck} (loss, every layer's output,
     * every gradient); then both take the step, and their parameters may differ only as their
     * gradients did.
     *
     * <p>The network is VGG11-BN at half width. On an Intel Xeon with AMX the former comparison
     * (fast against plain float32, every gradient within 1e-4 relative) failed at step 8 on 9_beta
     * (block3_bn1's beta) by 1.0e-3, deterministically (issue 20). The float64 reference shows why:
     * at that step one block3_bn1 output is 2.6e-6 from zero, less than the float32 paths' forward
     * error in that layer (up to 3.6e-6 fast, 7.6e-6 plain, here), so rounding decides whether the
     * ReLU after it passes that element's error; passed or not, block3_bn1's beta gradient moves by
     * 1.0e-3 of its norm, its gamma gradient by 3e-6 (the term is error * xhat, and xhat ~ 0 where
     * the output is ~0), and nothing above it moves. One of the two float32 paths took the other
     * branch there: not a defect of either, and no tolerance on the sum would be right for it. It
     * was the plain path: on an AMD EPYC with OPENBLAS_CORETYPE=SkylakeX (the OpenBLAS kernels a
     * Xeon gets, for DL4J's im2col convolutions) the former comparison fails with the very number
     * reported, 0.0010048161059780728, and the reference follows the plain path's ReLU there. The
     * reference therefore follows each path's side of such decisions ({@link Float64Reference}).
     * Comparing the two float32 trajectories with each other over 10 steps, as before, was
     * ill-conditioned for the same reason: one branch taken differently parts them (at quarter width
     * a max-pool choice 1.3e-7 from a tie at step 5 did, by 2e-3 in parameters after 10 steps); so
     * each step starts both from the fast network's state. The convolutions are pinned to oneDNN's
     * direct algorithm: this test is about batch norm, and otherwise the first layer follows
     * whatever an earlier test's timing chose.
     */
    @Test
    void batchNormTrainsLikeDl4jsPlainPathOverSeveralSteps() {
        withProperty(ALGORITHM, "direct", FastPathTest::batchNormTrainsOverSeveralSteps);
    }

    /** VGG11-BN at half width, the issue 20 configuration (learning rate 0.01, at which the loss falls). */
    static MultiLayerConfiguration vgg11BnHalf() {
        return VGGBuilder.of(VggConfiguration.A).batchNorm(true).widthMultiplier(0.5).inputShape(3, 32, 32).numClasses(5)
                .head(Head.cifar()).dropout(0).weightDecay(0).learningRate(0.01).seed(7).build();
    }

    /** The batches of the several-steps test (seed 3; batch 16; labels cycle with the step). */
    static INDArray[] batch(int step) {
        INDArray x = Nd4j.rand(new int[] {16, 3, 32, 32}).subi(0.5);
        INDArray y = Nd4j.zeros(16, 5);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, (i + step) % 5, 1);
        }
        return new INDArray[] {x, y};
    }

    private static void batchNormTrainsOverSeveralSteps() {
        MultiLayerConfiguration conf = vgg11BnHalf();
        MultiLayerNetwork fast = new MultiLayerNetwork(conf.clone());
        fast.init();
        FastPath.apply(fast);
        MultiLayerNetwork probe = PlainPath.init(conf);
        Nd4j.getRandom().setSeed(3);
        for (int step = 0; step < 10; step++) {
            INDArray[] b = batch(step);
            INDArray before = fast.params().dup();
            probe.setParams(before);
            probe.getUpdater(true).getStateViewArray().assign(fast.getUpdater(true).getStateViewArray());
            GradientCheck.Path pf = GradientCheck.path(fast, b[0], b[1]);
            GradientCheck.Path pp = GradientCheck.path(probe, b[0], b[1]);
            GradientCheck.Comparison c = GradientCheck.compare(conf, before, b[0], b[1], pf, pp);
            c.assertAgrees("step " + step);
            fast.fit(b[0], b[1]);
            probe.fit(b[0], b[1]);
            List<GradientCheck.Row> steps = GradientCheck.stepRows(fast, probe, before, pf, pp, c, 16);
            List<GradientCheck.Row> bad = steps.stream().filter(r -> !r.ok()).toList();
            assertTrue(bad.isEmpty(), "step " + step + ": the parameters after the step differ beyond their gradients: " + bad);
        }
    }

    /**
     * The batch-norm kernel against DL4J's own batch norm in both forms DL4J stores the running
     * variance in (log10 of the std, DL4J's default, and the variance itself): training steps, the
     * running estimates they leave, and inference with those estimates.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void batchNormKernelKeepsDl4jsRunningEstimatesAndInference(boolean useLogStd) {
        MultiLayerConfiguration conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(5)
                .updater(new org.nd4j.linalg.learning.config.Sgd(0.1)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(8)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().useLogStd(useLogStd)
                        .decay(0.8).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ActivationLayer(org.nd4j.linalg.activations.Activation.RELU))
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(9, 7, 2)).build();
        MultiLayerNetwork plain = PlainPath.init(conf);
        MultiLayerNetwork fast = new MultiLayerNetwork(conf.clone());
        fast.init();
        FastPath.apply(fast);
        assertEquals("OneDnnBatchNormalization", fast.getLayer(1).getClass().getSimpleName());
        fast.setParams(plain.params().dup());
        Nd4j.getRandom().setSeed(11);
        for (int step = 0; step < 4; step++) {
            INDArray x = Nd4j.rand(new int[] {5, 2, 9, 7}).muli(3).subi(1); // mean and variance far from 0 and 1
            INDArray y = Nd4j.eye(3).getRows(0, 1, 2, step % 3, 1);
            // The plain path from the fast network's parameters at every step (the running estimates
            // are parameters): both against float64, then one step each (see batchNormTrainsLikeDl4jsPlainPath...).
            INDArray before = fast.params().dup();
            plain.setParams(before);
            GradientCheck.Path pf = GradientCheck.path(fast, x, y);
            GradientCheck.Path pp = GradientCheck.path(plain, x, y);
            GradientCheck.Comparison c = GradientCheck.compare(conf, before, x, y, pf, pp);
            c.assertAgrees("step " + step);
            fast.fit(x, y);
            plain.fit(x, y);
            List<GradientCheck.Row> bad = GradientCheck.stepRows(fast, plain, before, pf, pp, c, 5).stream().filter(r -> !r.ok()).toList();
            assertTrue(bad.isEmpty(), "step " + step + ": " + bad);
        }
        // Inference with the running estimates the steps left.
        plain.setParams(fast.params().dup());
        INDArray x = Nd4j.rand(new int[] {3, 2, 9, 7});
        GradientCheck.Row out = GradientCheck.outputRow("inference", fast.output(x, false), plain.output(x, false),
                Float64Reference.network(conf, fast.params()).output(x.castTo(DataType.DOUBLE), false));
        assertTrue(out.ok(), "inference with the running estimates: " + out);
    }

    /** Imported and pretrained networks are ComputationGraphs: the same kernels, the same results. */
    @Test
    void computationGraphsGetTheKernelsAndMatchDl4jsPlainPath() {
        MultiLayerNetwork plain = PlainPath.init(withoutBatchNorm());
        ComputationGraph graph = FastPath.apply(plain.toComputationGraph()); // layers named "0", "1", ...
        long pools = 0, convs = 0;
        for (var vertex : graph.getVertices()) {
            if (!vertex.hasLayer()) {
                continue;
            }
            Layer l = vertex.getLayer();
            assertTrue(java.util.Arrays.asList(graph.getLayers()).contains(l), "vertex and layer list agree");
            if (l.getClass().getSimpleName().equals("OneDnnSubsamplingLayer")) {
                pools++;
            }
            if (l.getClass().getSimpleName().equals("OneDnnConvolutionLayer")) {
                convs++;
            }
        }
        assertEquals(5, pools);
        assertEquals(13, convs);
        assertEquals("OneDnnConvolutionLayer", graph.getLayer("0").getClass().getSimpleName());

        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(new int[] {6, 3, 32, 32}).subi(0.5);
        INDArray y = Nd4j.eye(5).getRows(0, 1, 2, 3, 4, 0);
        MultiLayerConfiguration conf = plain.getLayerWiseConfigurations();
        GradientCheck.Row out = GradientCheck.outputRow("output", graph.outputSingle(false, x), plain.output(x, false),
                Float64Reference.network(conf, plain.params()).output(x.castTo(DataType.DOUBLE), false));
        assertTrue(out.ok(), out.toString());
        GradientCheck.Path pg = GradientCheck.path(graph, x, y);
        GradientCheck.Path pp = GradientCheck.path(plain, x, y);
        assertEquals(pp.gradients().keySet(), pg.gradients().keySet());
        GradientCheck.compare(conf, plain.params(), x, y, pg, pp).assertAgrees("graph");
    }

    /** Odd map sizes: a 36x36 input pools to 18, 9, then 4 (the last row and column are dropped), 2, 1. */
    private static MultiLayerConfiguration oddSizes() {
        return VGGBuilder.vgg11().widthMultiplier(1 / 16.0).inputShape(3, 36, 36).numClasses(5)
                .head(Head.cifar()).dropout(0).seed(7).build();
    }

    @Test
    void oddMapSizesPoolAsDl4jDoes() {
        List<String> used = assertMatchesPlainPath(oddSizes(), "auto", 36);
        String pool9 = used.stream().filter(l -> l.startsWith("block3_pool")).findFirst().orElseThrow();
        // oneDNN's kernel (jit on AVX-512, simple_nchw on AVX2), not DL4J's own pooling
        assertTrue(pool9.startsWith("block3_pool: max pool "), "9x9 -> 4x4 should run oneDNN's kernel: " + pool9);
    }

    /** Without batch norm: ReLU inside the convolution, conv bias gradients not trivially zero. */
    private static MultiLayerConfiguration withoutBatchNorm() {
        return VGGBuilder.vgg16().widthMultiplier(1 / 16.0).inputShape(3, 32, 32).numClasses(5)
                .head(Head.cifar()).dropout(0).seed(7).build();
    }

    /** Each of the kernels' algorithms, forced on every layer, and the per-layer choice by measurement. */
    @ParameterizedTest
    @ValueSource(strings = {"direct", "winograd", "auto"})
    void outputsAndGradientsMatchDl4jsPlainPath(String algorithm) {
        withProperty(ALGORITHM, algorithm, () -> {
            assertMatchesPlainPath(everyLayerType(), algorithm);
            assertMatchesPlainPath(withoutBatchNorm(), algorithm);
        });
    }

    /**
     * Batches run in chunks of a few images where activations are large; the chunks' weight and
     * bias gradients are summed. Here every layer runs image by image, with a remainder chunk.
     */
    @ParameterizedTest
    @ValueSource(strings = {"direct", "winograd"})
    void chunkedBatchesGiveTheSameOutputsAndGradients(String algorithm) {
        // 1 image per chunk on block 1, 3+3+2 on block 2, 6+2 on block 3
        withProperty(ALGORITHM, algorithm, () -> withProperty(CHUNK_BYTES, "25000", () -> {
            List<String> used = assertMatchesPlainPath(everyLayerType(), algorithm);
            assertTrue(used.stream().anyMatch(l -> l.contains("mb1_")), "no layer ran image by image: " + used);
            assertTrue(used.stream().anyMatch(l -> l.contains("mb2_")), "no remainder chunk: " + used);
            assertMatchesPlainPath(withoutBatchNorm(), algorithm);
        }));
    }

    /**
     * The errors of a network without batch norm are written over the activations they belong to
     * ({@code ErrorInPlace}): on every convolution and pooling layer but the first convolution,
     * whose input is the network's. The gradients are the same, to the bit, as with the errors in
     * arrays of their own; in whole batches and in chunks of a few images (each chunk's input is
     * overwritten only after its weight gradient is done).
     */
    @ParameterizedTest
    @ValueSource(strings = {"whole", "chunked"})
    void errorsWrittenOverTheActivationsGiveTheSameGradients(String batches) {
        withProperty(ALGORITHM, "direct", () -> withProperty(CHUNK_BYTES, batches.equals("whole") ? "33554432" : "25000", () -> {
            MultiLayerConfiguration conf = withoutBatchNorm();
            MultiLayerNetwork inPlace = new MultiLayerNetwork(conf.clone());
            inPlace.init();
            FastPath.apply(inPlace);
            MultiLayerNetwork separate = new MultiLayerNetwork(conf.clone());
            separate.init();
            FastPath.apply(separate);
            separate.setParams(inPlace.params().dup());
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.rand(new int[] {8, 3, 32, 32}).subi(0.5);
            INDArray y = Nd4j.eye(8).getColumns(0, 1, 2, 3, 4);

            Map<String, INDArray> a = gradients(inPlace, x, y);
            Map<String, INDArray>[] b = new Map[1];
            withProperty(IN_PLACE, "false", () -> b[0] = gradients(separate, x, y));
            assertEquals(b[0].keySet(), a.keySet());
            for (String key : a.keySet()) {
                assertEquals(0.0, a.get(key).sub(b[0].get(key)).amaxNumber().doubleValue(), key);
            }
            for (String line : FastPath.implementations(inPlace)) {
                assertEquals(!line.startsWith("block1_conv1:"), line.endsWith("error at the input written in place"), line);
            }
            assertTrue(FastPath.implementations(separate).stream().noneMatch(l -> l.contains("in place")));
        }));
    }

    /**
     * DL4J's external-errors use: a caller runs {@code feedForward} in training mode, then hands the
     * error at the last layer to {@code backpropGradient}, here the last layer's own output array.
     * The kernels write errors over activations only inside DL4J's own training step: the caller's
     * activations come back intact, DL4J's workspace checks pass, and the gradients (and the error
     * at the input) are those computed with errors in arrays of their own.
     */
    @Test
    void externalErrorsLeaveTheCallersActivationsIntact() {
        withProperty(ALGORITHM, "direct", () -> {
            MultiLayerConfiguration conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3)
                    .list()
                    .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nIn(3).nOut(8)
                            .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same)
                            .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(8)
                            .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same)
                            .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                    .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                    .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(16, 16, 3))
                    .build();
            Nd4j.getRandom().setSeed(5);
            INDArray x = Nd4j.rand(new int[] {4, 3, 16, 16}).subi(0.5);
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            FastPath.apply(net);
            MultiLayerNetwork separate = net.clone();
            FastPath.apply(separate);

            net.setInput(x);
            List<INDArray> acts = net.feedForward(true, false);
            List<INDArray> before = acts.stream().map(INDArray::dup).toList();
            INDArray eps = acts.get(acts.size() - 1); // the pool's own output, as the error
            var result = net.backpropGradient(eps, null);
            for (int i = 0; i < acts.size(); i++) {
                assertEquals(before.get(i), acts.get(i), "activation " + i + " was overwritten");
            }
            Map<String, INDArray> g = result.getFirst().gradientForVariable();

            separate.setInput(x);
            List<INDArray> acts2 = separate.feedForward(true, false);
            INDArray[] b = new INDArray[1];
            Map<String, INDArray>[] g2 = new Map[1];
            withProperty(IN_PLACE, "false", () -> {
                var r = separate.backpropGradient(acts2.get(acts2.size() - 1).dup(), null);
                g2[0] = r.getFirst().gradientForVariable();
                b[0] = r.getSecond();
            });
            for (String key : g2[0].keySet()) {
                assertEquals(0.0, g.get(key).sub(g2[0].get(key)).amaxNumber().doubleValue(), key);
            }
            assertEquals(0.0, result.getSecond().sub(b[0]).amaxNumber().doubleValue(), "error at the input");
            assertTrue(FastPath.implementations(net).stream().noneMatch(l -> l.contains("in place")));
        });
    }

    /*
     * The comparisons must still fail when a kernel is wrong. Each test below hands GradientCheck a
     * realistically broken candidate on one batch of the every-layer-type network and asserts that
     * every tensor the defect reaches is reported (measured: 1.7x to 300x beyond the allowance).
     */

    /** One batch of a network, its plain path and its fast path at the same parameters. */
    private record Batch(MultiLayerConfiguration conf, MultiLayerNetwork fast, MultiLayerNetwork plain, INDArray x, INDArray y) {
        static Batch of(MultiLayerConfiguration conf) {
            MultiLayerNetwork plain = PlainPath.init(conf);
            MultiLayerNetwork fast = new MultiLayerNetwork(conf.clone());
            fast.init(plain.params().dup(), true);
            FastPath.apply(fast);
            Nd4j.getRandom().setSeed(1);
            INDArray x = Nd4j.rand(new int[] {8, 3, 32, 32}).subi(0.5);
            INDArray y = Nd4j.zeros(8, 5);
            for (int i = 0; i < 8; i++) {
                y.putScalar(i, i % 5, 1);
            }
            return new Batch(conf, fast, plain, x, y);
        }

        GradientCheck.Comparison compare(GradientCheck.Path candidate) {
            return GradientCheck.compare(conf, plain.params(), x, y, candidate, GradientCheck.path(plain, x, y));
        }

        /** The keys of a parameter of every layer of a kind ({@code W} of convolutions and dense layers, ...). */
        List<String> keys(Class<?> layer, String param) {
            List<String> keys = new java.util.ArrayList<>();
            for (int i = 0; i < conf.getConfs().size(); i++) {
                if (layer.isInstance(conf.getConf(i).getLayer()) && fast.getLayer(i).paramTable().containsKey(param)) {
                    keys.add(i + "_" + param);
                }
            }
            return keys;
        }

        List<String> weightsAndBatchNorm() {
            List<String> keys = new java.util.ArrayList<>(keys(org.deeplearning4j.nn.conf.layers.FeedForwardLayer.class, "W"));
            keys.addAll(keys(org.deeplearning4j.nn.conf.layers.BatchNormalization.class, "gamma"));
            keys.addAll(keys(org.deeplearning4j.nn.conf.layers.BatchNormalization.class, "beta"));
            return keys;
        }
    }

    private static void assertReported(GradientCheck.Comparison c, List<String> keys, String defect) {
        List<String> reported = c.mismatches().stream().map(GradientCheck.Row::key).toList();
        List<String> missed = keys.stream().filter(k -> !reported.contains(k)).toList();
        double least = keys.stream().mapToDouble(k -> c.row(k).error() / c.row(k).allowed()).min().orElse(0);
        System.out.printf("%s: %d of %d tensors reported, those it reaches at %.1f to %.0f times their allowance%n", defect,
                reported.size(), c.rows().size(), least,
                keys.stream().mapToDouble(k -> c.row(k).error() / c.row(k).allowed()).max().orElse(0));
        assertTrue(!keys.isEmpty() && missed.isEmpty(), defect + ": not reported for " + missed + "\n" + c.report());
    }

    /**
     * The fast network's batch norm configured with Keras' epsilon, 1e-3, instead of the layer's
     * 1e-5, as a kernel given the wrong epsilon computes: about 5e-4 relative in the normalised values.
     */
    @Test
    void theCheckRejectsABatchNormKernelWithTheWrongEpsilon() {
        withProperty(ALGORITHM, "direct", () -> {
            Batch b = Batch.of(everyLayerType());
            MultiLayerConfiguration wrong = b.conf().clone();
            wrong.getConfs().forEach(c -> {
                if (c.getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                    bn.setEps(1e-3);
                }
            });
            MultiLayerNetwork broken = new MultiLayerNetwork(wrong);
            broken.init(b.plain().params().dup(), true);
            FastPath.apply(broken);
            assertEquals("OneDnnBatchNormalization", broken.getLayer("block1_bn1").getClass().getSimpleName());
            GradientCheck.Comparison c = b.compare(GradientCheck.path(broken, b.x(), b.y()));
            List<String> keys = new java.util.ArrayList<>(List.of("loss"));
            keys.addAll(b.keys(org.deeplearning4j.nn.conf.layers.BatchNormalization.class, "gamma"));
            keys.addAll(b.keys(org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class, "W"));
            assertReported(c, keys, "batch norm with epsilon 1e-3");
        });
    }

    /**
     * A backward pass that lost the last image's error (as a dropped remainder chunk would): every
     * weight and batch-norm gradient lacks one of the eight images' terms.
     */
    @Test
    void theCheckRejectsGradientsWithoutOneImage() {
        withProperty(ALGORITHM, "direct", () -> {
            Batch b = Batch.of(everyLayerType());
            GradientCheck.Path right = GradientCheck.path(b.fast(), b.x(), b.y());
            INDArray mask = Nd4j.ones(8, 1);
            mask.putScalar(7, 0, 0); // the last image's loss, hence its error, is masked out
            b.fast().setInput(b.x());
            b.fast().setLabels(b.y());
            b.fast().setLayerMaskArrays(null, mask);
            b.fast().computeGradientAndScore();
            Map<String, INDArray> dropped = new java.util.LinkedHashMap<>();
            b.fast().gradient().gradientForVariable().forEach((k, v) -> dropped.put(k, v.castTo(DataType.DOUBLE).dup()));
            b.fast().clearLayerMaskArrays();
            GradientCheck.Comparison c = b.compare(new GradientCheck.Path(right.score(), right.outputs(), dropped));
            assertReported(c, b.weightsAndBatchNorm(), "one image's error dropped");
        });
    }

    /**
     * The last channel's batch-norm gamma and beta gradients 1% off in every batch-norm layer, as a
     * defect in the tail of a channel-blocked kernel would make them. The hardest case is block1_bn1:
     * 8192 terms per channel that cancel 110x (beta) and 260x (gamma), where 1% of one of four
     * channels is 1.5e-3 of the tensor and float32 may be off by up to 9e-4 (reported at 1.7x).
     */
    @Test
    void theCheckRejectsOneChannelOnePercentOff() {
        withProperty(ALGORITHM, "direct", () -> {
            Batch b = Batch.of(everyLayerType());
            GradientCheck.Path right = GradientCheck.path(b.fast(), b.x(), b.y());
            Map<String, INDArray> off = new java.util.LinkedHashMap<>(right.gradients());
            List<String> keys = new java.util.ArrayList<>(b.keys(org.deeplearning4j.nn.conf.layers.BatchNormalization.class, "gamma"));
            keys.addAll(b.keys(org.deeplearning4j.nn.conf.layers.BatchNormalization.class, "beta"));
            for (String k : keys) {
                INDArray g = off.get(k).dup();
                long last = g.length() - 1;
                g.putScalar(last, g.getDouble(last) * 1.01);
                off.put(k, g);
            }
            GradientCheck.Comparison c = b.compare(new GradientCheck.Path(right.score(), right.outputs(), off));
            assertReported(c, keys, "one channel 1% off");
        });
    }

    /**
     * Gradients with bfloat16's 8 significant bits, as a kernel that computed in bfloat16 on an
     * AVX-512 BF16 or AMX machine would return (oneDNN does so for f32 only when told, through its
     * fpmath mode; a wrong data type in a kernel's descriptors would do it silently).
     */
    @Test
    void theCheckRejectsBfloat16Arithmetic() {
        withProperty(ALGORITHM, "direct", () -> {
            Batch b = Batch.of(everyLayerType());
            GradientCheck.Path right = GradientCheck.path(b.fast(), b.x(), b.y());
            Map<String, INDArray> bf16 = new java.util.LinkedHashMap<>();
            right.gradients().forEach((k, v) -> bf16.put(k, v.castTo(DataType.BFLOAT16).castTo(DataType.DOUBLE)));
            GradientCheck.Comparison c = b.compare(new GradientCheck.Path(right.score(), right.outputs(), bf16));
            assertReported(c, b.weightsAndBatchNorm(), "bfloat16 gradients");
        });
    }

    /** Whether oneDNN runs float32 Winograd here: its effective ISA (capped by ONEDNN_MAX_CPU_ISA) includes AVX-512. */
    private static boolean winogradAvailable() {
        FastPath.status(); // ND4J's natives first (Dnnl)
        int isa = org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa();
        int avx512 = org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core;
        return (isa & avx512) == avx512;
    }

    /** Runs {@code body} with a kernel system property set, and clears it afterwards. */
    private static void withProperty(String key, String value, Runnable body) {
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            System.clearProperty(key);
        }
    }

    /** Compares the fast path with DL4J's plain path; returns what the kernels ran, per layer. */
    private static List<String> assertMatchesPlainPath(MultiLayerConfiguration conf, String algorithm) {
        return assertMatchesPlainPath(conf, algorithm, 32);
    }

    private static List<String> assertMatchesPlainPath(MultiLayerConfiguration conf, String algorithm, int side) {
        MultiLayerNetwork fast = new MultiLayerNetwork(conf.clone());
        fast.init();
        FastPath.apply(fast);
        assertEquals("OneDnnConvolutionLayer", fast.getLayer("block1_conv1").getClass().getSimpleName());
        MultiLayerNetwork plain = PlainPath.init(conf);
        assertNull(PlainPath.helperOf(plain.getLayer("block1_conv1")), "the reference must not use oneDNN");
        plain.setParams(fast.params().dup());

        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(new int[] {8, 3, side, side}).subi(0.5);
        INDArray y = Nd4j.zeros(8, 5);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 5, 1);
        }
        GradientCheck.Row out = GradientCheck.outputRow("output", fast.output(x, false), plain.output(x, false),
                Float64Reference.network(conf, plain.params()).output(x.castTo(DataType.DOUBLE), false));
        assertTrue(out.ok(), "inference: " + out);

        GradientCheck.Path pf = GradientCheck.path(fast, x, y);
        GradientCheck.Path pp = GradientCheck.path(plain, x, y);
        List<String> used = FastPath.implementations(fast);
        assertEquals(conf.getConfs().stream().map(c -> c.getLayer().getLayerName())
                .filter(n -> n.contains("_conv") || n.endsWith("_pool") || n.contains("_bn")).count(), used.size());
        for (String line : used.stream().filter(l -> l.contains("_conv")).toList()) {
            // Forcing must have taken effect in all three directions, or the comparison proves nothing.
            // oneDNN 2.5 has float32 Winograd only from AVX-512 on: below, forced Winograd is direct
            // ("direct where none", ConvPlan), as on an AVX2 machine or with ONEDNN_MAX_CPU_ISA=AVX2.
            if (!algorithm.equals("auto")) {
                String expected = algorithm.equals("winograd") && !winogradAvailable() ? "direct" : algorithm;
                String other = expected.equals("direct") ? "winograd" : "direct";
                assertTrue(line.contains("(" + expected + ")") && !line.contains("(" + other + ")"), line);
            }
        }
        assertEquals(pp.gradients().keySet(), pf.gradients().keySet());
        GradientCheck.compare(conf, plain.params(), x, y, pf, pp).assertAgrees(algorithm);
        return used;
    }

    private static Map<String, INDArray> gradients(MultiLayerNetwork net, INDArray x, INDArray y) {
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        return g.gradientForVariable();
    }
}
