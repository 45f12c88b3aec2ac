package io.github.vgg4j.onednn;

import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.spi.KernelProvider;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * vgg4j's oneDNN kernels as vgg-core's {@link KernelProvider}: {@code FastPath.apply(model)} finds
 * this class through {@code ServiceLoader} and calls {@link #install}. Users never call it.
 *
 * <p>DL4J creates its layers and their helpers from fixed class names, so the kernels come as
 * subclasses of DL4J's plain 2-D convolution, pooling and batch-norm layers, put in place of DL4J's own after
 * the network is initialised: built from the same configuration object, sharing the same parameter
 * and gradient views, so the network trains, updates and saves exactly as DL4J's. Only those three
 * classes are replaced (not 1-D, depthwise, separable or deconvolution layers); layers inside frozen
 * wrappers (transfer learning) are included. An updater that already exists (a loaded model) is
 * rebuilt on the new layers with its state.
 */
public final class OneDnnKernels implements KernelProvider {

    /** For ServiceLoader. */
    public OneDnnKernels() {
    }

    @Override
    public String describe() {
        return available() ? "vgg4j's oneDNN " + Dnnl.version() + " kernels (" + Dnnl.isa() + ")" : "vgg4j's oneDNN kernels";
    }

    /**
     * BF16 needs oneDNN's bfloat16 instructions on this CPU (AVX-512 BF16 or AMX): elsewhere oneDNN
     * would emulate them, slower than float32, and that is refused rather than done silently.
     */
    @Override
    public String unsupported(Precision precision) {
        if (precision == Precision.FP32) {
            return null;
        }
        if (!available()) {
            return "vgg4j's oneDNN kernels are off (" + Dnnl.unavailableReason() + ")";
        }
        return Dnnl.nativeBf16() ? null : "this CPU has no AVX-512 BF16 or AMX (oneDNN's best instruction set here is "
                + Dnnl.isa() + ", /proc/cpuinfo flags avx512_bf16, amx_bf16)";
    }

    @Override
    public int install(Model model, Precision precision) {
        String why = unsupported(precision);
        if (why != null) {
            throw new IllegalStateException("vgg4j's kernels cannot compute in " + precision + ": " + why);
        }
        return installKernels(model, precision);
    }

    @Override
    public Precision precision(Model model) {
        return modelPrecision(model);
    }

    private static Precision modelPrecision(Model model) {
        for (Layer l : layers(model)) {
            if (unwrap(l) instanceof KernelLayer k) {
                return k.mode().precision();
            }
        }
        return Precision.FP32;
    }

    @Override
    public String unavailableReason() {
        if (!"CPU".equalsIgnoreCase(Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"))) {
            return "ND4J's backend is not the CPU one";
        }
        return Dnnl.unavailableReason();
    }

    @Override
    public Map<String, String> choices() {
        return algorithmChoices();
    }

    @Override
    public void adoptChoices(Map<String, String> choices) {
        adoptAlgorithmChoices(choices);
    }

    @Override
    public void forgetChoices() {
        forgetAlgorithmChoices();
    }

    @Override
    public int install(Model model) {
        return installKernels(model, null);
    }

    @Override
    public List<String> implementations(Model model) {
        return describeLayers(model);
    }

    @Override
    public boolean measuring(Model model) {
        for (Layer l : layers(model)) {
            if (unwrap(l) instanceof OneDnnConvolutionLayer c && c.measuring()) {
                return true;
            }
        }
        return false;
    }

    /** True when oneDNN loaded and the kernels can be used. */
    static boolean available() {
        return Dnnl.available();
    }

    /**
     * {@code -Dvgg4j.onednn.batchnorm=false} keeps DL4J's own batch norm (the kernel is on by default).
     * It was opt-in while a resumed run ended up to 7e-3 from an uninterrupted one; the cause was not
     * the batch norm but the convolutions' algorithm choice, made by timing in each process (see
     * {@link #algorithmChoices}).
     */
    public static final String BATCH_NORM = "vgg4j.onednn.batchnorm";

    static boolean batchNormKernel() {
        return Boolean.parseBoolean(System.getProperty(BATCH_NORM, "true"));
    }

    /**
     * The convolution algorithms this process's kernels chose by timing (description -> choice).
     * A checkpoint keeps them: the algorithms round differently, and training amplifies that, so a
     * resumed run must compute with the uninterrupted run's choices to end where it would have.
     */
    static Map<String, String> algorithmChoices() {
        return Choice.decisions();
    }

    /** Makes {@code choices} (from {@link #algorithmChoices}, e.g. of a checkpoint) this process's for kernels created from now on. */
    static void adoptAlgorithmChoices(Map<String, String> choices) {
        Choice.adopt(choices);
    }

    /** Forgets this process's choices: kernels created from now on time their candidates again (as in a new process). */
    static void forgetAlgorithmChoices() {
        Choice.forgetAll();
    }

    /**
     * Puts the kernels into every plain convolution and pooling layer of the model (and batch norm,
     * see {@link #BATCH_NORM}), computing in {@code precision} (null: the precision of the kernels
     * already in the model, FP32 for a model without); returns how many layers were replaced.
     */
    static int installKernels(Model model, Precision precision) {
        if (!available()) {
            return 0;
        }
        Precision p = precision != null ? precision : modelPrecision(model);
        INDArray updaterState = updaterState(model);
        DataType dataType = model instanceof MultiLayerNetwork m ? m.getLayerWiseConfigurations().getDataType()
                : ((ComputationGraph) model).getConfiguration().getDataType();
        CacheMode cacheMode = model instanceof MultiLayerNetwork m ? m.getLayerWiseConfigurations().getCacheMode()
                : ((ComputationGraph) model).getConfiguration().getCacheMode();
        int n = 0;
        Layer[] layers = layers(model);
        for (int i = 0; i < layers.length; i++) {
            Layer inner = unwrap(layers[i]);
            AbstractLayer<?> replacement;
            if (inner.getClass() == ConvolutionLayer.class || inner.getClass() == BatchNormalization.class && batchNormKernel()) {
                replacement = inner instanceof ConvolutionLayer
                        ? new OneDnnConvolutionLayer(inner.conf(), dataType)
                        : new OneDnnBatchNormalization(inner.conf(), dataType);
                BaseLayer<?> old = (BaseLayer<?>) inner;
                replacement.setParamsViewArray(old.params());
                replacement.setParamTable(old.paramTable());
                if (old.getGradientsViewArray() != null) {
                    replacement.setBackpropGradientsViewArray(old.getGradientsViewArray());
                }
            } else if (inner.getClass() == SubsamplingLayer.class) {
                replacement = new OneDnnSubsamplingLayer(inner.conf(), dataType);
            } else {
                continue;
            }
            replacement.setIndex(inner.getIndex());
            replacement.setListeners(inner.getListeners());
            replacement.setCacheMode(cacheMode);
            Layers.replace(model, i, layers[i], inner, replacement);
            n++;
        }
        linkErrorsInPlace(model);
        setPrecision(model, p);
        if (n > 0 && updaterState != null) {
            // The updater keeps the layers it was built on: rebuild it on the new ones, same state.
            if (model instanceof MultiLayerNetwork m) {
                m.setUpdater(new MultiLayerUpdater(m, updaterState));
            } else if (model instanceof ComputationGraph g) {
                g.setUpdater(new ComputationGraphUpdater(g, updaterState));
            }
        }
        return n;
    }

    /**
     * Tells each kernel layer of a MultiLayerNetwork that directly follows another (no input
     * preprocessor between them) who its producer is, so that its backward pass may write the error
     * over the producer's output ({@link ErrorInPlace}). ComputationGraphs are left alone: a vertex's
     * output may feed several others.
     */
    private static void linkErrorsInPlace(Model model) {
        if (!(model instanceof MultiLayerNetwork m)) {
            return;
        }
        Layer[] layers = m.getLayers();
        for (int i = 0; i < layers.length; i++) {
            if (unwrap(layers[i]) instanceof ErrorInPlace.Consumer c) {
                Layer before = i == 0 ? null : unwrap(layers[i - 1]);
                boolean chained = before instanceof ErrorInPlace && m.getLayerWiseConfigurations().getInputPreProcess(i) == null;
                c.producer(chained ? (ErrorInPlace) before : null);
            }
        }
    }

    /**
     * Sets every kernel layer's precision, and in a MultiLayerNetwork in BF16 lets a layer hand its
     * output on in bfloat16 when the next layer is a kernel layer that takes it, with no input
     * preprocessor between them ({@link KernelLayer}).
     */
    private static void setPrecision(Model model, Precision precision) {
        Layer[] layers = layers(model);
        for (int i = 0; i < layers.length; i++) {
            if (unwrap(layers[i]) instanceof KernelLayer k) {
                boolean bf16Output = false;
                if (model instanceof MultiLayerNetwork m && i + 1 < layers.length) {
                    bf16Output = unwrap(layers[i + 1]) instanceof KernelLayer next && next.takesBf16()
                            && m.getLayerWiseConfigurations().getInputPreProcess(i + 1) == null;
                }
                k.mode().set(precision, bf16Output);
            }
        }
    }

    private static INDArray updaterState(Model model) {
        if (model instanceof MultiLayerNetwork m) {
            Updater u = m.getUpdater(false);
            return u == null ? null : ((MultiLayerUpdater) u).getStateViewArray();
        }
        if (model instanceof ComputationGraph g) {
            ComputationGraphUpdater u = g.getUpdater(false);
            return u == null ? null : u.getStateViewArray();
        }
        return null;
    }

    /** What each layer with vgg4j's kernels runs, one line per layer (after its first calls). */
    static List<String> describeLayers(Model model) {
        List<String> lines = new ArrayList<>();
        for (Layer l : layers(model)) {
            Layer inner = unwrap(l);
            if (inner instanceof OneDnnConvolutionLayer c) {
                lines.add(l.conf().getLayer().getLayerName() + ": " + c.describe());
            } else if (inner instanceof OneDnnSubsamplingLayer p) {
                lines.add(l.conf().getLayer().getLayerName() + ": max pool " + p.describe());
            } else if (inner instanceof OneDnnBatchNormalization b) {
                lines.add(l.conf().getLayer().getLayerName() + ": batch norm " + b.describe());
            }
        }
        return lines;
    }

    private static Layer[] layers(Model model) {
        if (model instanceof MultiLayerNetwork m) {
            return m.getLayers();
        }
        if (model instanceof ComputationGraph g) {
            return g.getLayers();
        }
        throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    private static Layer unwrap(Layer l) {
        while (l instanceof BaseWrapperLayer w) {
            l = w.getUnderlying();
        }
        return l;
    }
}
