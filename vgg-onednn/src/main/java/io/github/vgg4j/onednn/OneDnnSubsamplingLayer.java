package io.github.vgg4j.onednn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * DL4J's pooling layer with max pooling on {@link MaxPoolKernel}: NCHW in and out, and a backward
 * pass that reuses the forward's record of the maxima. Configurations the kernel does not cover
 * (average or p-norm pooling, NHWC, padding, Same mode, dilation) run DL4J's own code.
 *
 * <p>Why a layer and not a helper: in DL4J 1.0.0-M2.1 the pooling layer's forward pass never asks
 * its helper; it runs libnd4j's pooling op, which reorders to and from oneDNN 2.3's blocked layout
 * and allocates its buffers on every call, and its backward recomputes the forward.
 * {@link OneDnnKernels} puts this class in place of DL4J's, with the same configuration object,
 * so a saved network is DL4J's own.
 */
final class OneDnnSubsamplingLayer extends SubsamplingLayer implements ErrorInPlace, ErrorInPlace.Consumer, KernelLayer {
    private final KernelSlot<MaxPoolKernel.Key, MaxPoolKernel> kernel = new KernelSlot<>(MaxPoolKernel::key);
    /** The input of the last training forward, whose maxima the kernel holds (identity, not value). */
    private INDArray trainedInput;
    private INDArray trainedOutput;
    private final ErrorInPlace.Link link = new ErrorInPlace.Link();
    private final Mode mode = new Mode();

    OneDnnSubsamplingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Mode mode() {
        return mode;
    }

    @Override
    public boolean takesBf16() {
        return Dnnl.available() && covered();
    }

    @Override
    public void producer(ErrorInPlace producer) {
        link.producer(producer);
    }

    /**
     * When the input is a ReLU's output that takes its error in place: then each maximum is
     * positive exactly where the ReLU lets the error through, so masking by the output changes
     * nothing; and backward reads the output for nothing else (the maxima's positions are kept).
     */
    @Override
    public boolean takesErrorInPlace(INDArray output) {
        return output != null && output == trainedOutput && link.producerTakes(input) && ErrorInPlace.allowedFor(output);
    }

    @Override
    public void errorWrittenOverOutput() {
        link.errorWrittenOverOutput();
    }

    private org.deeplearning4j.nn.conf.layers.SubsamplingLayer config() {
        return layerConf();
    }

    /** The configuration is one the kernel covers. */
    private boolean covered() {
        var c = config();
        return c.getPoolingType() == PoolingType.MAX && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && (c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict)
                && Arrays.stream(c.getPadding()).allMatch(p -> p == 0) && Arrays.stream(c.getDilation()).allMatch(d -> d == 1)
                && dataType == DataType.FLOAT;
    }

    private boolean supported(INDArray in) {
        return covered() && in != null && in.rank() == 4 && Mode.readable(in);
    }

    private MaxPoolKernel kernel(INDArray in) {
        var c = config();
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] out = ConvolutionUtils.getOutputSize(in, k, s, c.getPadding(), c.getConvolutionMode(), c.getDilation(),
                CNN2DFormat.NCHW);
        // oneDNN wants the right/bottom padding that yields this size: negative when the floor drops rows.
        MaxPoolKernel.Geometry g = new MaxPoolKernel.Geometry(in.size(0), in.size(1), in.size(2), in.size(3), out[0],
                out[1], k[0], k[1], s[0], s[1], 0, 0, (long) (out[0] - 1) * s[0] + k[0] - in.size(2),
                (long) (out[1] - 1) * s[1] + k[1] - in.size(3));
        return kernel.get(new MaxPoolKernel.Key(g, MaxPoolKernel.types(in.dataType(), mode.output())), MaxPoolKernel::new);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        trainedOutput = null;
        link.forward();
        if (!Dnnl.available() || !supported(input)) {
            trainedInput = null;
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        INDArray in = Dnnl.dense(input) ? input : input.dup('c');
        MaxPoolKernel k = kernel(in);
        if (k == null) {
            trainedInput = null;
            return super.activate(training, workspaceMgr);
        }
        MaxPoolKernel.Geometry g = k.geometry();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, mode.output(), g.dst(), 'c');
        if (training) {
            k.forwardTraining(Dnnl.address(in), Dnnl.address(out));
            trainedInput = input;
            trainedOutput = out;
        } else {
            k.forward(Dnnl.address(in), Dnnl.address(out));
            trainedInput = null;
        }
        Dnnl.keepAlive(in);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (trainedInput == null || trainedInput != input || kernel.current() == null || !supported(input)
                || !Mode.readable(epsilon)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray eps = mode.error(epsilon, trainedOutput.dataType());
        eps = Dnnl.dense(eps) ? eps : eps.dup('c');
        // The next layer wrote the error over this layer's output, already masked by it.
        boolean masked = link.receivedOverOutput(epsilon, trainedOutput);
        boolean inPlace = Dnnl.dense(input) && link.producerTakes(input);
        INDArray epsAtInput = link.errorAtInput(inPlace, input, workspaceMgr);
        MaxPoolKernel k = kernel.current();
        long diffDst = Dnnl.address(eps);
        if (inPlace && !masked) {
            // The input's ReLU gets no derivative of its own (its output is overwritten): apply it
            // here, where a maximum is positive exactly where that ReLU passes the error.
            diffDst = k.maskByOutput(Dnnl.address(trainedOutput), diffDst);
        }
        k.backward(diffDst, Dnnl.address(epsAtInput));
        Dnnl.keepAlive(eps);
        link.backwardDone(inPlace);
        trainedInput = null;
        trainedOutput = null;
        return new Pair<>(new DefaultGradient(), epsAtInput);
    }

    /** oneDNN's implementation name, once the layer has run. */
    String describe() {
        return kernel.current() == null ? "not run yet" : kernel.current().implementation()
                + link.describe();
    }
}
