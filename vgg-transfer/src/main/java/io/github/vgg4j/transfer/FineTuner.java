package io.github.vgg4j.transfer;

import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One call from a pretrained network and a labelled data set to a fine-tuned model with the right
 * preprocessing attached. The data is read as the pretrained weights expect (their input size and
 * preprocessing); the new head is trained first, by default on features of the frozen part
 * computed once and cached on disk ({@code featurize}); optionally a second stage then unfreezes
 * the last frozen block and trains it too, at a lower learning rate.
 *
 * <pre>{@code
 * FineTuneResult r = FineTuner.of(FineTune.of(Pretrained.open("zoo:vgg16")))
 *         .epochs(20)                 // head epochs: fast on cached features
 *         .unfreezeEpochs(2)          // then block 5 too, at learning rate / 10
 *         .fit(DataSources.open(Path.of("flowers"), null));
 * r.model().save(Path.of("flowers.zip"));
 * System.out.println(r.test().accuracy());
 * }</pre>
 */
public final class FineTuner {
    private static final Logger log = LoggerFactory.getLogger(FineTuner.class);

    private final FineTune fineTune;
    private int epochs = 10;
    private boolean featurize = true;
    private int unfreezeEpochs;
    private String unfreezeThrough;
    private double unfreezeLearningRateFactor = 0.1;
    private int batchSize = 32;
    private Double validationFraction;
    private double trainFraction = 1;
    private int limitTrain;
    private long seed = 42;
    private boolean augment;
    private Path cacheDirectory;
    private TrainingProgress progress = TrainingProgress.NONE;

    private FineTuner(FineTune fineTune) {
        this.fineTune = Objects.requireNonNull(fineTune, "fineTune");
    }

    /** Labels are set from the data; everything else about the network comes from {@code fineTune}. */
    public static FineTuner of(FineTune fineTune) {
        return new FineTuner(fineTune);
    }

