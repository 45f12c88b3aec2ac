package io.github.vgg4j.onednn;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Precision#BF16} in whole networks: what is bfloat16 and what stays float32, saving and
 * switching, the refusal on CPUs without it, and each convolution's gradients in the network
 * against float32 from the same input and error (bounds as in {@link Bf16KernelTest}).
 *
 * <p>Why per layer and not the whole network's gradients: a network at initialisation is
 * ill-conditioned. In float32, input noise of 1e-4 (relative) moved the convolutions' weight
 * gradients of a narrow VGG16 by ~2%, and noise of bfloat16's size (4e-3) by ~20% (ReLUs that flip
 * between on and off); the same happens to any bfloat16 path, so comparing whole-network gradients
 * measures the network's conditioning, not the kernels. Given the same input and error, each
 * layer's result has a bound derived from its arithmetic.
 */
class Bf16NetworkTest {
    private static final double U = Math.pow(2, -8);
    private static final double U32 = Math.pow(2, -24);

    private static void assumeBf16() {
        assumeTrue(Dnnl.nativeBf16(), "this CPU computes no bfloat16 natively (oneDNN's instruction set: " + Dnnl.isa()
                + "); bfloat16 networks are tested on CPUs with AVX-512 BF16 or AMX");
    }

    private static VGGBuilder narrow(boolean batchNorm) {
        return VGGBuilder.vgg16().batchNorm(batchNorm).widthMultiplier(1 / 8.0).inputShape(3, 32, 32).numClasses(5)
                .head(Head.cifar()).dropout(0).seed(7);
    }

