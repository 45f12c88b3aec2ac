package io.github.vgg4j.core;

import io.github.vgg4j.core.internal.MemoryLimits;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds VGG networks as DL4J {@link MultiLayerConfiguration}s: any configuration of the paper
 * (or your own table of blocks), with or without batch norm, any input size from 32x32 and any
 * channel count, with an ImageNet, CIFAR, global-pooling or custom head.
 *
 * <pre>{@code
 * MultiLayerNetwork net = VGGBuilder.vgg16()
 *         .batchNorm(true)
 *         .inputShape(1, 32, 32)      // grey 32x32 images
 *         .numClasses(10)
 *         .head(Head.cifar())
 *         .widthMultiplier(0.25)      // 16..128 channels: fits a laptop
 *         .buildNetwork();            // initialised, ready to fit
 * }</pre>
 *
 * <p>Layer names are stable: {@code block{b}_conv{i}}, {@code block{b}_bn{i}},
 * {@code block{b}_relu{i}} (batch norm only; otherwise ReLU is the convolution's activation),
 * {@code block1_lrn} (A-LRN), {@code block{b}_pool}, {@code avg_pool} (global pooling head),
 * {@code fc{n}} and {@code fc{n}_dropout}, {@code predictions}.
 *
 * <p>Defaults follow the paper: configuration D (VGG16), 3x224x224 input, 1000 classes, ImageNet
 * head with dropout 0.5, SGD with Nesterov momentum 0.9, learning rate 0.01, weight decay 5e-4
 * (an L2 penalty on weights, as the paper and PyTorch's SGD apply it), He initialisation.
 * Networks run NCHW with {@link CacheMode#DEVICE}; {@link #buildNetwork()} and {@link #buildGraph()}
 * hand them out on vgg4j's kernels ({@link FastPath}).
 *
 * <p>Sizes: every block ends in a 2x2/2 max-pool that floors odd sizes (as torchvision and Keras
 * do): a 100x100 input gives 50, 25, 12, 6, 3; the last row/column of an odd-sized map is not
 * pooled. The smallest input is 2^(number of blocks) = 32 for the paper's five blocks.
 */
public final class VGGBuilder {
    private static final Logger log = LoggerFactory.getLogger(VGGBuilder.class);

    private VggConfiguration configuration = VggConfiguration.D;
    private String name = VggConfiguration.D.modelName();
    private List<ConvBlock> blocks = VggConfiguration.D.blocks();
    private boolean lrn;
    private boolean batchNorm;
    private int channels = 3;
    private int height = 224;
    private int width = 224;
    private int numClasses = 1000;
    private Head head = Head.imagenet();
    private double widthMultiplier = 1.0;
    private double dropout = 0.5;
    private double learningRate = 0.01;
    private ISchedule learningRateSchedule;
    private double momentum = 0.9;
    private double weightDecay = 5e-4;
    private IUpdater updater;
    private InitScheme init = InitScheme.HE;
    private long seed = 42;
    private Precision precision = Precision.FP32;

    public VGGBuilder() {
    }

    /** A builder for one of the paper's configurations. */
    public static VGGBuilder of(VggConfiguration configuration) {
        return new VGGBuilder().configuration(configuration);
    }

    public static VGGBuilder vgg11() {
        return of(VggConfiguration.A);
    }

    public static VGGBuilder vgg13() {
        return of(VggConfiguration.B);
    }

    public static VGGBuilder vgg16() {
        return of(VggConfiguration.D);
    }

    public static VGGBuilder vgg19() {
        return of(VggConfiguration.E);
    }

    /** A copy, so a configured builder can serve as a template. */
    public VGGBuilder copy() {
        VGGBuilder c = new VGGBuilder();
        c.configuration = configuration;
        c.name = name;
        c.blocks = blocks;
        c.lrn = lrn;
        c.batchNorm = batchNorm;
        c.channels = channels;
        c.height = height;
        c.width = width;
        c.numClasses = numClasses;
        c.head = head;
        c.widthMultiplier = widthMultiplier;
        c.dropout = dropout;
        c.learningRate = learningRate;
        c.learningRateSchedule = learningRateSchedule;
        c.momentum = momentum;
        c.weightDecay = weightDecay;
        c.updater = updater;
        c.init = init;
        c.seed = seed;
        c.precision = precision;
        return c;
    }

    // ---- architecture -----------------------------------------------------------------------

    public VGGBuilder configuration(VggConfiguration configuration) {
        this.configuration = configuration;
        this.name = configuration.modelName();
        this.blocks = configuration.blocks();
        this.lrn = configuration.lrn();
        return this;
    }

    /** By paper or model name: "A", "A-LRN", "B", "C", "D", "E", "VGG16", ... */
    public VGGBuilder configuration(String name) {
        return configuration(VggConfiguration.parse(name));
    }

    /** Your own table of blocks, e.g. d2l's narrow VGG. */
    public VGGBuilder blocks(List<ConvBlock> blocks) {
        if (blocks == null || blocks.isEmpty()) {
            throw new IllegalArgumentException("a VGG needs at least one block, got none");
        }
        this.configuration = null;
        this.name = "vgg-custom";
        this.blocks = List.copyOf(blocks);
        this.lrn = false;
        return this;
    }

    /** Your own table as {@code {numConvs, channels}} rows, e.g. {@code {{1, 64}, {1, 128}, {2, 256}}}. */
    public VGGBuilder blocks(int[][] table) {
        List<ConvBlock> list = new ArrayList<>();
        for (int i = 0; i < table.length; i++) {
            if (table[i].length != 2) {
                throw new IllegalArgumentException("block table row " + i + " must be {numConvs, channels}, got "
                        + java.util.Arrays.toString(table[i]));
            }
            list.add(ConvBlock.of(table[i][0], table[i][1]));
        }
        return blocks(list);
    }

    /** Batch normalisation after every convolution (the torchvision "_bn" variants). */
    public VGGBuilder batchNorm(boolean batchNorm) {
        this.batchNorm = batchNorm;
        return this;
    }

    /** Input channels (1 for grey, 3 for RGB) and size; at least 32x32 for five blocks. */
    public VGGBuilder inputShape(int channels, int height, int width) {
        if (channels < 1) {
            throw new IllegalArgumentException("input channels must be >= 1 (1 for grey, 3 for RGB), got " + channels);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        return this; // sizes are checked in build(), where the number of blocks is final
    }

    public VGGBuilder numClasses(int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2 (a softmax over one class is always 1; "
                    + "use 2 for a binary task), got " + numClasses);
        }
        this.numClasses = numClasses;
        return this;
    }

    public VGGBuilder head(Head head) {
        this.head = java.util.Objects.requireNonNull(head, "head");
        return this;
    }

    /** Scales every block's channels and the head's widths (0.25: 16..128 channels), for small machines. */
    public VGGBuilder widthMultiplier(double widthMultiplier) {
        if (!(widthMultiplier > 0) || Double.isInfinite(widthMultiplier)) {
            throw new IllegalArgumentException("widthMultiplier must be a finite number > 0 (e.g. 0.25 for a narrow VGG), got "
                    + widthMultiplier);
        }
        this.widthMultiplier = widthMultiplier;
        return this;
    }

    /** Probability of dropping a unit after each hidden fully connected layer (0 disables). */
    public VGGBuilder dropout(double dropout) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        this.dropout = dropout;
        return this;
    }

    // ---- training -----------------------------------------------------------------------------

    public VGGBuilder learningRate(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be a finite number > 0, got " + learningRate);
        }
        this.learningRate = learningRate;
        return this;
    }

    /** A learning-rate schedule (by iteration or epoch) for the default SGD updater. */
    public VGGBuilder learningRateSchedule(ISchedule schedule) {
        this.learningRateSchedule = schedule;
        return this;
    }

    /** Nesterov momentum; 0 gives plain SGD. */
    public VGGBuilder momentum(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
        return this;
    }

    /** L2 penalty on weights (not biases or batch-norm parameters); the paper's 5e-4 by default. */
    public VGGBuilder weightDecay(double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be a finite number >= 0, got " + weightDecay);
        }
        this.weightDecay = weightDecay;
        return this;
    }

    /** Replaces the SGD/Nesterov updater entirely (learningRate and momentum are then ignored). */
    public VGGBuilder updater(IUpdater updater) {
        this.updater = updater;
        return this;
    }

    public VGGBuilder init(InitScheme init) {
        this.init = java.util.Objects.requireNonNull(init, "init");
        return this;
    }

    public VGGBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * What the kernels of {@link #buildNetwork()} and {@link #buildGraph()} compute in (default
     * {@link Precision#FP32}): {@link Precision#BF16} needs a CPU with native bfloat16 and makes
     * those methods throw {@link IllegalStateException} elsewhere; {@link Precision#AUTO} uses it where
     * the CPU has it. The configuration ({@link #build()}), the parameters and saved files are float32
     * either way.
     */
    public VGGBuilder precision(Precision precision) {
        this.precision = java.util.Objects.requireNonNull(precision, "precision");
        return this;
    }

    // ---- results ------------------------------------------------------------------------------

    /** The paper's configuration, or empty for a custom table of blocks. */
    public java.util.Optional<VggConfiguration> paperConfiguration() {
        return java.util.Optional.ofNullable(configuration);
    }

    public boolean isBatchNorm() {
        return batchNorm;
    }

    /** e.g. {@code vgg16}, {@code vgg16_bn}, {@code vgg-custom}. */
    public String name() {
        return name + (batchNorm ? "_bn" : "");
    }

    public InputType inputType() {
        return InputType.convolutional(height, width, channels, CNN2DFormat.NCHW);
    }

    public int numClasses() {
        return numClasses;
    }

    /** What the kernels will compute in, as given to {@link #precision(Precision)} (AUTO unresolved). */
    public Precision precision() {
        return precision;
    }

    /** The configuration, validated. Builds no weights (cheap even for VGG19) and changes nothing in the JVM. */
    public MultiLayerConfiguration build() {
        validateSize();
        NeuralNetConfiguration.ListBuilder list = defaults().list();
        for (Layer layer : layers()) {
            list.layer(layer);
        }
        list.setInputType(inputType());
        return list.build();
    }

    /**
     * The same network as a {@link ComputationGraphConfiguration}: one vertex per layer, named as
     * the layers are ({@code block1_conv1} ... {@code predictions}), input {@value #GRAPH_INPUT}.
     */
    public ComputationGraphConfiguration buildGraphConfiguration() {
        validateSize();
        ComputationGraphConfiguration.GraphBuilder graph = defaults().graphBuilder().addInputs(GRAPH_INPUT);
        String previous = GRAPH_INPUT;
        for (Layer layer : layers()) {
            graph.addLayer(layer.getLayerName(), layer, previous);
            previous = layer.getLayerName();
        }
        return graph.setOutputs(previous).setInputTypes(inputType()).build();
    }

    /**
     * An initialised network (weights allocated), ready to train, on the fast path ({@link
     * FastPath#apply(org.deeplearning4j.nn.api.Model, Precision)}) in this builder's {@link #precision}.
     *
     * @throws IllegalStateException before allocating, when the parameters cannot fit in the
     *         off-heap memory this JVM may use (the message names the setting to raise)
     */
    public MultiLayerNetwork buildNetwork() {
        Precision p = FastPath.resolve(precision); // before the weights: an unsupported precision fails fast
        MultiLayerConfiguration conf = build();
        requireMemoryFor(MemoryLimits.parameterCount(conf));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return FastPath.apply(net, p);
    }

    /** A network whose parameters cannot be allocated fails here, not in JavaCPP or a DL4J crash dump. */
    private void requireMemoryFor(long params) {
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType();
        String what = name() + " at " + in.getChannels() + "x" + in.getHeight() + "x" + in.getWidth() + " ("
                + (params < 0 ? "more than 2^63" : String.format(java.util.Locale.ROOT, "%,d", params)) + " parameters; a smaller input"
                + " or a head without fc1's input-sized weights keeps them small)";
        String problem = params < 0 ? what + " cannot be allocated"
                : MemoryLimits.offHeapShortfall(params > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : params * 4, what);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /**
     * The network as an initialised {@link ComputationGraph} with the stable layer names as vertex
     * names, on the fast path: what DL4J's {@code TransferLearning.GraphBuilder} works on by name
     * (e.g. {@code setFeatureExtractor("block5_pool")}). Same parameters and outputs as {@link
     * #buildNetwork()} for the same seed.
     */
    public ComputationGraph buildGraph() {
        Precision p = FastPath.resolve(precision);
        ComputationGraphConfiguration conf = buildGraphConfiguration();
        requireMemoryFor(MemoryLimits.parameterCount(conf));
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return FastPath.apply(graph, p);
    }

    /** The graph's input vertex. */
    public static final String GRAPH_INPUT = "input";

    private NeuralNetConfiguration.Builder defaults() {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater != null ? updater : defaultUpdater())
                .l2(weightDecay)
                .convolutionMode(ConvolutionMode.Truncate)
                .cacheMode(CacheMode.DEVICE)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }

    /** The one builder loop: every layer, named, in order. */
    private List<Layer> layers() {
        List<Layer> layers = new ArrayList<>();
        for (int b = 1; b <= blocks.size(); b++) {
            ConvBlock block = blocks.get(b - 1).scaled(widthMultiplier);
            int[] kernels = block.kernels();
            for (int i = 1; i <= kernels.length; i++) {
                int k = kernels[i - 1];
                layers.add(new ConvolutionLayer.Builder(k, k).stride(1, 1).padding(k / 2, k / 2)
                        .dataFormat(CNN2DFormat.NCHW)
                        .nOut(block.channels())
                        .activation(batchNorm ? Activation.IDENTITY : Activation.RELU)
                        .weightInit(reluInit())
                        .name("block" + b + "_conv" + i).build());
                if (batchNorm) {
                    layers.add(new BatchNormalization.Builder().name("block" + b + "_bn" + i).build());
                    layers.add(new ActivationLayer.Builder().activation(Activation.RELU)
                            .name("block" + b + "_relu" + i).build());
                }
                if (lrn && b == 1 && i == 1) {
                    // The paper's A-LRN: Krizhevsky et al.'s LRN (k=2, n=5, alpha=1e-4, beta=0.75), DL4J's defaults.
                    layers.add(new LocalResponseNormalization.Builder().name("block1_lrn").build());
                }
            }
            layers.add(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                    .dataFormat(CNN2DFormat.NCHW).name("block" + b + "_pool").build());
        }

        Head h = head.scaled(widthMultiplier);
        if (h.globalPooling()) {
            layers.add(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("avg_pool").build());
        }
        int[] widths = h.fcWidths();
        for (int n = 1; n <= widths.length; n++) {
            layers.add(new DenseLayer.Builder().nOut(widths[n - 1]).activation(Activation.RELU)
                    .weightInit(reluInit()).name("fc" + n).build());
            if (dropout > 0) {
                // DL4J's DropoutLayer takes the probability of *keeping* a unit.
                layers.add(new DropoutLayer.Builder(1.0 - dropout).name("fc" + n + "_dropout").build());
            }
        }
        layers.add(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                .activation(Activation.SOFTMAX).weightInit(outputInit()).name("predictions").build());
        return layers;
    }

    /** The per-layer summary of {@link #build()}: shapes, parameters, multiply-adds, memory. */
    public ModelSummary summary() {
        return ModelSummary.of(build(), inputType(), name());
    }

    private IUpdater defaultUpdater() {
        if (momentum == 0) {
            return learningRateSchedule != null ? new Sgd(learningRateSchedule) : new Sgd(learningRate);
        }
        return learningRateSchedule != null ? new Nesterovs(learningRateSchedule, momentum)
                : new Nesterovs(learningRate, momentum);
    }

    private IWeightInit reluInit() {
        return switch (init) {
            case HE -> WeightInit.RELU.getWeightInitFunction();
            case PAPER_NORMAL -> new WeightInitDistribution(new NormalDistribution(0, 0.01));
            case XAVIER -> WeightInit.XAVIER.getWeightInitFunction();
        };
    }

    private IWeightInit outputInit() {
        return init == InitScheme.PAPER_NORMAL ? reluInit() : WeightInit.XAVIER.getWeightInitFunction();
    }

    private void validateSize() {
        int min = 1 << blocks.size();
        if (height < min || width < min) {
            throw new IllegalArgumentException("input " + height + "x" + width + " is too small: the " + blocks.size()
                    + " blocks' 2x2 max-pools need at least " + min + "x" + min + " (each pool halves the size, "
                    + min + " -> 1); pad or resize the images (e.g. Fashion-MNIST's 28x28 padded by 2 to 32x32)");
        }
        if (lostPixels(height) || lostPixels(width)) {
            log.info("input {}x{}: max-pooling floors odd sizes (height {}, width {}); the last row/column of an "
                    + "odd-sized feature map is not pooled, as in torchvision and Keras",
                    height, width, poolChain(height), poolChain(width));
        }
    }

    private boolean lostPixels(int size) {
        for (int b = 0; b < blocks.size(); b++, size /= 2) {
            if (size % 2 != 0) {
                return true;
            }
        }
        return false;
    }

    private String poolChain(int size) {
        StringBuilder s = new StringBuilder().append(size);
        for (int b = 0; b < blocks.size(); b++) {
            size /= 2;
            s.append("->").append(size);
        }
        return s.toString();
    }
}
