package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.datavec.TrainingData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

import static io.github.vgg4j.arbiter.Hyperparameters.*;

/**
 * A search over {@code VGGBuilder} options: each candidate is the template with the candidate's
 * values, trained from scratch. Options left unset keep the template's value; the input shape and
 * the number of classes always come from the data.
 *
 * <pre>{@code
 * VggSearchSpace space = SearchSpace.vgg(VGGBuilder.vgg11().batchNorm(true).head(Head.cifar()).widthMultiplier(0.25))
 *         .learningRate(Range.logUniform(1e-4, 1e-1))
 *         .momentum(Range.uniform(0.5, 0.99))
 *         .batchSize(Range.of(32, 64));
 * }</pre>
 */
public final class VggSearchSpace extends SearchSpace {
    /** How each hyperparameter reaches the builder (the batch size goes to the data instead). */
    private static final Map<String, BiConsumer<VGGBuilder, Object>> APPLY = Map.of(
            LEARNING_RATE, (b, v) -> b.learningRate((Double) v),
            MOMENTUM, (b, v) -> b.momentum((Double) v),
            WEIGHT_DECAY, (b, v) -> b.weightDecay((Double) v),
            DROPOUT, (b, v) -> b.dropout((Double) v),
            BATCH_NORM, (b, v) -> b.batchNorm((Boolean) v),
            WIDTH, (b, v) -> b.widthMultiplier((Double) v),
            BATCH_SIZE, (b, v) -> {
            });

    private final VGGBuilder template;

    VggSearchSpace(VGGBuilder template) {
        this.template = Objects.requireNonNull(template, "template").copy();
    }

    /** Initial learning rate of SGD with Nesterov momentum; log-uniform is the usual choice. */
    public VggSearchSpace learningRate(Range<Double> range) {
        return set(LEARNING_RATE, range);
    }

    /** Nesterov momentum, in [0, 1). */
    public VggSearchSpace momentum(Range<Double> range) {
        return set(MOMENTUM, range);
    }

    /** L2 penalty on the weights, >= 0. */
    public VggSearchSpace weightDecay(Range<Double> range) {
        return set(WEIGHT_DECAY, range);
    }

    /** Dropout after each hidden fully connected layer, in [0, 1). */
    public VggSearchSpace dropout(Range<Double> range) {
        return set(DROPOUT, range);
    }

    /** Training batch size, >= 1. */
    public VggSearchSpace batchSize(Range<Integer> range) {
        checkExtremes(BATCH_SIZE, range, v -> {
            if (v < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + v);
            }
        });
        put(BATCH_SIZE, range);
        return this;
    }

    /** Batch normalisation after every convolution, e.g. {@code Range.of(true, false)}. */
    public VggSearchSpace batchNorm(Range<Boolean> range) {
        return set(BATCH_NORM, range);
    }

    /** Width multiplier of channels and fully connected layers, > 0. */
    public VggSearchSpace widthMultiplier(Range<Double> range) {
        return set(WIDTH, range);
    }

    private VggSearchSpace set(String name, Range<?> range) {
        // the builder's own checks, on every value the range can reach: one definition of what is allowed
        checkExtremes(name, range, v -> APPLY.get(name).accept(template.copy(), v));
        put(name, range);
        return this;
    }

    /** The template with a candidate's values. */
    VGGBuilder builder(Hyperparameters hyperparameters) {
        VGGBuilder b = template.copy();
        hyperparameters.values().forEach((name, value) -> APPLY.get(name).accept(b, value));
        return b;
    }

    VGGBuilder template() {
        return template.copy();
    }

    @Override
    Trials trials(TrainingData.Builder data, long seed, Path featureCache) throws IOException {
        return new VggTrials(this, data, seed);
    }
}
