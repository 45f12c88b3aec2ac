package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.train.DivergenceGuard;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.LearningRateSchedule;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.api.CandidateGenerator;
import org.deeplearning4j.arbiter.optimize.api.OptimizationResult;
import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.data.DataProvider;
import org.deeplearning4j.arbiter.optimize.api.data.DataSource;
import org.deeplearning4j.arbiter.optimize.api.score.ScoreFunction;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxCandidatesCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.MaxTimeCondition;
import org.deeplearning4j.arbiter.optimize.api.termination.TerminationCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.deeplearning4j.arbiter.optimize.runner.CandidateInfo;
import org.deeplearning4j.arbiter.optimize.runner.CandidateStatus;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.listener.StatusListener;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One execution of a {@link Search}: Arbiter's runner draws the candidates and applies the
 * termination conditions; this class is its task creator, which trains each candidate with
 * vgg-core's {@link Trainer} (early stopping and the median rule act after each epoch), records it,
 * and writes the best model. A candidate that a previous run recorded is returned as recorded.
 */
@SuppressWarnings({"deprecation", "rawtypes"}) // Arbiter's TaskCreator: a deprecated overload, raw Candidate types
final class SearchRun implements TaskCreator {
    private static final Logger log = LoggerFactory.getLogger(SearchRun.class);
    /** Constant learning rate within a candidate: the candidate's rate is what is being compared. */
    private static final LearningRateSchedule CONSTANT = new LearningRateSchedule.Steps(1.0, List.of());

    private final Search search;
    private final ArbiterSpace space;
    private final Trials trials;
    private final ResultsStore store;
    private final int maxCandidates;
    private final Abort abort = new Abort();
    private final ScoreFunction score;

    SearchRun(Search search, ArbiterSpace space, Trials trials, ResultsStore store, int maxCandidates) {
        this.search = search;
        this.space = space;
        this.trials = trials;
        this.store = store;
        this.maxCandidates = maxCandidates;
        this.score = new ObjectiveScore(search.objective());
    }

