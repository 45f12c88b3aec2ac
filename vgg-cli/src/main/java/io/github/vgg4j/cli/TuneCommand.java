package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.arbiter.CandidateResult;
import io.github.vgg4j.arbiter.Objective;
import io.github.vgg4j.arbiter.Search;
import io.github.vgg4j.arbiter.SearchResult;
import io.github.vgg4j.arbiter.SearchSpace;
import io.github.vgg4j.arbiter.VggSearchSpace;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.train.DivergenceGuard;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "tune", sortOptions = false, mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Search learning rate and momentum (and weight decay, dropout, batch size) for a VGG on a dataset "
                + "(Arbiter's random or grid search underneath). Each candidate trains from scratch for --epochs epochs with "
                + "a constant learning rate and is scored on the validation split. After every candidate, DIR/results.csv, "
                + "DIR/results.json and (for a new best) DIR/best-model.zip are written; running the same command again "
                + "continues the search without retraining finished candidates.", ""},
        footer = {"", "Examples:",
                "  vgg tune --data /usr/share/datasets/fashion-mnist --config A --batch-norm --width 0.25 \\",
                "      --limit-train 2000 --val-fraction 0.02 --lr 1e-4:1e-1 --momentum 0.5:0.99 \\",
                "      --candidates 8 --epochs 3 --out tune-fashion",
                "  vgg tune --data cifar-10-binary.tar.gz --config D --batch-norm --lr 1e-3:1e-1 --momentum 0.9 \\",
                "      --search grid --grid-points 5 --max-time 2h --out tune-cifar"})
final class TuneCommand implements Callable<Integer> {
    private static final int DEFAULT_BATCH = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    ArchitectureOptions architecture;

    @Option(names = "--lr", paramLabel = "MIN:MAX", required = true,
            description = "Learning rates: MIN:MAX (log-uniform), a list A,B,C, or one value.")
    String lr;

    @Option(names = "--momentum", paramLabel = "MIN:MAX", required = true,
            description = "Nesterov momentum: MIN:MAX (uniform, below 1), a list, or one value.")
    String momentum;

    @Option(names = "--weight-decay", paramLabel = "MIN:MAX",
            description = "L2 weight decay: MIN:MAX (log-uniform), a list, or one value. Default: the builder's 5e-4.")
    String weightDecay;

    @Option(names = "--dropout", paramLabel = "MIN:MAX",
            description = "Dropout of the hidden FC layers: MIN:MAX (uniform), a list, or one value. Default: the builder's 0.5.")
    String dropout;

    @Option(names = "--batch", paramLabel = "B[,B...]",
            description = "Batch size, or a list to search. Default: 64.")
    String batch;

    @Option(names = "--candidates", paramLabel = "N",
            description = "Candidates in all (finished ones of an earlier run count). Default: 10 (random), the whole grid (grid); "
                    + "no limit with --max-time alone.")
    Integer candidates;