    /** Epochs of the first stage (the head). Default 10. */
    public FineTuner epochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        this.epochs = epochs;
        return this;
    }

    /** Train the head on cached features of the frozen part (default) or through the frozen layers. */
    public FineTuner featurize(boolean featurize) {
        this.featurize = featurize;
        return this;
    }

    /** Epochs of the second stage (0, the default: none). */
    public FineTuner unfreezeEpochs(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("unfreeze epochs must be >= 0, got " + epochs);
        }
        this.unfreezeEpochs = epochs;
        return this;
    }

    /** The freeze point of the second stage; default the pooling layer of the block before the first stage's. */
    public FineTuner unfreezeThrough(String layer) {
        PretrainedModel base = fineTune.base();
        LayerNames.resolve(Chain.of(base.network()), layer, "the pretrained " + base.info().architecture()); // fail early
        this.unfreezeThrough = layer;
        return this;
    }

    /** Learning rate of the second stage relative to the first. Default 0.1. */
    public FineTuner unfreezeLearningRateFactor(double factor) {
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("the second stage's learning-rate factor must be in (0, 1], got " + factor);
        }
        this.unfreezeLearningRateFactor = factor;
        return this;
    }

    public FineTuner batchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    /** Stratified validation split; default 0.1 when the data has no test set, else none. */
    public FineTuner validationFraction(double fraction) {
        this.validationFraction = fraction;
        return this;
    }

    /** Train on a stratified fraction of the training set (e.g. 100 images per class). */
    public FineTuner trainFraction(double fraction) {
        this.trainFraction = fraction;
        return this;
    }

    /** Train on the first n examples after a seeded shuffle (0: all). */
    public FineTuner limitTrain(int n) {
        this.limitTrain = n;
        return this;
    }

    public FineTuner seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Training augmentation, without featurizing only (cached features cannot be re-cropped). Default off. */
    public FineTuner augment(boolean augment) {
        this.augment = augment;
        return this;
    }

    /** Where feature caches live; default {@code <dataset cache>/features}. */
    public FineTuner cacheDirectory(Path directory) {
        this.cacheDirectory = directory;
        return this;
    }

    public FineTuner progress(TrainingProgress progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return this;
    }

    /** Fine-tunes on the data's training set and evaluates on its test set (or the validation split). */
    public FineTuneResult fit(DataBundle bundle) throws IOException {
        if (featurize && augment) {
            throw new IllegalArgumentException("augmentation needs training through the frozen layers (--no-featurize): "
                    + "cached features are computed once, from un-augmented images");
        }
        PretrainedModel base = fineTune.base();
        int[] shape = base.inputShape();
        double val = validationFraction != null ? validationFraction : bundle.hasTest() ? 0 : 0.1;
        TrainingData.Builder tb = TrainingData.from(bundle).inputShape(shape[0], shape[1], shape[2])
                .preprocessing(base.preprocessing()).batchSize(batchSize).seed(seed).augment(augment)
                .validationFraction(val).trainFraction(trainFraction).limitTrain(limitTrain);
        try (TrainingData data = tb.build()) {
            TransferModel model = fineTune.labels(data.labels()).build();
            InputType input = InputType.convolutional(shape[1], shape[2], shape[0]);
            FineTuneResult.Featurization featurization = null;
            List<EpochResult> stage1;
            if (featurize) {
                Stage s = trainOnFeatures(model, data);
                stage1 = s.history;
                featurization = s.featurization;
            } else {
                MemoryCheck.beforeTraining(model.network(), input, batchSize, "fine-tuning " + base.info().architecture());
                stage1 = train(model.network(), data.train(), data.validation(), data.labels(), epochs);
            }
            List<EpochResult> stage2 = List.of();
            if (unfreezeEpochs > 0) {
                model = model.unfreezeThrough(secondFreezePoint(model), fineTune.learningRate() * unfreezeLearningRateFactor);
                MemoryCheck.beforeTraining(model.network(), input, batchSize, "fine-tuning " + base.info().architecture());
                data.train().reset();
                stage2 = train(model.network(), data.train(), data.validation(), data.labels(), unfreezeEpochs);
            }
            EvaluationReport test = data.test() == null ? null : Evaluator.evaluate(model.network(), data.test(), data.labels());
            EvaluationReport validation = data.validation() == null ? null
                    : Evaluator.evaluate(model.network(), data.validation(), data.labels());
            TransferModel done = withDataInfo(model, data);
            return new FineTuneResult(done, stage1, stage2, featurization, test, validation, data.train().numExamples(),
                    data.skipped().entries());
        }
    }

    /** The model info as TrainingData describes the data (evaluation crop, format), so evaluate reads it the same way. */
    private static TransferModel withDataInfo(TransferModel model, TrainingData data) {
        var props = new java.util.LinkedHashMap<>(model.info().properties());
        props.putAll(data.modelInfo(model.info().architecture(), java.util.Map.of()).properties());
        var info = new io.github.vgg4j.core.io.ModelInfo(model.info().architecture(), model.info().inputShape(),
                model.info().labels(), model.info().preprocessing(), props);
        return new TransferModel(model.network(), info, model.frozenLayers(), model.options());
    }

    private String secondFreezePoint(TransferModel model) {
        if (unfreezeThrough != null) {
            return unfreezeThrough;
        }
        Chain chain = Chain.of(model.network());
        int previous = LayerNames.previousPool(chain, chain.indexOf(model.freezeThrough()));
        if (previous < 0) {
            throw new IllegalArgumentException("there is no block before '" + model.freezeThrough() + "' to keep frozen; "
                    + "give the second stage's freeze point");
        }
        return chain.names().get(previous);
    }

    private record Stage(List<EpochResult> history, FineTuneResult.Featurization featurization) {
    }

    /** Featurizes train (and validation) once, trains the head network on the features, copies it back. */
    private Stage trainOnFeatures(TransferModel model, TrainingData data) throws IOException {
        HeadFeatures features = HeadFeatures.of(model, data, cacheDirectory);
        FineTuneResult.Featurization featurization = features.featurization();
        log.info("features: {} ({} examples, {}), {} s", featurization.cacheHit() ? "from the cache" : "computed",
                featurization.examples(), featurization.file(), String.format("%.1f", featurization.seconds()));
        try (HeadFeatures.Batches t = features.train(batchSize, seed); HeadFeatures.Batches v = features.validation(batchSize)) {
            MultiLayerNetwork head = features.head(model);
            List<EpochResult> history = train(head, t, v, data.labels(), epochs);
            HeadFeatures.copyInto(head, model);
            return new Stage(history, featurization);
        }
    }

    private List<EpochResult> train(Model net, DataSetIterator train, DataSetIterator validation, List<String> labels, int n) {
        return MemoryCheck.translatingOutOfMemory("training", () -> {
            if (net instanceof MultiLayerNetwork m) {
                return new Trainer(TrainingOptions.epochs(n)).fit(m, train, validation, labels, progress).epochs();
            }
            return GraphEpochs.fit((ComputationGraph) net, train, validation, labels, n, progress);
        });
    }

    /** The plain epoch loop for ComputationGraphs (vgg-core's Trainer takes MultiLayerNetworks). */
    static final class GraphEpochs {
        private GraphEpochs() {
        }

        static List<EpochResult> fit(ComputationGraph g, DataSetIterator train, DataSetIterator validation, List<String> labels,
                                     int epochs, TrainingProgress progress) {
            List<EpochResult> history = new ArrayList<>();
            for (int e = 0; e < epochs; e++) {
                if (e > 0 || !train.hasNext()) {
                    train.reset();
                }
                long t0 = System.nanoTime();
                double loss = 0;
                int batches = 0;
                long examples = 0;
                while (train.hasNext()) {
                    var ds = train.next();
                    g.fit(ds);
                    loss += g.score();
                    batches++;
                    examples += ds.numExamples();
                    progress.batch(e, batches, -1, g.score());
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                EvaluationReport v = validation == null ? null : Evaluator.evaluate(g, validation, labels);
                double lr = g.getLayers().length > 0 ? lastLearningRate(g) : Double.NaN;
                EpochResult r = new EpochResult(e, batches == 0 ? Double.NaN : loss / batches, Double.NaN,
                        v == null ? Double.NaN : v.loss() + g.calcRegularizationScore(true), v == null ? Double.NaN : v.accuracy(),
                        lr, seconds, examples);
                history.add(r);
                progress.epoch(r);
            }
            return history;
        }

        private static double lastLearningRate(ComputationGraph g) {
            String out = g.getConfiguration().getNetworkOutputs().get(0);
            Double lr = g.getLearningRate(out);
            return lr == null ? Double.NaN : lr;
        }
    }
}
