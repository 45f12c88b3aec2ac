package io.github.vgg4j.arbiter;

import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.transfer.FineTune;
import io.github.vgg4j.transfer.PretrainedModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

import static io.github.vgg4j.arbiter.Hyperparameters.*;

/**
 * A search over the training of a new head on a pretrained VGG: the frozen layers' features of the
 * training and validation images are computed once (and cached on disk, as {@code FineTuner} does),
 * then each candidate trains only the head on them, at a fraction of the cost of running the
 * frozen layers every epoch.
 *
 * <pre>{@code
 * FineTuneSearchSpace space = SearchSpace.fineTune(Pretrained.open("zoo:vgg16"))
 *         .freezeThrough("block5_pool")
 *         .learningRate(Range.logUniform(1e-4, 1e-1))
 *         .momentum(Range.uniform(0.5, 0.99));
 * }</pre>
 */
public final class FineTuneSearchSpace extends SearchSpace {
    private static final Map<String, BiConsumer<FineTune, Object>> APPLY = Map.of(
            LEARNING_RATE, (f, v) -> f.learningRate((Double) v),
            MOMENTUM, (f, v) -> f.momentum((Double) v),
            WEIGHT_DECAY, (f, v) -> f.weightDecay((Double) v),
            DROPOUT, (f, v) -> f.dropout((Double) v),
            BATCH_SIZE, (f, v) -> {
            });

    private final PretrainedModel base;
    private String freezeThrough;
    private int[] hiddenLayers;

    FineTuneSearchSpace(PretrainedModel base) {
        this.base = Objects.requireNonNull(base, "base");
    }

    /** Layers up to and including this one are frozen (and featurized once). Default {@code block5_pool}. */
    public FineTuneSearchSpace freezeThrough(String layer) {
        FineTune.of(base).freezeThrough(layer); // fails early, naming the layers there are
        this.freezeThrough = layer;
        return this;
    }

    /** New hidden fully connected layers before the new {@code predictions} (default: none). */
    public FineTuneSearchSpace hiddenLayers(int... widths) {
        FineTune.of(base).hiddenLayers(widths);
        this.hiddenLayers = widths.clone();
        return this;
    }

    /** The head's learning rate (SGD with Nesterov momentum). */
    public FineTuneSearchSpace learningRate(Range<Double> range) {
        return set(LEARNING_RATE, range);
    }

    /** The head's Nesterov momentum, in [0, 1). */
    public FineTuneSearchSpace momentum(Range<Double> range) {
        return set(MOMENTUM, range);
    }

    /** L2 penalty on the head's weights, >= 0. */
    public FineTuneSearchSpace weightDecay(Range<Double> range) {
        return set(WEIGHT_DECAY, range);
    }

    /** Dropout after each new hidden layer, in [0, 1). */
    public FineTuneSearchSpace dropout(Range<Double> range) {
        return set(DROPOUT, range);
    }

    /** Batch size of the head's training, >= 1 (features are cached once whatever the batch). */
    public FineTuneSearchSpace batchSize(Range<Integer> range) {
        checkExtremes(BATCH_SIZE, range, v -> {
            if (v < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + v);
            }
        });
        put(BATCH_SIZE, range);
        return this;
    }

    private FineTuneSearchSpace set(String name, Range<?> range) {
        checkExtremes(name, range, v -> APPLY.get(name).accept(FineTune.of(base), v));
        put(name, range);
        return this;
    }

    PretrainedModel base() {
        return base;
    }

    String freezeThrough() {
        return freezeThrough;
    }

    int[] hiddenLayers() {
        return hiddenLayers == null ? null : hiddenLayers.clone();
    }

    /** The fine-tuning of a candidate (null: the template's defaults, for featurizing). */
    FineTune fineTune(Hyperparameters hyperparameters, long seed) {
        FineTune f = FineTune.of(base).seed(seed);
        if (freezeThrough != null) {
            f.freezeThrough(freezeThrough);
        }
        if (hiddenLayers != null) {
            f.hiddenLayers(hiddenLayers);
        }
        if (hyperparameters != null) {
            hyperparameters.values().forEach((name, value) -> APPLY.get(name).accept(f, value));
        }
        return f;
    }

    @Override
    Trials trials(TrainingData.Builder data, long seed, Path featureCache) throws IOException {
        return new HeadTrials(this, data, seed, featureCache);
    }
}
