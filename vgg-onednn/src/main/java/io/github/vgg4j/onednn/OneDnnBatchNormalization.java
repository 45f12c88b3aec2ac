package io.github.vgg4j.onednn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's batch-normalisation layer on {@link BatchNormKernel}: one oneDNN pass each for the
 * training forward (statistics and normalisation together), the backward (input, gamma and beta
 * gradients together) and inference. The running mean and variance are updated exactly as DL4J
 * does it (as a "gradient" its no-op updater applies, in the variance or log10-std form), so a
 * saved network is DL4J's own.
 *
 * <p>Why: DL4J's own batch norm is a dozen libnd4j passes per direction (broadcasts, reductions
 * over three of four dimensions, and a second variance computation in backward); it was ~45% of a
 * VGG11-BN's training step at half width on 2 cores; with this kernel that network trains 2x and
 * infers 3.5x faster, in 40% of the memory. Configurations the kernel
 * does not cover (dense inputs, NHWC, fixed gamma/beta, other data types) run DL4J's own code.
 */
final class OneDnnBatchNormalization extends BatchNormalization implements KernelLayer {
    private final KernelSlot<BatchNormKernel.Key, BatchNormKernel> kernel = new KernelSlot<>(BatchNormKernel::key);
    /** The input of the last training forward (identity), its dense copy, and its batch statistics. */
    private INDArray trainedInput;
    private INDArray trainedSrc;
    private INDArray batchMean;
    private INDArray batchVar;
    /** Whether the last forward ran on the kernel, and in which mode (for a backward after an inference forward). */
    private boolean kernelRan;
    private boolean lastTraining;
    /** The type of the last training forward's output: the kernel reads the error at it in that type. */
    private DataType trainedOutputType;
    private final Mode mode = new Mode();

    OneDnnBatchNormalization(NeuralNetConfiguration conf, DataType dataType) {
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

    private org.deeplearning4j.nn.conf.layers.BatchNormalization config() {
        return layerConf();
    }

    /** The configuration is one the kernel covers. */
    private boolean covered() {
        var c = config();
        return dataType == DataType.FLOAT && c.getCnn2DFormat() == CNN2DFormat.NCHW && !c.isLockGammaBeta();
    }

    private boolean supported(INDArray in) {
        return covered() && in != null && in.rank() == 4 && Mode.readable(in);
    }

    private BatchNormKernel kernel(INDArray in) {
        BatchNormKernel.Geometry g = new BatchNormKernel.Geometry(in.size(0), in.size(1), in.size(2), in.size(3),
                (float) config().getEps());
        return kernel.get(new BatchNormKernel.Key(g, BatchNormKernel.types(in.dataType(), mode.output())), BatchNormKernel::new);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        trainedInput = null;
        trainedSrc = null;
        trainedOutputType = null;
        kernelRan = false;
        lastTraining = training;
        if (!Dnnl.available() || !supported(input)) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        INDArray in = Dnnl.dense(input) ? input : input.dup('c');
        BatchNormKernel k = kernel(in);
        if (k == null) {
            return super.activate(training, workspaceMgr);
        }
        INDArray gamma = vector(getParam(BatchNormalizationParamInitializer.GAMMA));
        INDArray beta = vector(getParam(BatchNormalizationParamInitializer.BETA));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, mode.output(), in.shape(), 'c');
        kernelRan = true;
        if (training) {
            long channels = in.size(1);
            if (batchMean == null || batchMean.length() != channels) {
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    batchMean = Nd4j.createUninitialized(DataType.FLOAT, channels);
                    batchVar = Nd4j.createUninitialized(DataType.FLOAT, channels);
                }
            }
            k.forwardTraining(Dnnl.address(in), Dnnl.address(gamma), Dnnl.address(beta), Dnnl.address(out),
                    Dnnl.address(batchMean), Dnnl.address(batchVar));
            trainedInput = input;
            trainedOutputType = out.dataType();
            trainedSrc = in == input ? null : in.detach();
        } else {
            INDArray mean = vector(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            INDArray var = vector(runningVariance());
            k.forward(Dnnl.address(in), Dnnl.address(mean), Dnnl.address(var), Dnnl.address(gamma), Dnnl.address(beta),
                    Dnnl.address(out));
            Dnnl.keepAlive(mean, var);
        }
        Dnnl.keepAlive(in, gamma, beta);
        return out;
    }

