package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.arbiter.CandidateResult;
import io.github.vgg4j.arbiter.Objective;
import io.github.vgg4j.arbiter.Range;
import io.github.vgg4j.arbiter.Search;
import io.github.vgg4j.arbiter.SearchResult;
import io.github.vgg4j.arbiter.SearchSpace;
import io.github.vgg4j.arbiter.VggSearchSpace;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.cli.report.TuneReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "tune", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Search learning rate, momentum and more for a VGG on a dataset.", "",
                "Arbiter's random or grid search underneath. Each candidate trains from scratch for --epochs epochs with "
                        + "a constant learning rate and is scored on the validation split. After every candidate, "
                        + "DIR/results.csv, DIR/results.json and (for a new best) DIR/best-model.zip are written; running "
                        + "the same command again continues the search without retraining finished candidates.", ""},
        footer = {"", "Examples:",
                "  vgg tune --data /usr/share/datasets/fashion-mnist --config A \\",
                "      --batch-norm --width 0.25 --limit-train 2000 --val-fraction 0.02 \\",
                "      --lr 1e-4:1e-1 --momentum 0.5:0.99 --candidates 8 --epochs 3 \\",
                "      --out tune-fashion",
                "  vgg tune --data cifar-10-binary.tar.gz --config D --batch-norm \\",
                "      --lr 1e-3:1e-1 --momentum 0.9 --search grid --grid-points 5 \\",
                "      --max-time 2h --out tune-cifar"})
