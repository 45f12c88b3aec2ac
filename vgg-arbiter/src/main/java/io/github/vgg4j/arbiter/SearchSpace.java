package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.transfer.PretrainedModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link Search} varies: {@link #vgg} trains a network from scratch per candidate, built from
 * a configured {@code VGGBuilder} with the candidate's values; {@link #fineTune} trains a new head
 * on a pretrained VGG per candidate, on features of the frozen layers computed once (so a
 * candidate costs the head's training only).
 *
 * <pre>{@code
 * SearchSpace scratch = SearchSpace.vgg(VGGBuilder.vgg11().batchNorm(true).head(Head.cifar()).widthMultiplier(0.25))
 *         .learningRate(Range.logUniform(1e-4, 1e-1))
 *         .momentum(Range.uniform(0.5, 0.99));
 * SearchSpace head = SearchSpace.fineTune(Pretrained.open("zoo:vgg16"))
 *         .learningRate(Range.logUniform(1e-4, 1e-1))
 *         .momentum(Range.uniform(0.5, 0.99));
 * }</pre>
 */
public abstract sealed class SearchSpace permits VggSearchSpace, FineTuneSearchSpace {
    private final LinkedHashMap<String, Range<?>> ranges = new LinkedHashMap<>();

    SearchSpace() {
    }

    /** A search over {@code template}'s options; its input shape and classes are set from the data. */
    public static VggSearchSpace vgg(VGGBuilder template) {
        return new VggSearchSpace(template);
    }

    /** A search over the training of a new head on {@code base} (frozen through block5_pool unless set). */
    public static FineTuneSearchSpace fineTune(PretrainedModel base) {
        return new FineTuneSearchSpace(base);
    }

    /** The ranges set so far, by hyperparameter name, in the order they were set. */
    public Map<String, Range<?>> ranges() {
        return Collections.unmodifiableMap(ranges);
    }

    void put(String name, Range<?> range) {
        if (range == null) {
            throw new IllegalArgumentException(name + ": a range is needed, got null");
        }
        ranges.put(name, range);
    }

    /** Checks each value the range can reach with {@code check}, naming the range in the error. */
    static <T> void checkExtremes(String name, Range<T> range, java.util.function.Consumer<T> check) {
        if (range == null) {
            throw new IllegalArgumentException(name + ": a range is needed, got null");
        }
        for (T v : range.extremes()) {
            try {
                check.accept(v);
            } catch (IllegalArgumentException | ClassCastException e) {
                throw new IllegalArgumentException(name + " " + range + ": " + e.getMessage(), e);
            }
        }
    }

    /** Prepares the data (and for fine-tuning the features) once; candidates then become networks to train. */
    abstract Trials trials(TrainingData.Builder data, long seed, Path featureCache) throws IOException;
}
