package io.github.vgg4j.cli;

import io.github.vgg4j.arbiter.Objective;
import io.github.vgg4j.arbiter.Range;
import io.github.vgg4j.arbiter.Search;
import io.github.vgg4j.arbiter.SearchSpace;
import io.github.vgg4j.arbiter.VggSearchSpace;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.InitScheme;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.train.DivergenceGuard;
import io.github.vgg4j.core.train.LearningRateSchedule;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.datavec.DataFormat;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.KaggleSubmission;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.spark.SparkTraining;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Option values, parsed by the library's own parsers and shown to its own setters while the
 * command line is parsed: a value the library refuses is a usage error before any data is read,
 * and picocli's message names the option once ("Invalid value for option '--lr': learningRate must
 * be a finite number > 0, got -1.0"). The library stays the one place that knows what is allowed.
 */
final class Converters {

    private Converters() {
    }

    /** Whole numbers and decimals everywhere: messages that say what was expected (picocli's quote a Java exception). */
    static void register(CommandLine cl) {
        cl.registerConverter(Integer.class, Converters::whole).registerConverter(int.class, Converters::whole)
                .registerConverter(Long.class, Converters::wholeLong).registerConverter(long.class, Converters::wholeLong)
                .registerConverter(Double.class, Converters::number).registerConverter(double.class, Converters::number);
    }

    static int whole(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
    }

    static long wholeLong(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
    }