final class TuneCommand implements Callable<Integer> {
    private static final int DEFAULT_BATCH = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--lr", paramLabel = "MIN:MAX", required = true, converter = Converters.LearningRates.class,
            description = "Learning rates: MIN:MAX (log-uniform), a list A,B,C, or one value.")
    Range<Double> lr;

    @Option(names = "--momentum", paramLabel = "MIN:MAX", required = true, converter = Converters.Momenta.class,
            description = "Nesterov momentum: MIN:MAX (uniform, below 1), a list, or one value.")
    Range<Double> momentum;

    @Option(names = "--weight-decay", paramLabel = "MIN:MAX", converter = Converters.WeightDecays.class,
            description = "L2 weight decay: MIN:MAX (log-uniform), a list, or one value. Default: the builder's 5e-4.")
    Range<Double> weightDecay;

    @Option(names = "--dropout", paramLabel = "MIN:MAX", converter = Converters.Dropouts.class,
            description = "Dropout of the hidden FC layers: MIN:MAX (uniform), a list, or one value. Default: the builder's 0.5.")
    Range<Double> dropout;

    @Option(names = "--batch", paramLabel = "B[,B...]", converter = Converters.BatchSizes.class,
            description = "Batch size, or a list to search. Default: " + DEFAULT_BATCH + ".")
    Range<Integer> batch;

    @Option(names = "--candidates", paramLabel = "N", converter = Converters.Candidates.class,
            description = "Candidates in all (finished ones of an earlier run count). Default: 10 (random), the whole grid (grid); "
                    + "no limit with --max-time alone.")
    Integer candidates;

    @Option(names = "--max-time", paramLabel = "DURATION", converter = DurationSpec.class,
            description = "Start no candidate after this long (e.g. 90s, 30m, 2h, 1h30m); the running one finishes.")
    Duration maxTime;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", converter = Converters.Epochs.class,
            description = "Epochs per candidate. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--search", paramLabel = "random|grid", defaultValue = "random", converter = Converters.SearchKind.class,
            description = "Random search (reproducible from --seed) or a grid. Default: ${DEFAULT-VALUE}.")
    String search;

    @Option(names = "--grid-points", paramLabel = "N", defaultValue = "4", converter = Converters.GridPoints.class,
            description = "Grid: values per MIN:MAX interval (log-spaced for --lr). Default: ${DEFAULT-VALUE}.")
    int gridPoints;

    @Option(names = "--objective", paramLabel = "accuracy|loss", defaultValue = "accuracy", converter = Converters.ObjectiveName.class,
            description = "Validation accuracy (higher is better) or loss (lower). Default: ${DEFAULT-VALUE}.")
    Objective objective;

    @Option(names = "--pruning", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Median stopping rule: stop a candidate whose score after an epoch is below the median of the completed "
                    + "candidates after that epoch. Default: on.")
    boolean pruning;

    @Option(names = "--pruning-after", paramLabel = "N", defaultValue = "3", converter = Converters.PruningAfter.class,
            description = "Completed candidates the median rule waits for. Default: ${DEFAULT-VALUE}.")
    int pruningAfter;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0", converter = Converters.Patience.class,
            description = "Stop a candidate whose score has not improved for N epochs (0: never). Default: ${DEFAULT-VALUE}.")
    int patience;

    @Mixin
    AugmentationOptions augmentation;

    @Mixin
    LimitOptions limits;

    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0.1", converter = Converters.ValFraction.class,
            description = "Stratified validation split that scores the candidates. Default: ${DEFAULT-VALUE}.")
    double valFraction;

    @Mixin
    SeedOptions seed;

    @Mixin
    GuardOptions guard;

    @Mixin
    PrecisionOptions precision;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vgg-tune",
            description = "Results folder: results.csv, results.json, best-model.zip, score-vs-lr.png. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object (candidates, best, stoppedBy, files) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (valFraction == 0) {
            throw Usage.error(spec, "--val-fraction: a search needs a validation split to score candidates: expected a "
                    + "fraction in (0, 1), got " + valFraction);
        }
        search(architecture.builder(ArchitectureOptions.PAPER_INPUT, null, null)); // every option checked before the data is read
        Precision compute = precision.resolve(spec);
        Outputs.requireWritableFolder(out, "--out");
        DataBundle bundle = dataOptions.open();
        InputShape input = architecture.input(TrainingData.defaultInputShape(bundle));
        // the network's input and classes follow the data, as in vgg train
        Search s = search(architecture.builder(input, bundle.labels().size(), null).precision(compute));
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "vgg tune: %s, %s; input %s; results in %s%n", bundle.format(), bundle.source(), input, out);
        SearchProgress progress = SearchProgress.of(err, epochs);
        SearchResult result;
        try {
            result = s.listener(progress).run(data(bundle, input));
        } finally {
            progress.close();
        }
        Optional<Path> plot = TuneReport.scoreVsLearningRate(result, out.resolve("score-vs-lr.png"));
        report(result, plot.orElse(null), err);
        return 0;
    }

    /** Everything the options say about the search, on {@code template}. */
    private Search search(VGGBuilder template) {
        VggSearchSpace space = SearchSpace.vgg(template).learningRate(lr).momentum(momentum);
        if (weightDecay != null) {
            space.weightDecay(weightDecay);
        }
        if (dropout != null) {
            space.dropout(dropout);
        }
        if (batch != null) {
            space.batchSize(batch);
        }
        Search s = search.equalsIgnoreCase("grid") ? Search.grid(space, gridPoints) : Search.random(space);
        if (candidates != null) {
            s.candidates(candidates);
        }
        if (maxTime != null) {
            s.maxTime(maxTime);
        }
        if (pruning) {
            s.medianStopping(pruningAfter, 1);
        } else {
            s.medianStopping(false);
        }
        return s.epochs(epochs).objective(objective).earlyStopping(patience).divergenceGuard(guard.guard()).seed(seed.seed)
                .output(out);
    }

    private TrainingData.Builder data(DataBundle bundle, InputShape input) {
        TrainingData.Builder tb = TrainingData.from(bundle).inputShape(input.channels(), input.height(), input.width())
                .seed(seed.seed).augment(augmentation.on(true)).validationFraction(valFraction)
                .batchSize(DEFAULT_BATCH); // unless --batch is searched, then the search sets it per candidate
        return limits.applyTo(tb);
    }

    private void report(SearchResult r, Path plot, PrintWriter err) {
        Optional<CandidateResult> best = r.best();
        if (json) {
            ObjectNode root = Json.object();
            root.put("objective", r.objective().key());
            root.put("stoppedBy", r.stoppedBy().name().toLowerCase(Locale.ROOT));
            root.put("restored", r.restored());
            root.put("seconds", r.seconds());
            ArrayNode list = root.putArray("candidates");
            r.candidates().forEach(c -> list.add(candidate(c)));
            if (best.isPresent()) {
                root.set("best", candidate(best.get()));
            } else {
                root.putNull("best");
            }
            root.put("out", out.toString());
            root.put("results", r.resultsCsv().toString());
            root.put("resultsJson", r.resultsJson().toString());
            if (best.isPresent() && Files.exists(r.bestModel())) {
                root.put("bestModel", r.bestModel().toString());
            } else {
                root.putNull("bestModel");
            }
            if (plot != null) {
                root.put("plot", plot.toString());
            }
            spec.commandLine().getOut().println(Json.write(root));
        } else {
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "%d candidate(s) (%d finished before), stopped by %s, %.0f s%n", r.candidates().size(),
                    r.restored(), r.stoppedBy().name().toLowerCase(Locale.ROOT), r.seconds());
            for (CandidateResult.Status s : CandidateResult.Status.values()) {
                int n = r.withStatus(s).size();
                if (n > 0) {
                    o.printf(Locale.ROOT, "  %s: %d%n", s.key(), n);
                }
            }
            if (best.isPresent()) {
                CandidateResult b = best.get();
                o.printf(Locale.ROOT, "best: candidate %d (index %d in results.csv), %s, %s %.4f (epoch %d) -> %s%n",
                        TuneReport.number(b.index()), b.index(), b.hyperparameters(), r.objective(), b.score(), b.bestEpoch(),
                        r.bestModel());
                r.worst().filter(w -> w.index() != b.index()).ifPresent(w -> o.printf(Locale.ROOT,
                        "worst: candidate %d (index %d), %s, %s %.4f%n", TuneReport.number(w.index()), w.index(),
                        w.hyperparameters(), r.objective(), w.score()));
            } else {
                o.println("no candidate completed: no best model (reasons in " + r.resultsCsv() + ")");
            }
            o.printf("table: %s%n", r.resultsCsv());
            if (plot != null) {
                o.printf("plot: %s%n", plot);
            }
        }
        spec.commandLine().getOut().flush();
        err.flush();
    }

    private static ObjectNode candidate(CandidateResult c) {
        ObjectNode n = Json.object();
        n.put("index", c.index());
        c.hyperparameters().putInto(n);
        Json.put(n, "score", c.score());
        n.put("status", c.status().key());
        n.put("seconds", c.seconds());
        n.put("epochs", c.epochs().size());
        n.put("bestEpoch", c.bestEpoch());
        n.put("reason", c.reason());
        return n;
    }
}
