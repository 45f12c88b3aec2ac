package io.github.vgg4j.arbiter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vgg4j.core.train.DivergenceGuard;
import io.github.vgg4j.datavec.TrainingData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A hyperparameter search: which candidates (random or grid, Arbiter underneath), how each is
 * trained and scored, when the search ends, and where its results go. Candidates run one at a
 * time; after each one {@code results.json} and {@code results.csv} are rewritten (atomically) in
 * the output folder, and {@code best-model.zip} when it is the best so far. Running the same search
 * on the same folder again continues it: finished candidates are read back, never trained again.
 *
 * <pre>{@code
 * SearchResult result = Search.random(SearchSpace.vgg(VGGBuilder.vgg11().batchNorm(true).head(Head.cifar())
 *                 .widthMultiplier(0.25))
 *                 .learningRate(Range.logUniform(1e-4, 1e-1))
 *                 .momentum(Range.uniform(0.5, 0.99)))
 *         .candidates(8)
 *         .epochs(3)
 *         .output(Path.of("tune-lr"))
 *         .run(TrainingData.from(DataSources.open(fashionMnist, null)).validationFraction(0.05).limitTrain(3000));
 * System.out.println(result.best().orElseThrow().hyperparameters());   // e.g. lr=0.01777 momentum=0.6894
 * }</pre>
 *
 * <p>Defaults: 3 epochs per candidate, score = validation accuracy, the same seed (42) for every
 * candidate's weights and data order, the median stopping rule on (after 3 completed candidates,
 * from epoch 1), no early stopping, the standard divergence guard (a NaN loss fails a candidate),
 * 10 candidates for a random search unless a time budget is given, the whole grid for a grid search.
 */
public final class Search {
    private final SearchSpace space;
    private final int gridPoints;
    private Integer candidates;
    private Duration maxTime;
    private int epochs = 3;
    private Objective objective = Objective.VALIDATION_ACCURACY;
    private int patience;
    private MedianStopping pruning = MedianStopping.standard();
    private long seed = 42;
    private DivergenceGuard guard = DivergenceGuard.standard();
    private Path output;
    private Path featureCache;
    private SearchListener listener = SearchListener.NONE;

    private Search(SearchSpace space, int gridPoints) {
        this.space = Objects.requireNonNull(space, "space");
        this.gridPoints = gridPoints;
    }

    /** Candidates drawn at random from the ranges (log-uniform ranges in log space), reproducibly from the seed. */
    public static Search random(SearchSpace space) {
        return new Search(space, 0);
    }

    /**
     * Every combination of {@code points} values per interval (evenly spaced from min to max, in
     * log space for log-uniform ranges) and every value of each list, in order.
     */
    public static Search grid(SearchSpace space, int points) {
        if (points < 2) {
            throw new IllegalArgumentException("a grid needs at least 2 points per interval (min and max), got " + points);
        }
        return new Search(space, points);
    }

