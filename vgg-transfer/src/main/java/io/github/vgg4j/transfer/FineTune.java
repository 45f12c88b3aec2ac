package io.github.vgg4j.transfer;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.io.ModelInfo;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a pretrained VGG into one for your classes: a new {@code predictions} layer sized to your
 * labels (optionally new hidden layers {@code fc1}, {@code fc2}, ...), the layers up to and
 * including a named one frozen, and an optimizer for the rest. The same calls work on a
 * MultiLayerNetwork and on a ComputationGraph (DL4J's pretrained files); both go through DL4J's
 * {@code TransferLearning}.
 *
 * <pre>{@code
 * TransferModel model = FineTune.of(Pretrained.open("zoo:vgg16"))
 *         .labels(List.of("cat", "dog"))
 *         .freezeThrough("block5_pool")   // the default: every convolution block frozen
 *         .learningRate(1e-3)
 *         .build();
 * }</pre>
 *
 * <p>Freeze points: {@code block5_pool} trains the classifier only; {@code fc2} only the new
 * {@code predictions}; {@code block4_pool} fine-tunes block 5 too. Frozen layers run in inference
 * mode (batch norm uses its running statistics, dropout is off) and their parameters never change:
 * DL4J's frozen layers have no gradient, no updater and no weight decay.
 */
public final class FineTune {
    private final PretrainedModel base;
    private List<String> labels;
    private String freezeThrough;
    private int[] hiddenLayers;
    private boolean keepHead;
    private double learningRate = 1e-3;
    private double momentum = 0.9;
    private double weightDecay = 5e-4;
    private double dropout = 0.5;
    private long seed = 42;
    private Precision precision;

    private FineTune(PretrainedModel base) {
        this.base = Objects.requireNonNull(base, "base");
    }

    public static FineTune of(PretrainedModel base) {
        return new FineTune(base);
    }

    public PretrainedModel base() {
        return base;
    }

    /** The classes, in output order; the new {@code predictions} has one unit per label. */
    public FineTune labels(List<String> labels) {
        if (labels == null || labels.size() < 2) {
            throw new IllegalArgumentException("fine-tuning needs at least 2 classes, got " + (labels == null ? 0 : labels.size())
                    + (labels == null || labels.isEmpty() ? "" : " (" + labels + ")"));
        }
        this.labels = List.copyOf(labels);
        return this;
    }

    /** Layers up to and including this one are frozen. Default {@code block5_pool} (or the last pooling layer). */
    public FineTune freezeThrough(String layer) {
        LayerNames.resolve(Chain.of(base.network()), layer, "the pretrained " + base.info().architecture()); // fail early
        this.freezeThrough = layer;
        return this;
    }

    /** New hidden fully connected layers ({@code fc1}, {@code fc2}, ...) replacing the base's, e.g. {@code 256}. */
    public FineTune hiddenLayers(int... widths) {
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException("hidden layer widths must be >= 1, got " + java.util.Arrays.toString(widths));
            }
        }
        this.hiddenLayers = widths.clone();
        return this;
    }

    /**
     * Keeps the base's own head instead of replacing it: to continue fine-tuning a model saved by a
     * previous fine-tuning. The labels must then be the model's.
     */
    public FineTune keepHead(boolean keep) {
        this.keepHead = keep;
        return this;
    }

    public FineTune learningRate(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + lr);
        }
        this.learningRate = lr;
        return this;
    }

    public double learningRate() {
        return learningRate;
    }

    /** Nesterov momentum (0: plain SGD). */
    public FineTune momentum(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
        return this;
    }

    /** L2 penalty on the trainable weights (frozen ones get none). */
    public FineTune weightDecay(double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay);
        }
        this.weightDecay = weightDecay;
        return this;
    }

    /** Dropout after each new hidden layer (0 disables). */
    public FineTune dropout(double dropout) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        this.dropout = dropout;
        return this;
    }

    public FineTune seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * What the fine-tuning network's kernels compute in ({@link Precision}; AUTO: bf16 where the
     * CPU has it). Default: the base network's ({@code FastPath.precision(base.network())}, FP32 for
     * a model just loaded). Saved models are float32 either way.
     */
    public FineTune precision(Precision precision) {
        this.precision = Objects.requireNonNull(precision, "precision");
        return this;
    }

    /** The precision {@link #build()} gives the network: the one set (resolved), or the base network's. */
    Precision precision() {
        return precision != null ? FastPath.resolve(precision) : FastPath.precision(base.network());
    }

    /**
     * The network with its new head and frozen layers, ready to train.
     *
     * @throws IllegalStateException for {@link Precision#BF16} on a CPU without native bfloat16
     */
    public TransferModel build() {
        if (labels == null) {
            throw new IllegalStateException("FineTune needs labels(...): the classes of your data");
        }
        Precision p = precision(); // an unsupported precision fails before the copy is made
        Chain chain = Chain.of(base.network());
        String what = "the pretrained " + base.info().architecture();
        int freeze = freezeThrough == null ? LayerNames.defaultFreeze(chain) : LayerNames.resolve(chain, freezeThrough, what);
        int replaceFrom;
        if (keepHead) {
            List<String> own = base.info().labels();
            if (!own.equals(labels)) {
                throw new IllegalArgumentException(base.info().architecture() + " was trained on " + own.size() + " classes " + own
                        + " but the data has " + labels.size() + " classes " + labels
                        + ": continuing a fine-tuning keeps the model's head, so the classes must be the same");
            }
            replaceFrom = chain.size();
        } else {
            replaceFrom = hiddenLayers != null ? LayerNames.classifierStart(chain) : lastLayerToReplace(chain);
        }
        if (freeze >= Math.min(replaceFrom, chain.size() - (keepHead ? 1 : 0))) {
            throw new IllegalArgumentException("cannot freeze through '" + chain.names().get(freeze) + "': "
                    + (freeze >= replaceFrom ? "it is replaced by the new head" : "nothing would be left to train")
                    + "; freeze through an earlier layer, e.g. " + LayerNames.DEFAULT_FREEZE);
        }
        FineTuneConfiguration ftc = configuration(learningRate);
        InputType input = InputType.convolutional(base.inputShape()[1], base.inputShape()[2], base.inputShape()[0]);
        List<Layer> head = keepHead ? List.of() : newHead(chain, replaceFrom, input);
        // TransferLearning builds the new network on a copy of every parameter.
        MemoryCheck.beforeAllocating(base.network().numParams(), "the fine-tuning copy of " + base.info().architecture());
        Object built = MemoryCheck.translatingOutOfMemory("building the fine-tuning network", () ->
                base.network() instanceof MultiLayerNetwork m ? multiLayer(m, chain, ftc, freeze, replaceFrom, head, input)
                        : graph((ComputationGraph) base.network(), chain, ftc, freeze, replaceFrom, head, input));
        List<String> frozen = chain.names().subList(0, freeze + 1);
        Map<String, String> props = new LinkedHashMap<>(base.info().properties());
        props.put("base", base.info().architecture());
        props.put("freezeThrough", chain.names().get(freeze));
        ModelInfo info = new ModelInfo(base.info().architecture() + "-finetuned", base.inputShape(), labels,
                base.preprocessing(), props);
        // DL4J's TransferLearning makes new layers of DL4J's own classes: the kernels go in again.
        return new TransferModel(FastPath.apply((org.deeplearning4j.nn.api.Model) built, p), info, frozen, this);
    }

    /** The output layer is replaced; a network without a classifier (a no-top import) gets one. */
    private static int lastLayerToReplace(Chain chain) {
        int start = LayerNames.classifierStart(chain);
        return start >= chain.size() ? chain.size() : chain.size() - 1;
    }

    /** fc layers (with dropout) and predictions, sized from the activation entering the replaced part. */
    private List<Layer> newHead(Chain chain, int replaceFrom, InputType input) {
        InputType in = replaceFrom == 0 ? input : chain.outputTypes(input).get(replaceFrom - 1);
        long nIn = in.arrayElementsPerExample();
        List<Layer> layers = new ArrayList<>();
        int[] widths = hiddenLayers != null ? hiddenLayers : new int[0];
        for (int i = 0; i < widths.length; i++) {
            layers.add(new DenseLayer.Builder().name("fc" + (i + 1)).nIn(nIn).nOut(widths[i]).activation(Activation.RELU)
                    .weightInit(WeightInit.RELU).build());
            if (dropout > 0) {
                // DL4J's DropoutLayer takes the probability of keeping a unit.
                layers.add(new DropoutLayer.Builder(1.0 - dropout).name("fc" + (i + 1) + "_dropout").build());
            }
            nIn = widths[i];
        }
        layers.add(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("predictions").nIn(nIn).nOut(labels.size())
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build());
        return layers;
    }

    private static InputPreProcessor flattenIfNeeded(Chain chain, int replaceFrom, InputType input) {
        InputType in = replaceFrom == 0 ? input : chain.outputTypes(input).get(replaceFrom - 1);
        if (in instanceof InputType.InputTypeConvolutional c) {
            return new CnnToFeedForwardPreProcessor(c.getHeight(), c.getWidth(), c.getChannels());
        }
        return null;
    }

    private static MultiLayerNetwork multiLayer(MultiLayerNetwork net, Chain chain, FineTuneConfiguration ftc, int freeze,
                                                int replaceFrom, List<Layer> head, InputType input) {
        TransferLearning.Builder b = new TransferLearning.Builder(net).fineTuneConfiguration(ftc).setFeatureExtractor(freeze);
        if (chain.size() - replaceFrom > 0) {
            b.removeLayersFromOutput(chain.size() - replaceFrom);
        }
        for (Layer l : head) {
            b.addLayer(l);
        }
        if (!head.isEmpty()) {
            InputPreProcessor flatten = flattenIfNeeded(chain, replaceFrom, input);
            if (flatten != null) {
                b.setInputPreProcessor(replaceFrom, flatten);
            }
        }
        return b.build();
    }

    private static ComputationGraph graph(ComputationGraph g, Chain chain, FineTuneConfiguration ftc, int freeze,
                                          int replaceFrom, List<Layer> head, InputType input) {
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(g).fineTuneConfiguration(ftc)
                .setFeatureExtractor(chain.names().get(freeze));
        if (head.isEmpty()) {
            return b.build();
        }
        // Attach to what feeds the first replaced layer: its flatten vertex if it has one, else the layer before.
        Chain.Step first = replaceFrom < chain.size() ? chain.steps().get(replaceFrom) : null;
        String attach = first != null && first.preprocessorVertex() != null ? first.preprocessorVertex()
                : replaceFrom == 0 ? chain.graphInput() : chain.names().get(replaceFrom - 1);
        boolean flattened = first != null && first.preprocessorVertex() != null;
        for (int i = chain.size() - 1; i >= replaceFrom; i--) {
            b.removeVertexAndConnections(chain.names().get(i));
        }
        String prev = attach;
        for (int i = 0; i < head.size(); i++) {
            Layer l = head.get(i);
            InputPreProcessor pre = i == 0 && !flattened ? flattenIfNeeded(chain, replaceFrom, input) : null;
            if (pre != null) {
                b.addLayer(l.getLayerName(), l, pre, prev);
            } else {
                b.addLayer(l.getLayerName(), l, prev);
            }
            prev = l.getLayerName();
        }
        b.setOutputs(prev);
        return b.build();
    }

    /** The optimizer of the trainable layers: Nesterov SGD (plain SGD at momentum 0) with L2 weight decay. */
    FineTuneConfiguration configuration(double lr) {
        return new FineTuneConfiguration.Builder()
                .updater(momentum == 0 ? new Sgd(lr) : new Nesterovs(lr, momentum))
                .l2(weightDecay).seed(seed).build();
    }
}