    static double number(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a number");
        }
    }

    /** A value parsed, then checked by the library call that will receive it. */
    abstract static class Checked<T> implements ITypeConverter<T> {
        private final Function<String, T> parse;
        private final Consumer<T> check;

        Checked(Function<String, T> parse, Consumer<T> check) {
            this.parse = parse;
            this.check = check;
        }

        @Override
        public final T convert(String text) {
            T value;
            try {
                value = parse.apply(text);
                check.accept(value);
            } catch (TypeConversionException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return value;
        }
    }

    /** A value the library parses itself (a name); the option keeps the text. */
    abstract static class Named extends Checked<String> {
        Named(Consumer<String> parse) {
            super(String::trim, parse);
        }
    }

    // ---- the network (VGGBuilder) ------------------------------------------------------------------

    static final class Configuration extends Named {
        Configuration() {
            super(VggConfiguration::parse);
        }
    }

    static final class HeadName extends Named {
        HeadName() {
            super(Head::parse);
        }
    }

    static final class Classes extends Checked<Integer> {
        Classes() {
            super(Converters::whole, v -> new VGGBuilder().numClasses(v));
        }
    }

    static final class Width extends Checked<Double> {
        Width() {
            super(Converters::number, v -> new VGGBuilder().widthMultiplier(v));
        }
    }

    static final class LearningRate extends Checked<Double> {
        LearningRate() {
            super(Converters::number, v -> new VGGBuilder().learningRate(v));
        }
    }

    static final class Momentum extends Checked<Double> {
        Momentum() {
            super(Converters::number, v -> new VGGBuilder().momentum(v));
        }
    }

    static final class WeightDecay extends Checked<Double> {
        WeightDecay() {
            super(Converters::number, v -> new VGGBuilder().weightDecay(v));
        }
    }

    static final class Dropout extends Checked<Double> {
        Dropout() {
            super(Converters::number, v -> new VGGBuilder().dropout(v));
        }
    }

    static final class Init implements ITypeConverter<InitScheme> {
        @Override
        public InitScheme convert(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "he" -> InitScheme.HE;
                case "paper" -> InitScheme.PAPER_NORMAL;
                case "xavier" -> InitScheme.XAVIER;
                default -> throw new TypeConversionException("expected he, paper or xavier, got '" + text + "'");
            };
        }
    }

    // ---- training (TrainingOptions, DivergenceGuard) ------------------------------------------------

    static final class Epochs extends Checked<Integer> {
        Epochs() {
            super(Converters::whole, TrainingOptions::epochs);
        }
    }

    static final class Schedule extends Checked<LearningRateSchedule> {
        Schedule() {
            super(LearningRateSchedule::parse, s -> { });
        }
    }

    static final class PrecisionName extends Checked<Precision> {
        PrecisionName() {
            super(Precision::parse, p -> { });
        }
    }

    static final class GuardBatches extends Checked<Integer> {
        GuardBatches() {
            super(Converters::whole, n -> DivergenceGuard.standard().afterIterations(n));
        }
    }

    static final class CheckpointMinutes extends Checked<Double> {
        CheckpointMinutes() {
            super(Converters::number, m -> TrainingOptions.epochs(1).withCheckpoints(null, m, null));
        }
    }

    /** At least 1: batch sizes, counts of things shown. */
    static final class AtLeastOne extends Checked<Integer> {
        AtLeastOne() {
            super(Converters::whole, v -> {
                if (v < 1) {
                    throw new IllegalArgumentException("must be >= 1, got " + v);
                }
            });
        }
    }

    /** A projection on two principal components needs three points. */
    static final class AtLeastThree extends Checked<Integer> {
        AtLeastThree() {
            super(Converters::whole, v -> {
                if (v < 3) {
                    throw new IllegalArgumentException("a projection needs at least 3 examples, got " + v);
                }
            });
        }
    }

    static final class AtLeastZero extends Checked<Integer> {
        AtLeastZero() {
            super(Converters::whole, v -> {
                if (v < 0) {
                    throw new IllegalArgumentException("must be >= 0, got " + v);
                }
            });
        }
    }

    static final class Port extends Checked<Integer> {
        Port() {
            super(Converters::whole, v -> {
                if (v < 1 || v > 65535) {
                    throw new IllegalArgumentException("expected a port 1-65535, got " + v);
                }
            });
        }
    }

    // ---- vgg train --spark (vgg-spark's SparkTraining) -------------------------------------------------

    static final class SparkMaster extends Named {
        SparkMaster() {
            super(SparkTraining::on);
        }
    }

    static final class SparkMode extends Checked<String> {
        SparkMode() {
            super(SparkTraining::mode, m -> { });
        }
    }

    static final class SparkWorkers extends Checked<Integer> {
        SparkWorkers() {
            super(Converters::whole, n -> SparkTraining.submitted().withWorkers(n));
        }
    }

    static final class SparkBatchPerWorker extends Checked<Integer> {
        SparkBatchPerWorker() {
            super(Converters::whole, b -> SparkTraining.submitted().withBatchPerWorker(b));
        }
    }

    static final class SparkAveraging extends Checked<Integer> {
        SparkAveraging() {
            super(Converters::whole, f -> SparkTraining.submitted().withAveragingFrequency(f));
        }
    }

    // ---- data (TrainingData, DataFormat, Fit, Preprocessing) ----------------------------------------

    static final class Format extends Checked<DataFormat> {
        Format() {
            super(DataFormat::parse, f -> { });
        }
    }

    static final class LimitTrain extends Checked<Integer> {
        LimitTrain() {
            super(Converters::whole, n -> TrainingData.from(null).limitTrain(n));
        }
    }

    static final class TrainFraction extends Checked<Double> {
        TrainFraction() {
            super(Converters::number, f -> TrainingData.from(null).trainFraction(f));
        }
    }

    static final class ValFraction extends Checked<Double> {
        ValFraction() {
            super(Converters::number, f -> TrainingData.from(null).validationFraction(f));
        }
    }

    static final class CropPct extends Checked<Double> {
        CropPct() {
            super(Converters::number, p -> Fit.eval(3, 224, 224, p));
        }
    }

    static final class Clip extends Checked<Double> {
        Clip() {
            super(Converters::number, c -> KaggleSubmission.checkClip(c));
        }
    }

    static final class PreprocessingName extends Checked<Preprocessing> {
        PreprocessingName() {
            super(Preprocessing::named, p -> { });
        }
    }

    // ---- searches (vgg-arbiter): ranges checked at both ends by the search space ------------------

    private static VggSearchSpace space() {
        return SearchSpace.vgg(new VGGBuilder());
    }

    private static Search search() {
        return Search.random(space());
    }

    static final class LearningRates extends Checked<Range<Double>> {
        LearningRates() {
            super(t -> RangeSpec.doubles(t, true), r -> space().learningRate(r));
        }
    }

    static final class Momenta extends Checked<Range<Double>> {
        Momenta() {
            super(t -> RangeSpec.doubles(t, false), r -> space().momentum(r));
        }
    }

    static final class WeightDecays extends Checked<Range<Double>> {
        WeightDecays() {
            super(t -> RangeSpec.doubles(t, true), r -> space().weightDecay(r));
        }
    }

    static final class Dropouts extends Checked<Range<Double>> {
        Dropouts() {
            super(t -> RangeSpec.doubles(t, false), r -> space().dropout(r));
        }
    }

    static final class BatchSizes extends Checked<Range<Integer>> {
        BatchSizes() {
            super(RangeSpec::integers, r -> space().batchSize(r));
        }
    }

    static final class Candidates extends Checked<Integer> {
        Candidates() {
            super(Converters::whole, n -> search().candidates(n));
        }
    }

    static final class GridPoints extends Checked<Integer> {
        GridPoints() {
            super(Converters::whole, n -> Search.grid(space(), n));
        }
    }

    static final class Patience extends Checked<Integer> {
        Patience() {
            super(Converters::whole, n -> search().earlyStopping(n));
        }
    }

    static final class PruningAfter extends Checked<Integer> {
        PruningAfter() {
            super(Converters::whole, n -> search().medianStopping(n, 1));
        }
    }

    static final class ObjectiveName extends Checked<Objective> {
        ObjectiveName() {
            super(Objective::parse, o -> { });
        }
    }

    static final class SearchKind extends Named {
        SearchKind() {
            super(t -> choice(t, List.of("random", "grid")));
        }
    }

    /** Names of a few fixed choices, case-insensitive, listed when another is given. */
    static String choice(String text, List<String> allowed) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(t)) {
            throw new TypeConversionException("expected " + String.join(", ", allowed.subList(0, allowed.size() - 1))
                    + " or " + allowed.get(allowed.size() - 1) + ", got '" + text + "'");
        }
        return t;
    }
}