    /** At most this many candidates in all (those a previous run finished count). Grid: at most the grid's size. */
    public Search candidates(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("candidates must be >= 1, got " + n);
        }
        this.candidates = n;
        return this;
    }

    /** No new candidate starts after this time (from this run's start); the running one finishes. */
    public Search maxTime(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the time budget must be positive, got " + d);
        }
        this.maxTime = d;
        return this;
    }

    /** Epochs per candidate (fewer when it stops early or is pruned). Default 3. */
    public Search epochs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + n);
        }
        this.epochs = n;
        return this;
    }

    public Search objective(Objective o) {
        this.objective = Objects.requireNonNull(o, "objective");
        return this;
    }

    /** Stop a candidate when its score has not improved for {@code patience} epochs (0, the default: never). */
    public Search earlyStopping(int patience) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0 epochs (0: no early stopping), got " + patience);
        }
        this.patience = patience;
        return this;
    }

    /** The median stopping rule on (after 3 completed candidates, from epoch 1) or off. Default on. */
    public Search medianStopping(boolean on) {
        this.pruning = on ? MedianStopping.standard() : null;
        return this;
    }

    /**
     * The median stopping rule once {@code minCompleted} candidates have run to their end, from epoch
     * {@code minEpochs} on (1: after the first epoch).
     */
    public Search medianStopping(int minCompleted, int minEpochs) {
        this.pruning = new MedianStopping(minCompleted, minEpochs);
        return this;
    }

    /** Seeds the candidates drawn and every candidate's initial weights and data order. Default 42. */
    public Search seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** How a candidate that diverges (NaN loss) or stalls is detected; it is then recorded as failed. */
    public Search divergenceGuard(DivergenceGuard g) {
        this.guard = Objects.requireNonNull(g, "guard");
        return this;
    }

    /** Where results.csv, results.json and best-model.zip are written (and read back to resume). Required. */
    public Search output(Path directory) {
        this.output = Objects.requireNonNull(directory, "output");
        return this;
    }

    /** Fine-tuning searches: where the frozen layers' features are cached. Default {@code <dataset cache>/features}. */
    public Search featureCache(Path directory) {
        this.featureCache = directory;
        return this;
    }

    public Search listener(SearchListener l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return this;
    }

    /**
     * Runs the search on {@code data}, which needs a validation split (candidates are scored on it).
     * The search sets the data's batch size when it varies it, and for fine-tuning the input size and
     * preprocessing of the pretrained weights, without augmentation.
     *
     * @throws IllegalArgumentException for options that cannot work, or an output folder holding another search
     * @throws IOException when the data or the results cannot be read or written
     */
    public SearchResult run(TrainingData.Builder data) throws IOException {
        Objects.requireNonNull(data, "data");
        if (output == null) {
            throw new IllegalArgumentException("a search needs an output folder (output(Path)): results are written there after "
                    + "every candidate, and read back to resume");
        }
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new IOException("cannot create the output folder " + output + ": " + e.getMessage(), e);
        }
        maxCandidates(new ArbiterSpace(space.ranges())); // a grid too large fails before the data is read
        try (Trials trials = space.trials(data, seed, featureCache)) {
            return runOn(trials);
        }
    }

    /** Runs on prepared trials (tests give trials of their own). */
    SearchResult runOn(Trials trials) throws IOException {
        ArbiterSpace arbiterSpace = new ArbiterSpace(space.ranges());
        int max = maxCandidates(arbiterSpace);
        ResultsStore store = ResultsStore.open(output, describe(trials.describe()), objective);
        return new SearchRun(this, arbiterSpace, trials, store, max).execute();
    }

    private int maxCandidates(ArbiterSpace s) {
        if (!isGrid()) {
            return candidates != null ? candidates : maxTime != null ? Integer.MAX_VALUE : 10;
        }
        long size = s.gridSize(gridPoints);
        if (size > 1_000_000) {
            throw new IllegalArgumentException("the grid has " + size + " points: use fewer points per interval or a random search");
        }
        // Arbiter's runner waits forever once a grid is exhausted: never ask it for more candidates than the grid has
        return (int) Math.min(size, candidates != null ? candidates : size);
    }

    /** What results.json records of this search; a resume must match it exactly. */
    private ObjectNode describe(Map<String, String> trials) {
        ObjectNode d = new ObjectMapper().createObjectNode();
        d.put("kind", space instanceof VggSearchSpace ? "vgg" : "fineTune");
        d.put("generator", isGrid() ? "grid" : "random");
        if (isGrid()) {
            d.put("gridPoints", gridPoints);
        }
        d.put("seed", seed);
        d.put("epochs", epochs);
        d.put("objective", objective.key());
        ObjectNode ranges = d.putObject("space");
        space.ranges().forEach((name, range) -> {
            ObjectNode r = ranges.putObject(name);
            if (range instanceof Range.LogUniform l) {
                r.put("type", "logUniform").put("min", l.min()).put("max", l.max());
            } else if (range instanceof Range.Uniform u) {
                r.put("type", "uniform").put("min", u.min()).put("max", u.max());
            } else {
                ArrayNode values = r.put("type", "values").putArray("values");
                for (Object v : range.extremes()) {
                    values.add(String.valueOf(v));
                }
            }
        });
        trials.forEach(d::put);
        return d;
    }

    static void requireValidation(TrainingData data) {
        if (data.validation() == null || data.validation().numExamples() == 0) {
            throw new IllegalArgumentException("a search scores candidates on validation data, and the data has no validation "
                    + "split: set one, e.g. TrainingData.from(bundle).validationFraction(0.1) (--val-fraction 0.1)");
        }
    }

    boolean isGrid() {
        return gridPoints > 0;
    }

    int gridPoints() {
        return gridPoints;
    }

    Duration maxTime() {
        return maxTime;
    }

    int epochs() {
        return epochs;
    }

    Objective objective() {
        return objective;
    }

    int patience() {
        return patience;
    }

    MedianStopping pruning() {
        return pruning;
    }

    long seed() {
        return seed;
    }

    DivergenceGuard guard() {
        return guard;
    }

    Path output() {
        return output;
    }

    SearchListener listener() {
        return listener;
    }
}
