package io.github.vgg4j.onednn;

import io.github.vgg4j.core.Precision;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DL4J's 2-D convolution layer on {@link ConvKernel}s: bias and ReLU fused into the forward
 * convolution; in training, the backward pass applies the ReLU's derivative (read off the layer's
 * own output, which DL4J keeps as the next layer's input) and runs the convolution's backward,
 * chunk by chunk, in oneDNN's buffers.
 *
 * <p>Why a layer and not a DL4J layer helper: through a helper, DL4J keeps a copy of every
 * convolution's output for backprop (CacheMode.DEVICE) or runs the convolution again, and applies
 * the ReLU's derivative itself, with libnd4j's scalar loop, into one more activation-sized array
 * (392 MB per batch of 32 at 224x224). {@link OneDnnKernels} puts this class in place of DL4J's,
 * with the same configuration object and parameter and gradient views, so training, the updater
 * and saved files are DL4J's own.
 *
 * <p>Configurations the kernels do not cover (NHWC, dilation, other activations or data types, no
 * bias) run DL4J's own code.
 */
final class OneDnnConvolutionLayer extends ConvolutionLayer implements ErrorInPlace, ErrorInPlace.Consumer, KernelLayer {
    private static final int KERNELS_KEPT = 4; // geometries per layer: the usual batch and a last, smaller one

    private final Map<ConvKernel.Key, ConvKernel> kernels = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvKernel.Key, ConvKernel> eldest) {
            if (size() > KERNELS_KEPT) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    /** The last training forward's input and output (identity): backprop uses them. */
    private INDArray trainedInput;
    private INDArray trainedOutput;
    private ConvKernel trainedKernel;
    private final ErrorInPlace.Link link = new ErrorInPlace.Link();
    private final Mode mode = new Mode();

    OneDnnConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Mode mode() {
        return mode;
    }

    /** Dropout on the input is DL4J's, on float32: then the input comes as float32. */
    @Override
    public boolean takesBf16() {
        return covered() && config().getIDropout() == null;
    }

    @Override
    public void producer(ErrorInPlace producer) {
        link.producer(producer);
    }

    /** Its ReLU's derivative is the mask, and backward reads the output for nothing else. */
    @Override
    public boolean takesErrorInPlace(INDArray output) {
        return output != null && output == trainedOutput && relu() && ErrorInPlace.allowedFor(output);
    }

    @Override
    public void errorWrittenOverOutput() {
        link.errorWrittenOverOutput();
    }

    private org.deeplearning4j.nn.conf.layers.ConvolutionLayer config() {
        return layerConf();
    }

    private boolean relu() {
        IActivation a = config().getActivationFn();
        return a instanceof ActivationReLU && a.equals(new ActivationReLU());
    }

    /** The configuration is one the kernels cover. */
    private boolean covered() {
        var c = config();
        return Dnnl.available() && dataType == DataType.FLOAT && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && Arrays.stream(c.getDilation()).allMatch(d -> d == 1) && hasBias()
                && (relu() || c.getActivationFn() instanceof ActivationIdentity);
    }

    private boolean supported() {
        return covered() && input != null && input.rank() == 4 && Mode.readable(input);
    }

    private ConvKernel kernel(INDArray in, INDArray weights) {
        var c = config();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int inH = (int) in.size(2);
        int inW = (int) in.size(3);
        int[] out;
        int[] p;
        if (convolutionMode == ConvolutionMode.Same) {
            out = ConvolutionUtils.getOutputSize(in, k, s, null, convolutionMode, c.getDilation(), CNN2DFormat.NCHW);
            p = ConvolutionUtils.getSameModeTopLeftPadding(out, new int[] {inH, inW}, k, s, c.getDilation());
        } else {
            p = c.getPadding();
            out = ConvolutionUtils.getOutputSize(in, k, s, p, convolutionMode, c.getDilation(), CNN2DFormat.NCHW);
        }
        // Right/bottom padding that yields DL4J's output size (Same pads more at the end; Truncate may drop rows).
        ConvKernel.Geometry g = new ConvKernel.Geometry(in.size(0), in.size(1), inH, inW, weights.size(0), out[0],
                out[1], k[0], k[1], s[0], s[1], p[0], p[1], (long) (out[0] - 1) * s[0] + k[0] - inH - p[0],
                (long) (out[1] - 1) * s[1] + k[1] - inW - p[1]);
        return kernels.computeIfAbsent(new ConvKernel.Key(g, mode.arithmetic(in.dataType())), key -> new ConvKernel(key, relu()));
    }

    private static INDArray dense(INDArray a) {
        return Dnnl.dense(a) ? a : a.dup('c');
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        trainedInput = null;
        trainedOutput = null;
        link.forward();
        if (!supported()) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
        validateInputRank();
        validateInputDepth(weights.size(1));
        INDArray x = dense(input);
        ConvKernel k = kernel(x, weights);
        ConvKernel.Geometry g = k.geometry();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, mode.output(), g.dst(), 'c');
        INDArray w = dense(weights);
        INDArray b = dense(bias);
        k.forward(Dnnl.address(x), Dnnl.address(w), Dnnl.address(b), Dnnl.address(out));
        Dnnl.keepAlive(x, w, b);
        if (training) {
            // Both stay alive until backprop: the input in DL4J's activations, the output as the next layer's input.
            trainedInput = input;
            trainedOutput = out;
            trainedKernel = k;
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (trainedOutput == null || trainedInput != input || !supported() || !Mode.readable(epsilon)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray biasGrad = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
        INDArray dw = Dnnl.dense(weightGrad) ? weightGrad : weightGrad.ulike();
        INDArray db = Dnnl.dense(biasGrad) ? biasGrad : biasGrad.ulike();
        INDArray x = dense(input);
        INDArray eps = dense(mode.error(epsilon, trainedOutput.dataType()));
        // The next layer wrote the error over this layer's output, already through the ReLU's derivative.
        boolean masked = link.receivedOverOutput(epsilon, trainedOutput);
        boolean inPlace = x == input && link.producerTakes(input);
        INDArray epsAtInput = link.errorAtInput(inPlace, input, workspaceMgr);
        INDArray w = dense(weights);
        trainedKernel.backward(Dnnl.address(x), Dnnl.address(w), Dnnl.address(eps), Dnnl.address(trainedOutput),
                Dnnl.address(epsAtInput), Dnnl.address(dw), Dnnl.address(db), masked, inPlace);
        Dnnl.keepAlive(x, w, eps);
        link.backwardDone(inPlace);
        if (dw != weightGrad) {
            weightGrad.assign(dw);
        }
        if (db != biasGrad) {
            biasGrad.assign(db);
        }
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGrad);
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
        weightNoiseParams.clear();
        trainedInput = null;
        trainedOutput = null;
        return new Pair<>(gradient, backpropDropOutIfPresent(epsAtInput));
    }

    /** Whether one of its kernels that has run is still timing its candidate algorithms. */
    boolean measuring() {
        return kernels.values().stream().anyMatch(ConvKernel::measuring);
    }

    /** The implementations each geometry uses (for logs and tests). */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (ConvKernel k : kernels.values()) {
            b.append(b.length() == 0 ? "" : "; ").append(k.describe());
        }
        return b.length() == 0 ? "not run yet" : b + link.describe()
                + (mode.precision() == Precision.BF16 ? "; " + mode : "");
    }
}