    SearchResult execute() throws IOException {
        long t0 = System.nanoTime();
        int restored = (int) store.all().stream().filter(c -> c.index() < maxCandidates).count();
        search.listener().searchStarted(maxCandidates, restored);
        CandidateGenerator generator = search.isGrid()
                ? new GridSearchCandidateGenerator(space, search.gridPoints(), GridSearchCandidateGenerator.Mode.Sequential, null)
                : new RandomSearchGenerator(space, null);
        List<TerminationCondition> conditions = new ArrayList<>(List.of(new MaxCandidatesCondition(maxCandidates), abort));
        if (search.maxTime() != null) {
            conditions.add(new MaxTimeCondition(search.maxTime().toMillis(), TimeUnit.MILLISECONDS));
        }
        OptimizationConfiguration configuration = new OptimizationConfiguration.Builder().candidateGenerator(generator)
                .scoreFunction(score).terminationConditions(conditions).rngSeed(search.seed()).build();
        new LocalOptimizationRunner(1, configuration, this).execute();

        if (abort.error != null) {
            Throwable e = abort.error instanceof SearchFailure f ? f.getCause() : abort.error;
            if (e instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e);
        }
        long done = store.all().stream().filter(c -> c.index() < maxCandidates).count();
        SearchResult.StopReason reason = done < maxCandidates ? SearchResult.StopReason.TIME
                : search.isGrid() && maxCandidates == space.gridSize(search.gridPoints()) ? SearchResult.StopReason.GRID
                : SearchResult.StopReason.CANDIDATES;
        return new SearchResult(store.all(), search.objective(), restored, reason, search.output(),
                (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, DataProvider dataProvider, ScoreFunction scoreFunction,
                                               List<StatusListener> statusListeners, IOptimizationRunner runner) {
        return () -> run(candidate);
    }

    @Override
    public Callable<OptimizationResult> create(Candidate candidate, Class<? extends DataSource> dataSource,
                                               Properties dataSourceProperties, ScoreFunction scoreFunction,
                                               List<StatusListener> statusListeners, IOptimizationRunner runner) {
        return () -> run(candidate);
    }

    private OptimizationResult run(Candidate<?> candidate) {
        long start = System.currentTimeMillis();
        int index = candidate.getIndex();
        CandidateResult result;
        try {
            Hyperparameters hp = (Hyperparameters) candidate.getValue();
            CandidateResult recorded = store.get(index);
            if (recorded != null) {
                if (!recorded.hyperparameters().equals(hp)) {
                    throw new IllegalStateException(search.output() + "/" + ResultsStore.JSON + " has candidate " + index + " with "
                            + recorded.hyperparameters() + ", but this search draws " + hp + " for it");
                }
                search.listener().candidateRestored(recorded);
                result = recorded;
            } else {
                search.listener().candidateStarted(index, hp);
                Trained t = train(index, hp);
                result = t.result;
                search.listener().candidateFinished(result, t.newBest);
            }
        } catch (Throwable e) {
            // not a candidate's failure (those are recorded): the search cannot go on
            abort.error = e;
            CandidateInfo info = new CandidateInfo(index, CandidateStatus.Failed, null, start, start, System.currentTimeMillis(),
                    candidate.getFlatParameters(), String.valueOf(e));
            return new OptimizationResult(candidate, null, index, null, info, null);
        }
        Double value = result.finishedNormally() ? score.score(result, (DataProvider) null, null) : null;
        CandidateInfo info = new CandidateInfo(index, result.status() == CandidateResult.Status.FAILED ? CandidateStatus.Failed
                : CandidateStatus.Complete, value, start, start, System.currentTimeMillis(), candidate.getFlatParameters(),
                result.reason());
        return new OptimizationResult(candidate, value, index, result, info, null);
    }

    private record Trained(CandidateResult result, boolean newBest) {
    }

    /** Trains one candidate and records it; its own failures become a FAILED result, the search's (I/O) are thrown. */
    private Trained train(int index, Hyperparameters hp) throws IOException {
        long t0 = System.nanoTime();
        double bestSoFar = store.bestScore();
        Watch watch = new Watch(index, bestSoFar, store.finishedNormally());
        CandidateResult.Status status = CandidateResult.Status.COMPLETED;
        String reason = null;
        boolean newBest = false;
        try (Trials.Trial trial = trials.prepare(hp)) {
            watch.net = trial.network();
            TrainingOptions options = TrainingOptions.epochs(search.epochs()).withSeed(search.seed()).withSchedule(CONSTANT)
                    .withGuard(search.guard());
            try {
                new Trainer(options).fit(trial.network(), trial.train(), trial.validation(), trial.labels(), watch);
            } catch (Stop s) {
                status = s.status;
                reason = s.reason;
            }
            if (status != CandidateResult.Status.FAILED && status != CandidateResult.Status.PRUNED
                    && search.objective().better(watch.best, bestSoFar)) {
                trial.network().setParams(watch.snapshot);
                try {
                    trial.save(search.output().resolve(ResultsStore.BEST_MODEL), properties(index, hp, watch));
                } catch (IOException e) {
                    throw new SearchFailure(new UncheckedIOException("cannot write the best model in " + search.output() + ": "
                            + e.getMessage(), e));
                }
                newBest = true;
            }
        } catch (SearchFailure e) {
            throw e;
        } catch (DivergenceGuard.TrainingDivergedException e) {
            status = CandidateResult.Status.FAILED;
            reason = e.getMessage();
        } catch (OutOfMemoryError e) {
            status = CandidateResult.Status.FAILED;
            reason = "out of memory: " + e.getMessage();
        } catch (Exception e) {
            status = CandidateResult.Status.FAILED;
            reason = e.getClass().getSimpleName() + ": " + (e.getMessage() != null ? e.getMessage() : "(no message)");
            log.debug("candidate {} failed", index, e);
        } finally {
            Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        }
        boolean failed = status == CandidateResult.Status.FAILED;
        CandidateResult result = new CandidateResult(index, hp, status, failed ? Double.NaN : watch.best,
                failed ? 0 : watch.bestEpoch, watch.scores, watch.epochs, (System.nanoTime() - t0) / 1e9, reason, Instant.now());
        store.record(result);
        return new Trained(result, newBest);
    }

    private Map<String, String> properties(int index, Hyperparameters hp, Watch watch) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("tune.candidate", String.valueOf(index));
        p.put("tune.objective", search.objective().key());
        p.put("tune.score", String.valueOf(watch.best));
        p.put("tune.epoch", String.valueOf(watch.bestEpoch));
        hp.values().forEach((k, v) -> p.put("tune." + k, String.valueOf(v)));
        return p;
    }

    /** Follows a candidate's epochs: its scores, its best weights, early stopping and the median rule. */
    private final class Watch implements TrainingProgress {
        final int index;
        final double bestSoFar;
        final List<CandidateResult> completed;
        final List<EpochResult> epochs = new ArrayList<>();
        final List<Double> scores = new ArrayList<>();
        MultiLayerNetwork net;
        double best = Double.NaN;
        int bestEpoch;
        int sinceBest;
        INDArray snapshot;

        Watch(int index, double bestSoFar, List<CandidateResult> completed) {
            this.index = index;
            this.bestSoFar = bestSoFar;
            this.completed = completed;
        }

        @Override
        public void batch(int epoch, int batch, int batches, double loss) {
            notifying(() -> search.listener().batch(index, epoch, batch, loss));
        }

        @Override
        public void epoch(EpochResult r) {
            Objective objective = search.objective();
            int k = epochs.size() + 1;
            double s = objective.of(r, net);
            epochs.add(r);
            scores.add(s);
            notifying(() -> search.listener().epoch(index, r, s));
            if (Double.isNaN(s)) {
                throw new Stop(CandidateResult.Status.FAILED, objective + " is NaN after epoch " + k);
            }
            if (objective.better(s, best)) {
                best = s;
                bestEpoch = k;
                sinceBest = 0;
                if (objective.better(s, bestSoFar)) {
                    snapshot = net.params().dup(); // may become best-model.zip: the weights of the best epoch
                }
            } else {
                sinceBest++;
            }
            if (k >= search.epochs()) {
                return;
            }
            String pruned = search.pruning() == null ? null
                    : search.pruning().prune(k, search.epochs(), s, completed, objective);
            if (pruned != null) {
                throw new Stop(CandidateResult.Status.PRUNED, pruned);
            }
            if (search.patience() > 0 && sinceBest >= search.patience()) {
                throw new Stop(CandidateResult.Status.EARLY_STOPPED, String.format(Locale.ROOT,
                        "no better %s for %d epoch(s) after epoch %d (%.4f)", objective, sinceBest, bestEpoch, best));
            }
        }

        private void notifying(Runnable call) {
            try {
                call.run();
            } catch (RuntimeException e) {
                throw new SearchFailure(e);
            }
        }
    }

    /** Ends a candidate's training after an epoch (early stop, pruning, NaN score). */
    private static final class Stop extends RuntimeException {
        final CandidateResult.Status status;
        final String reason;

        Stop(CandidateResult.Status status, String reason) {
            super(reason, null, false, false);
            this.status = status;
            this.reason = reason;
        }
    }

    /** Not the candidate's fault (a listener, the disk): stops the search. */
    private static final class SearchFailure extends RuntimeException {
        SearchFailure(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Arbiter's runner stops after a task reports an error that is not a candidate's. */
    private static final class Abort implements TerminationCondition {
        volatile Throwable error;

        @Override
        public void initialize(IOptimizationRunner runner) {
        }

        @Override
        public boolean terminate(IOptimizationRunner runner) {
            return error != null;
        }
    }
}
