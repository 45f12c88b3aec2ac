package io.github.vgg4j.core.onednn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DL4J's convolution layer helper, running {@link ConvKernel}s. DL4J calls {@code preOutput},
 * then {@code activate}, and in training {@code backpropGradient} with the activation's derivative
 * already applied to the error.
 *
 * <p>The ReLU is fused: {@code preOutput} returns relu(conv + bias) and {@code activate} returns it
 * as it is. This is exact for everything DL4J does with a convolution layer's pre-output: its only
 * callers are the layer's {@code activate} and {@code backpropGradient}, and ReLU's derivative at
 * relu(z) equals its derivative at z (both are 1 exactly where z > 0).
 *
 * <p>What this helper does not cover (NHWC, dilation, other data types, non-dense arrays it cannot
 * copy) goes to DL4J's own oneDNN helper, as without vgg4j.
 */
final class OneDnnConvHelper implements ConvolutionHelper {
    private static final int KERNELS_KEPT = 4; // geometries per layer: the usual batch and a last, smaller one

    private final org.deeplearning4j.nn.layers.convolution.ConvolutionLayer layer;
    private final MKLDNNConvHelper fallback = new MKLDNNConvHelper(DataType.FLOAT);
    private final Map<ConvKernel.Geometry, ConvKernel> kernels = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvKernel.Geometry, ConvKernel> eldest) {
            if (size() > KERNELS_KEPT) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    OneDnnConvHelper(org.deeplearning4j.nn.layers.convolution.ConvolutionLayer layer) {
        this.layer = layer;
    }

    @Override
    public boolean checkSupported() {
        return Dnnl.available();
    }

    /** Whether relu is applied inside the convolution for this layer. */
    boolean fusesRelu() {
        return fusable(((ConvolutionLayer) layer.conf().getLayer()).getActivationFn());
    }

    private static boolean fusable(IActivation afn) {
        return afn instanceof ActivationReLU && afn.equals(new ActivationReLU());
    }

    private static boolean supported(INDArray input, INDArray weights, int[] dilation, CNN2DFormat format) {
        return format == CNN2DFormat.NCHW && input.dataType() == DataType.FLOAT && weights.dataType() == DataType.FLOAT
                && input.rank() == 4 && Arrays.stream(dilation).allMatch(d -> d == 1);
    }

    private ConvKernel kernel(INDArray input, INDArray weights, int[] kernel, int[] strides, int[] pad,
                              ConvolutionMode mode, int[] dilation) {
        int inH = (int) input.size(2);
        int inW = (int) input.size(3);
        int[] out;
        int[] p = pad;
        if (mode == ConvolutionMode.Same) {
            out = ConvolutionUtils.getOutputSize(input, kernel, strides, null, mode, dilation, CNN2DFormat.NCHW);
            p = ConvolutionUtils.getSameModeTopLeftPadding(out, new int[] {inH, inW}, kernel, strides, dilation);
        } else {
            out = ConvolutionUtils.getOutputSize(input, kernel, strides, pad, mode, dilation, CNN2DFormat.NCHW);
        }
        // Right/bottom padding that yields DL4J's output size (Same pads more at the end; Truncate may drop rows).
        long padBottom = (long) (out[0] - 1) * strides[0] + kernel[0] - inH - p[0];
        long padRight = (long) (out[1] - 1) * strides[1] + kernel[1] - inW - p[1];
        ConvKernel.Geometry g = new ConvKernel.Geometry(input.size(0), input.size(1), inH, inW, weights.size(0), out[0],
                out[1], kernel[0], kernel[1], strides[0], strides[1], p[0], p[1], padBottom, padRight);
        return kernels.computeIfAbsent(g, k -> new ConvKernel(k, fusesRelu()));
    }

    private static INDArray dense(INDArray a) {
        return Dnnl.dense(a) ? a : a.dup('c');
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
                              ConvolutionLayer.AlgoMode mode, ConvolutionLayer.FwdAlgo fwdAlgo,
                              ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, weights, dilation, format)) {
            return fallback.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode,
                    dilation, format, workspaceMgr);
        }
        ConvKernel k = kernel(input, weights, kernel, strides, pad, convolutionMode, dilation);
        INDArray x = dense(input);
        INDArray w = dense(weights);
        INDArray b = dense(bias);
        long[] outShape = {input.size(0), weights.size(0), 0, 0};
        ConvKernel.Geometry g = k.geometry();
        outShape[2] = g.outHeight();
        outShape[3] = g.outWidth();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, outShape, 'c');
        k.forward(Dnnl.address(x), Dnnl.address(w), Dnnl.address(b), Dnnl.address(out));
        return out;
    }

    @Override
    public INDArray activate(INDArray z, IActivation afn, boolean training) {
        boolean fused = fusable(afn);
        if (training && (fused || afn instanceof ActivationIdentity)) {
            // What CacheMode.DEVICE does, without its copy: backpropGradient finds the layer's output as
            // its "pre-output" and does not run the convolution again. z lives in the activations
            // workspace, which stays open until backprop is done (it is the next layer's input).
            Layers.setPreOutput(layer, z);
        }
        // preOutput already applied a fusable ReLU; applying it again would be harmless but a wasted pass.
        return fused ? z : afn.getActivation(z, training);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
                                                     int[] kernel, int[] strides, int[] pad, INDArray biasGradView,
                                                     INDArray weightGradView, IActivation afn,
                                                     ConvolutionLayer.AlgoMode mode,
                                                     ConvolutionLayer.BwdFilterAlgo bwdFilterAlgo,
                                                     ConvolutionLayer.BwdDataAlgo bwdDataAlgo,
                                                     ConvolutionMode convolutionMode, int[] dilation,
                                                     CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, weights, dilation, format) || biasGradView == null) {
            return fallback.backpropGradient(input, weights, bias, delta, kernel, strides, pad, biasGradView,
                    weightGradView, afn, mode, bwdFilterAlgo, bwdDataAlgo, convolutionMode, dilation, format, workspaceMgr);
        }
        ConvKernel k = kernel(input, weights, kernel, strides, pad, convolutionMode, dilation);
        INDArray x = dense(input);
        INDArray w = dense(weights);
        INDArray dz = dense(delta);
        INDArray gradAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        INDArray dw = Dnnl.dense(weightGradView) ? weightGradView : weightGradView.ulike();
        INDArray db = Dnnl.dense(biasGradView) ? biasGradView : biasGradView.ulike();
        k.backward(Dnnl.address(x), Dnnl.address(w), Dnnl.address(dz), Dnnl.address(gradAtInput), Dnnl.address(dw),
                Dnnl.address(db));
        if (dw != weightGradView) {
            weightGradView.assign(dw);
        }
        if (db != biasGradView) {
            biasGradView.assign(db);
        }
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        g.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
        return new Pair<>(g, gradAtInput);
    }

    /** The implementations each geometry uses (for logs and tests). */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (ConvKernel k : kernels.values()) {
            b.append(b.length() == 0 ? "" : "; ").append(k.describe());
        }
        return b.toString();
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap(); // the scratch buffers are shared by all layers of a thread
    }
}