    /** The running variance, from its stored form (variance, or log10 of the standard deviation). */
    private INDArray runningVariance() {
        if (!config().isUseLogStd()) {
            return getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
        }
        INDArray log10s = getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
        INDArray var = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, DataType.FLOAT), log10s, false);
        return var.muli(var);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (trainedInput == null || trainedInput != input || kernel.current() == null || !Mode.readable(epsilon)) {
            if (kernelRan) {
                // a backward after a test-mode forward (FrozenLayerWithBackprop): do what DL4J does, which
                // needs its own forward's arrays (in M2.1 that combination fails in DL4J's code too)
                super.activate(lastTraining, workspaceMgr);
                kernelRan = false;
            }
            return super.backpropGradient(epsilon, workspaceMgr); // DL4J's forward ran: its backward
        }
        assertInputSet(true);
        INDArray src = trainedSrc != null ? trainedSrc : input;
        INDArray eps = mode.error(epsilon, trainedOutputType);
        eps = Dnnl.dense(eps) ? eps : eps.dup('c');
        INDArray gamma = vector(getParam(BatchNormalizationParamInitializer.GAMMA));
        INDArray beta = vector(getParam(BatchNormalizationParamInitializer.BETA));
        INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        INDArray dGamma = unitStride(dGammaView) ? dGammaView : Nd4j.createUninitialized(DataType.FLOAT, dGammaView.length());
        INDArray dBeta = unitStride(dBetaView) ? dBetaView : Nd4j.createUninitialized(DataType.FLOAT, dBetaView.length());
        INDArray epsAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        kernel.current().backward(Dnnl.address(src), Dnnl.address(batchMean), Dnnl.address(batchVar), Dnnl.address(eps),
                Dnnl.address(gamma), Dnnl.address(beta), Dnnl.address(epsAtInput), Dnnl.address(dGamma), Dnnl.address(dBeta));
        Dnnl.keepAlive(src, eps, gamma, beta, dGamma, dBeta);
        if (dGamma != dGammaView) {
            dGammaView.assign(dGamma.reshape(dGammaView.shape()));
        }
        if (dBeta != dBetaView) {
            dBetaView.assign(dBeta.reshape(dBetaView.shape()));
        }
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        runningStatisticsUpdate(gradient);
        trainedInput = null;
        trainedSrc = null;
        trainedOutputType = null;
        return new Pair<>(gradient, epsAtInput);
    }

    /**
     * DL4J's update of the running estimates, as DL4J 1.0.0-M2.1 computes it: mean[t+1] = mean[t] -
     * (1-d) (mean[t] - batchMean), and for log10(std) the difference log10 std[t] - log10 std[t+1]
     * with var[t+1] = d var[t] + (1-d) batchVar; the layer's no-op updater subtracts it.
     */
    private void runningStatisticsUpdate(Gradient gradient) {
        var c = config();
        double decay = c.getDecay();
        INDArray globalMean = getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        INDArray dGlobalMean = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        Nd4j.getExecutioner().exec(new SubOp(globalMean, batchMean.reshape(globalMean.shape()), dGlobalMean));
        dGlobalMean.muli(1 - decay);
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dGlobalMean);
        if (c.isUseLogStd()) {
            INDArray log10s = getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray dLog10s = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            INDArray vari = Transforms.pow(Nd4j.valueArrayOf(log10s.shape(), 10.0, DataType.FLOAT), log10s, false);
            vari.muli(vari);
            INDArray varip1 = vari.mul(decay).addi(batchVar.reshape(vari.shape()).mul(1 - decay));
            Nd4j.getExecutioner().exec(new DivOp(vari, varip1, dLog10s));
            Transforms.log(dLog10s, false);
            dLog10s.muli(ONE_ON_2LOGE_10);
            gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_LOG_STD, dLog10s);
        } else {
            INDArray globalVar = getParam(BatchNormalizationParamInitializer.GLOBAL_VAR);
            INDArray dGlobalVar = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
            Nd4j.getExecutioner().exec(new SubOp(globalVar, batchVar.reshape(globalVar.shape()), dGlobalVar));
            dGlobalVar.muli(1 - decay);
            gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_VAR, dGlobalVar);
        }
    }

    /** A per-channel vector whose elements are adjacent floats (parameter views are), else a copy. */
    private static INDArray vector(INDArray a) {
        return unitStride(a) ? a : a.castTo(DataType.FLOAT).dup('c').reshape(a.length());
    }

    private static boolean unitStride(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.isVectorOrScalar() && a.elementWiseStride() == 1;
    }

    /** oneDNN's implementation name, once the layer has run. */
    String describe() {
        return kernel.current() == null ? "not run yet" : kernel.current().implementation();
    }
}