    @Option(names = "--max-time", paramLabel = "DURATION",
            description = "Start no candidate after this long (e.g. 90s, 30m, 2h, 1h30m); the running one finishes.")
    String maxTime;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "Epochs per candidate. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--search", paramLabel = "random|grid", defaultValue = "random",
            description = "Random search (reproducible from --seed) or a grid. Default: ${DEFAULT-VALUE}.")
    String search;

    @Option(names = "--grid-points", paramLabel = "N", defaultValue = "4",
            description = "Grid: values per MIN:MAX interval (log-spaced for --lr). Default: ${DEFAULT-VALUE}.")
    int gridPoints;

    @Option(names = "--objective", paramLabel = "accuracy|loss", defaultValue = "accuracy",
            description = "Validation accuracy (higher is better) or loss (lower). Default: ${DEFAULT-VALUE}.")
    String objective;

    @Option(names = "--pruning", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Median stopping rule: stop a candidate whose score after an epoch is below the median of the completed "
                    + "candidates after that epoch. Default: on.")
    boolean pruning;

    @Option(names = "--pruning-after", paramLabel = "N", defaultValue = "3",
            description = "Completed candidates the median rule waits for. Default: ${DEFAULT-VALUE}.")
    int pruningAfter;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop a candidate whose score has not improved for N epochs (0: never). Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--augment", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Training augmentation (crop, flip; scale jittering for folders). Default: on.")
    boolean augment;

    @Option(names = "--limit-train", paramLabel = "N", defaultValue = "0",
            description = "Train on the first N training examples after a seeded shuffle.")
    int limitTrain;

    @Option(names = "--train-fraction", paramLabel = "F", defaultValue = "1",
            description = "Train on a stratified fraction of the training set (e.g. 0.1).")
    double trainFraction;

    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0.1",
            description = "Stratified validation split that scores the candidates. Default: ${DEFAULT-VALUE}.")
    double valFraction;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seeds the candidates drawn, every candidate's initial weights and data order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--divergence-guard", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Fail a candidate at a NaN loss, or when its loss has not fallen after --guard-batches batches. Default: on.")
    boolean guard;

    @Option(names = "--guard-batches", paramLabel = "N", defaultValue = "300",
            description = "Batches after which the loss must have fallen by 1%%. Default: ${DEFAULT-VALUE}.")
    int guardBatches;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "vgg-tune",
            description = "Results folder: results.csv, results.json, best-model.zip, score-vs-lr.png. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object (candidates, best, stoppedBy, files) on stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        search(architecture.builder(new InputShape(3, 224, 224), null, null)); // every option checked before the data is read
        Outputs.requireWritableFolder(out, "--out");
        DataBundle bundle = dataOptions.open();
        int[] input = architecture.input != null ? architecture.input.toArray() : TrainingData.defaultInputShape(bundle);
        InputShape shape = new InputShape(input[0], input[1], input[2]);
        TrainingData.Builder data = data(bundle, input);
        // the network's input and classes follow the data, as in vgg train
        Search s = search(architecture.builder(shape, bundle.labels().size(), null));
        err.printf(Locale.ROOT, "vgg tune: %s, %s; input %s; results in %s%n", bundle.format(), bundle.source(), shape, out);
        SearchProgress progress = new SearchProgress(err, epochs);
        SearchResult result;
        try {
            result = s.listener(progress).run(data);
        } finally {
            progress.close();
        }
        Optional<Path> plot = TuneReport.scoreVsLearningRate(result, out.resolve("score-vs-lr.png"));
        report(result, plot.orElse(null), err);
        return 0;
    }

    /** Everything the options say about the search, on {@code template}. */
    private Search search(VGGBuilder template) {
        VggSearchSpace space = SearchSpace.vgg(template);
        ArchitectureOptions.option("--lr", () -> space.learningRate(RangeSpec.doubles("--lr", lr, true)));
        ArchitectureOptions.option("--momentum", () -> space.momentum(RangeSpec.doubles("--momentum", momentum, false)));
        if (weightDecay != null) {
            ArchitectureOptions.option("--weight-decay", () -> space.weightDecay(RangeSpec.doubles("--weight-decay", weightDecay, true)));
        }
        if (dropout != null) {
            ArchitectureOptions.option("--dropout", () -> space.dropout(RangeSpec.doubles("--dropout", dropout, false)));
        }
        if (batch != null) {
            ArchitectureOptions.option("--batch", () -> space.batchSize(RangeSpec.integers("--batch", batch)));
        }
        Search s = switch (search.trim().toLowerCase(Locale.ROOT)) {
            case "random" -> Search.random(space);
            case "grid" -> {
                Search[] g = new Search[1];
                ArchitectureOptions.option("--grid-points", () -> g[0] = Search.grid(space, gridPoints));
                yield g[0];
            }
            default -> throw new IllegalArgumentException("--search: unknown search '" + search + "': expected random or grid");
        };
        if (candidates != null) {
            ArchitectureOptions.option("--candidates", () -> s.candidates(candidates));
        }
        if (maxTime != null) {
            s.maxTime(DurationSpec.parse("--max-time", maxTime));
        }
        ArchitectureOptions.option("--epochs", () -> s.epochs(epochs));
        ArchitectureOptions.option("--objective", () -> s.objective(Objective.parse(objective)));
        ArchitectureOptions.option("--patience", () -> s.earlyStopping(patience));
        if (pruning) {
            ArchitectureOptions.option("--pruning-after", () -> s.medianStopping(pruningAfter, 1));
        } else {
            s.medianStopping(false);
        }
        DivergenceGuard[] g = new DivergenceGuard[1];
        ArchitectureOptions.option("--guard-batches", () -> g[0] = guard ? DivergenceGuard.standard().afterIterations(guardBatches)
                : DivergenceGuard.off());
        return s.divergenceGuard(g[0]).seed(seed).output(out);
    }

    private TrainingData.Builder data(DataBundle bundle, int[] input) {
        ArchitectureOptions.option("--val-fraction", () -> {
            if (!(valFraction > 0 && valFraction < 1)) {
                throw new IllegalArgumentException("a search needs a validation split to score candidates: expected a fraction "
                        + "in (0, 1), got " + valFraction);
            }
        });
        TrainingData.Builder tb = TrainingData.from(bundle).inputShape(input[0], input[1], input[2]).seed(seed).augment(augment)
                .batchSize(DEFAULT_BATCH); // unless --batch is searched, then the search sets it per candidate
        ArchitectureOptions.option("--val-fraction", () -> tb.validationFraction(valFraction));
        ArchitectureOptions.option("--train-fraction", () -> tb.trainFraction(trainFraction));
        ArchitectureOptions.option("--limit-train", () -> tb.limitTrain(limitTrain));
        return tb;
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
                o.printf(Locale.ROOT, "best: candidate %d, %s, %s %.4f (epoch %d) -> %s%n", b.index(), b.hyperparameters(),
                        r.objective(), b.score(), b.bestEpoch(), r.bestModel());
                r.worst().filter(w -> w.index() != b.index()).ifPresent(w -> o.printf(Locale.ROOT, "worst: candidate %d, %s, %s %.4f%n", w.index(), w.hyperparameters(),
                        r.objective(), w.score()));
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