    private static INDArray labels(int n) {
        INDArray y = Nd4j.zeros(n, 5);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 5, 1);
        }
        return y;
    }

    @Test
    void withoutNativeBfloat16Bf16IsRefusedWithTheReasonAndAutoIsFloat32() {
        if (Dnnl.nativeBf16()) {
            assertEquals(Precision.BF16, FastPath.resolve(Precision.AUTO));
            assertEquals(Precision.BF16, FastPath.resolve(Precision.BF16));
        } else {
            assertEquals(Precision.FP32, FastPath.resolve(Precision.AUTO));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> narrow(false).precision(Precision.BF16).buildNetwork());
            assertTrue(e.getMessage().contains("AVX-512 BF16"), e.getMessage());
        }
        assertEquals(Precision.FP32, FastPath.resolve(Precision.FP32));
        assertEquals(Precision.FP32, FastPath.precision(narrow(false).buildNetwork()));
    }

    /**
     * Convolutions and pools hand bfloat16 to the next kernel layer; the last pool (before the dense
     * layers), batch norm before DL4J's ReLU layer, the dense layers and the loss see float32; the
     * parameters, gradients and updater state are float32.
     */
    @Test
    void onlyActivationsBetweenKernelLayersAreBfloat16() {
        assumeBf16();
        for (boolean batchNorm : new boolean[] {false, true}) {
            MultiLayerNetwork net = narrow(batchNorm).precision(Precision.BF16).buildNetwork();
            assertEquals(Precision.BF16, FastPath.precision(net));
            INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
            net.fit(x, labels(4));
            List<INDArray> acts = net.feedForward(x, true);
            for (int i = 0; i < net.getnLayers(); i++) {
                String name = net.getLayer(i).conf().getLayer().getLayerName();
                Layer next = i + 1 < net.getnLayers() ? net.getLayer(i + 1) : null;
                boolean expectBf16 = net.getLayer(i) instanceof KernelLayer && next instanceof KernelLayer
                        && !name.equals("block5_pool");
                assertEquals(expectBf16 ? DataType.BFLOAT16 : DataType.FLOAT, acts.get(i + 1).dataType(), name);
            }
            assertEquals(DataType.BFLOAT16, acts.get(1).dataType(), "block1_conv1's output");
            assertEquals(DataType.FLOAT, net.params().dataType());
            assertEquals(DataType.FLOAT, net.getGradientsViewArray().dataType());
            assertEquals(DataType.FLOAT, ((MultiLayerUpdater) net.getUpdater()).getStateViewArray().dataType());
            for (String line : FastPath.implementations(net)) {
                if (line.contains("_conv")) {
                    assertTrue(line.contains("bf16"), line);
                }
            }
        }
    }

    /** A bfloat16-trained model saves as float32 and loads (and runs) anywhere; a network switches precision both ways. */
    @Test
    void savedModelsAreFloat32AndNetworksSwitchPrecision(@TempDir File dir) throws Exception {
        assumeBf16();
        System.setProperty(ConvPlan.ALGORITHM, "direct"); // the same arithmetic in both float32 runs below
        try {
            MultiLayerNetwork net = narrow(true).precision(Precision.BF16).buildNetwork();
            INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
            for (int i = 0; i < 3; i++) {
                net.fit(x, labels(4));
            }
            INDArray bf16Out = net.output(x, false);
            File file = new File(dir, "model.zip");
            ModelSerializer.writeModel(net, file, true);
            MultiLayerNetwork restored = FastPath.apply(ModelSerializer.restoreMultiLayerNetwork(file, true));
            assertEquals(DataType.FLOAT, restored.getLayerWiseConfigurations().getDataType());
            assertEquals(DataType.FLOAT, restored.params().dataType());
            assertEquals(net.params(), restored.params());
            assertEquals(Precision.FP32, FastPath.precision(restored));
            INDArray fp32Out = restored.output(x, false);
            // the same weights in float32: the outputs (softmax probabilities) agree to bfloat16's precision
            assertEquals(0, fp32Out.sub(bf16Out).amaxNumber().doubleValue(), 0.02);

            FastPath.apply(net, Precision.FP32);
            assertEquals(Precision.FP32, FastPath.precision(net));
            assertEquals(fp32Out, net.output(x, false), "switched to float32: computes as the restored copy");
            net.feedForward(x, true).forEach(a -> assertEquals(DataType.FLOAT, a.dataType()));
            FastPath.apply(net, Precision.AUTO);
            assertEquals(Precision.BF16, FastPath.precision(net));
            FastPath.apply(net); // no precision: keeps the network's
            assertEquals(Precision.BF16, FastPath.precision(net));
        } finally {
            System.clearProperty(ConvPlan.ALGORITHM);
        }
    }

    /**
     * Each convolution of a bfloat16 VGG-BN (identity activation: batch norm follows), given the
     * input it has in the float32 network (as bfloat16 where its producer hands it on so) and a
     * random error at its output, against the same layer in float32: the error at its input and its
     * weight and bias gradients within the rounding bounds of {@link Bf16KernelTest}, S computed
     * by the float32 layer from the absolute values.
     */
    @Test
    void eachConvolutionsGradientsAreWithinTheRoundingBoundOfFloat32() {
        assumeBf16();
        System.setProperty(ConvPlan.ALGORITHM, "direct");
        try {
            MultiLayerConfiguration conf = narrow(true).build();
            MultiLayerNetwork fp32 = new MultiLayerNetwork(conf.clone());
            fp32.init();
            FastPath.apply(fp32, Precision.FP32);
            MultiLayerNetwork bf16 = new MultiLayerNetwork(conf.clone());
            bf16.init();
            FastPath.apply(bf16, Precision.BF16);
            bf16.setParams(fp32.params().dup());
            fp32.initGradientsView();
            bf16.initGradientsView();
            Nd4j.getRandom().setSeed(3);
            List<INDArray> acts = fp32.feedForward(Nd4j.rand(DataType.FLOAT, 6, 3, 32, 32).subi(0.5), true);
            int checked = 0;
            for (int i = 0; i < fp32.getnLayers(); i++) {
                if (!(fp32.getLayer(i) instanceof OneDnnConvolutionLayer)) {
                    continue;
                }
                DataType inType = i > 0 && bf16.getLayer(i - 1) instanceof KernelLayer k ? k.mode().output() : DataType.FLOAT;
                INDArray in = acts.get(i).castTo(inType).castTo(DataType.FLOAT); // the values the bf16 layer gets
                checkConvolution(fp32.getLayer(i), bf16.getLayer(i), in, inType);
                checked++;
            }
            assertEquals(13, checked);
        } finally {
            System.clearProperty(ConvPlan.ALGORITHM);
        }
    }

    private static void checkConvolution(Layer fp32, Layer bf16, INDArray in, DataType inType) {
        String name = fp32.conf().getLayer().getLayerName();
        DataType outType = ((KernelLayer) bf16).mode().output();
        INDArray w = fp32.getParam("W").dup();
        INDArray b = fp32.getParam("b").dup();
        long[] outShape = fp32.activate(in, true, LayerWorkspaceMgr.noWorkspaces()).shape();
        INDArray dy = Nd4j.rand(DataType.FLOAT, outShape).subi(0.5).castTo(outType).castTo(DataType.FLOAT);

        Run ref = Run.of(fp32, in, dy);
        Run bf = Run.of(bf16, in.castTo(inType), dy.castTo(outType));
        fp32.setParam("W", Transforms.abs(w, true));
        fp32.setParam("b", Nd4j.zerosLike(b));
        Run mag = Run.of(fp32, Transforms.abs(in, true), Transforms.abs(dy, true));
        fp32.setParam("W", w);
        fp32.setParam("b", b);

        double slack = 2 * U + U * U;
        long kWeights = in.size(0) * outShape[2] * outShape[3];
        INDArray dxBound = mag.dx.mul(slack + 2 * w.size(0) * 9 * U32);
        if (inType == DataType.BFLOAT16) {
            dxBound.addi(Transforms.abs(ref.dx, true).add(dxBound).muli(U));
        }
        within(name + " error at the input", bf.dx, ref.dx, dxBound);
        // the weights (float32 parameters) are rounded to bfloat16 for it: it cannot equal float32's
        assertTrue(bf.dx.sub(ref.dx).amaxNumber().doubleValue() > 0, name + ": error at the input identical to float32's");
        within(name + " weight gradient", bf.dw, ref.dw, mag.dw.mul(slack + 2 * kWeights * U32));
        within(name + " bias gradient", bf.db, ref.db, mag.db.mul(U + 2 * kWeights * U32));
    }

    /** One training forward and backward of a layer on its own (no workspaces). */
    private record Run(INDArray dx, INDArray dw, INDArray db) {
        static Run of(Layer layer, INDArray in, INDArray dy) {
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            layer.setInput(in, mgr);
            layer.activate(true, mgr);
            Pair<Gradient, INDArray> p = layer.backpropGradient(dy, mgr);
            Map<String, INDArray> g = p.getFirst().gradientForVariable();
            return new Run(p.getSecond().castTo(DataType.FLOAT), g.get("W").dup(), g.get("b").dup());
        }
    }

    private static void within(String what, INDArray actual, INDArray expected, INDArray bound) {
        INDArray diff = Transforms.abs(actual.sub(expected), true);
        double worst = diff.sub(bound).maxNumber().doubleValue();
        assertTrue(worst <= 0, what + ": an element is off by " + worst + " beyond its bound (max |difference| "
                + diff.maxNumber() + ")");
    }
}
