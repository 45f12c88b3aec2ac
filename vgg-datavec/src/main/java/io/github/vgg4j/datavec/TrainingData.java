package io.github.vgg4j.datavec;

import io.github.vgg4j.datavec.internal.Splits;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The data side of a training run: train / validation / test iterators over a {@link DataBundle},
 * with the defaults each source calls for, so that a VGG from vgg-core trains on any of them
 * without glue code.
 *
 * <table>
 *   <caption>Defaults by source (each can be overridden on the builder)</caption>
 *   <tr><th>source</th><th>input</th><th>normalisation</th><th>training augmentation</th></tr>
 *   <tr><td>CIFAR-10</td><td>3x32x32</td><td>CIFAR-10 mean/std</td><td>random crop, 4 px padding; flip</td></tr>
 *   <tr><td>idx (MNIST, Fashion-MNIST)</td><td>1x32x32 (28x28 padded)</td><td>fitted mean/std</td>
 *       <td>random crop, 2 px padding; flip for Fashion-MNIST only (digits are not mirror-symmetric)</td></tr>
 *   <tr><td>image folders</td><td>3x224x224</td><td>fitted mean/std</td>
 *       <td>the paper's scale jittering (shorter side in [S, 2S], S = size / 0.875), random crop, flip</td></tr>
 * </table>
 * Evaluation and test sets get no augmentation: folders are resized to size / 0.875 and
 * centre-cropped; CIFAR and idx images are used as they are (padded to 32). That evaluation
 * transform is saved with the model ({@link #modelInfo}), and {@link #evalFit(ModelInfo)} reads it
 * back, so evaluation, prediction and inspection of a saved model read images as its training did.
 *
 * <pre>{@code
 * try (TrainingData data = TrainingData.from(DataSources.open(path, null)).validationFraction(0.1).build()) {
 *     MultiLayerNetwork net = VGGBuilder.vgg11().inputShape(data.inputShape()[0], ...).numClasses(data.labels().size()).buildNetwork();
 *     new Trainer(TrainingOptions.epochs(10)).fit(net, data.train(), data.validation(), data.labels(), TrainingProgress.NONE);
 * }
 * }</pre>
 */
public final class TrainingData implements AutoCloseable {
    /** ModelInfo property: crop percentage of the evaluation transform. */
    public static final String EVAL_CROP_PCT = "evalCropPct";
    /** ModelInfo property: whether the evaluation transform pads smaller images ({@link Fit#withPadding}). */
    public static final String EVAL_PAD = "evalPad";
    /** ModelInfo property: the data format the model was trained on. */
    public static final String FORMAT = "format";
    private static final int STATISTICS_SAMPLE = 2000;

    private final DataBundle bundle;
    private final int[] inputShape;
    private final Preprocessing preprocessing;
    private final SkippedFiles skipped;
    private final ImageBatches train;
    private final ImageBatches validation;
    private final ImageBatches test;
    private final int[] trainIndices;
    private final int[] validationIndices;
    private final Fit evalFit;
    private final int batchSize;
    private final long seed;
    private ImageBatches trainSample;

    private TrainingData(Builder b) throws IOException {
        this.bundle = b.bundle;
        if (bundle.train() == null) {
            throw new BadDataException(bundle.source() + " has no labelled training images (unlabelled images are for prediction)");
        }
        this.inputShape = b.inputShape != null ? b.inputShape : defaultInputShape(bundle);
        this.skipped = new SkippedFiles();
        // fixed-size sources (CIFAR, idx) are used as they are, padded up to the input size
        this.evalFit = bundle.train().nativeShape() != null
                ? Fit.eval(inputShape[0], inputShape[1], inputShape[2], 1.0).withPadding()
                : Fit.eval(inputShape[0], inputShape[1], inputShape[2], Fit.DEFAULT_CROP_PCT);
        this.batchSize = b.batchSize;
        this.seed = b.seed;

        int[] all = Splits.all(bundle.train());
        int[] trainIdx = all;
        int[] valIdx = null;
        if (b.validationFraction > 0) {
            Splits.Split s = Splits.stratified(bundle.train(), all, b.validationFraction, b.seed);
            trainIdx = s.train();
            valIdx = s.validation();
        }
        if (b.trainFraction < 1) {
            trainIdx = Splits.fraction(bundle.train(), trainIdx, b.trainFraction, b.seed);
        }
        if (b.limitTrain > 0) {
            trainIdx = Splits.limit(trainIdx, b.limitTrain, b.seed);
        }
        if (trainIdx.length == 0) {
            throw new BadDataException(bundle.train().source() + " leaves no training examples (" + bundle.train().size()
                    + " in the set, " + (valIdx == null ? 0 : valIdx.length) + " held out for validation)");
        }
        if (bundle.test() != null && bundle.test().size() == 0) {
            throw new BadDataException(bundle.test().source() + " has no test examples: an empty test set would report no accuracy");
        }
        this.trainIndices = trainIdx;
        this.validationIndices = valIdx;
        this.preprocessing = b.preprocessing != null ? b.preprocessing
                : bundle.format() == DataFormat.CIFAR10 && inputShape[0] == 3 ? Preprocessing.cifar10()
                : ImageStatistics.fitMeanStd(bundle.train(), trainIdx, evalFit, STATISTICS_SAMPLE, b.seed);

        boolean augment = b.augment == null || b.augment;
        Fit trainFit = evalFit;
        Augmentation augmentation = Augmentation.none();
        if (augment) {
            if (bundle.train().nativeShape() == null) {
                int s = (int) Math.round(Math.min(inputShape[1], inputShape[2]) / Fit.DEFAULT_CROP_PCT);
                trainFit = Fit.train(inputShape[0], inputShape[1], inputShape[2]).withScaleJitter(s, 2 * s);
                augmentation = new Augmentation(0, true);
            } else if (bundle.format() == DataFormat.CIFAR10) {
                augmentation = Augmentation.cifar();
            } else {
                augmentation = new Augmentation(2, bundle.labels().equals(Idx.FASHION_LABELS));
            }
        }
        this.train = ImageBatches.builder(bundle.train()).indices(trainIdx).batchSize(b.batchSize).fit(trainFit)
                .augmentation(augmentation).preprocessing(preprocessing).shuffle(true).seed(b.seed).workers(b.workers)
                .skipped(skipped).build();
        this.validation = valIdx == null ? null : evaluation(bundle.train(), valIdx, evalFit, preprocessing, b.batchSize, skipped);
        this.test = bundle.test() == null ? null : evaluation(bundle.test(), null, evalFit, preprocessing, b.batchSize, skipped);
    }

    public static Builder from(DataBundle bundle) {
        return new Builder(bundle);
    }

    /** Options; all have the defaults of the table above. */
    public static final class Builder {
        private final DataBundle bundle;
        private int[] inputShape;
        private int batchSize = 64;
        private double validationFraction;
        private double trainFraction = 1;
        private int limitTrain;
        private long seed = 42;
        private Boolean augment;
        private Preprocessing preprocessing;
        private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());

        private Builder(DataBundle bundle) {
            this.bundle = bundle;
        }

        public Builder inputShape(int channels, int height, int width) {
            this.inputShape = new int[] {channels, height, width};
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Stratified share of the training set held out for validation (0: none). */
        public Builder validationFraction(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
            }
            this.validationFraction = fraction;
            return this;
        }

        /** Stratified share of the (remaining) training set to train on, e.g. 0.01 .. 0.8. */
        public Builder trainFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("training fraction must be in (0, 1], got " + fraction);
            }
            this.trainFraction = fraction;
            return this;
        }

        /** Train on the first {@code n} examples after a seeded shuffle (0: all). */
        public Builder limitTrain(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("limit must be >= 0, got " + n);
            }
            this.limitTrain = n;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Training augmentation on (true) or off (false); null: the source's default (on). */
        public Builder augment(Boolean augment) {
            this.augment = augment;
            return this;
        }

        /** A fixed normalisation instead of the source's default. */
        public Builder preprocessing(Preprocessing preprocessing) {
            this.preprocessing = preprocessing;
            return this;
        }

        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        public TrainingData build() throws IOException {
            return new TrainingData(this);
        }
    }

    /** 3x32x32 for CIFAR-10, idx images padded up to 32x32, 3x224x224 for folders. */
    public static int[] defaultInputShape(DataBundle bundle) {
        int[] n = bundle.train() != null ? bundle.train().nativeShape() : null;
        if (n == null) {
            return new int[] {3, 224, 224};
        }
        return new int[] {n[0], Math.max(32, n[1]), Math.max(32, n[2])};
    }

    /**
     * An evaluation iterator over a labelled set, read as a saved model expects: its input shape,
     * its evaluation transform ({@link #evalFit(ModelInfo)}), its preprocessing and its label order
     * (classes matched by name).
     */
    public static ImageBatches forModel(ImageDataset data, ModelInfo info, int batchSize, SkippedFiles skipped)
            throws BadDataException {
        return forModel(data, null, info, batchSize, skipped);
    }

    /** As {@link #forModel(ImageDataset, ModelInfo, int, SkippedFiles)}, over the examples at {@code indices} (null: all). */
    public static ImageBatches forModel(ImageDataset data, int[] indices, ModelInfo info, int batchSize, SkippedFiles skipped)
            throws BadDataException {
        ImageDataset ordered = data.labels().isEmpty() ? data : ImageDatasets.withLabelOrder(data, info.labels());
        return evaluation(ordered, indices, evalFit(info), info.preprocessing(), batchSize, skipped);
    }

    /**
     * How a saved model's own evaluation read its images: its input shape, crop fraction and
     * padding as {@link #modelInfo} recorded them. Models saved before padding was recorded pad
     * when trained on CIFAR-10 or idx data (as they were); models without a recorded transform
     * (imported weights) use the centre crop of torchvision and timm (0.875).
     */
    public static Fit evalFit(ModelInfo info) {
        return evalFit(info, cropPct(info));
    }

    /** As {@link #evalFit(ModelInfo)} with another crop fraction (e.g. a --crop-pct given for prediction). */
    public static Fit evalFit(ModelInfo info, double cropPct) {
        int[] s = info.inputShape();
        Fit fit = Fit.eval(s[0], s[1], s[2], cropPct);
        return pads(info) ? fit.withPadding() : fit;
    }

    private static double cropPct(ModelInfo info) {
        String v = info.properties().get(EVAL_CROP_PCT);
        try {
            return v == null ? Fit.DEFAULT_CROP_PCT : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the model's " + EVAL_CROP_PCT + " is not a number: '" + v + "'");
        }
    }

    private static boolean pads(ModelInfo info) {
        String v = info.properties().get(EVAL_PAD);
        if (v != null) {
            return Boolean.parseBoolean(v);
        }
        String format = info.properties().get(FORMAT);
        return DataFormat.CIFAR10.toString().equals(format) || DataFormat.IDX.toString().equals(format);
    }

    private static ImageBatches evaluation(ImageDataset data, int[] indices, Fit fit, Preprocessing p, int batch,
                                           SkippedFiles skipped) {
        return ImageBatches.builder(data).indices(indices).batchSize(batch).fit(fit).preprocessing(p).shuffle(false)
                .skipped(skipped).build();
    }

    /** What to save with a model trained on this data. */
    public ModelInfo modelInfo(String architecture, Map<String, String> properties) {
        Map<String, String> props = new HashMap<>(properties);
        props.put(EVAL_CROP_PCT, Double.toString(evalFit.cropPct()));
        props.put(EVAL_PAD, Boolean.toString(evalFit.pad()));
        props.put(FORMAT, bundle.format().toString());
        return new ModelInfo(architecture, inputShape, bundle.labels(), preprocessing, props);
    }

    public ImageBatches train() {
        return train;
    }

    /**
     * Up to {@code max} training examples (a seeded sample) read as for evaluation, without
     * augmentation: for measuring training accuracy after each epoch.
     */
    public ImageBatches trainSample(int max) {
        if (trainSample == null) {
            trainSample = evaluation(bundle.train(), Splits.limit(trainIndices, max, seed), evalFit, preprocessing, batchSize,
                    skipped);
        }
        return trainSample;
    }

    /** The examples of the validation split (null without one), e.g. for sample pictures. */
    public int[] validationIndices() {
        return validationIndices == null ? null : validationIndices.clone();
    }

    /** How evaluation reads images (size, crop). */
    public Fit evalFit() {
        return evalFit;
    }

    /** Null without a validation fraction. */
    public ImageBatches validation() {
        return validation;
    }

    /** Null when the source has no test set. */
    public ImageBatches test() {
        return test;
    }

    public List<String> labels() {
        return bundle.labels();
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public DataBundle bundle() {
        return bundle;
    }

    /** Every example skipped so far, by any of the iterators. */
    public SkippedFiles skipped() {
        return skipped;
    }

    @Override
    public void close() {
        train.close();
        if (validation != null) {
            validation.close();
        }
        if (test != null) {
            test.close();
        }
        if (trainSample != null) {
            trainSample.close();
        }
    }
}
