package io.github.vgg4j.core.train;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.spi.KernelProvider;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The epoch loop: trains batch by batch, evaluates on the validation set after each epoch, lowers
 * the learning rate on a plateau of validation accuracy (the paper's schedule), stops runs that
 * diverge or stall ({@link DivergenceGuard}), and writes checkpoints that a killed run resumes from.
 *
 * <p>Resuming gives the uninterrupted run's result: the checkpoint holds weights, updater state,
 * the epoch and batch reached and the schedule's state; the data order and augmentation of an epoch
 * depend only on (seed, epoch) ({@link EpochIterator}), and the network's own random draws
 * (dropout) are reseeded from (seed, epoch, batch) before every batch.
 *
 * <pre>{@code
 * TrainingResult r = new Trainer(TrainingOptions.epochs(10).withCheckpoints(dir, 10, info).resuming(true))
 *         .fit(net, train, validation, labels, TrainingProgress.NONE);
 * }</pre>
 */
public final class Trainer {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);
    private final TrainingOptions options;

    public Trainer(TrainingOptions options) {
        this.options = options;
    }

    /** The history of a run and its best epoch (by validation accuracy; the last epoch without validation). */
    public record TrainingResult(List<EpochResult> epochs, int bestEpoch, boolean resumed) {
        public EpochResult last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    /**
     * Trains until {@code options.epochs()} epochs are done (counting those of a resumed checkpoint).
     *
     * @param validation may be null
     * @throws DivergenceGuard.TrainingDivergedException when the guard stops the run
     * @throws UncheckedIOException when a checkpoint cannot be written or read
     */
    public TrainingResult fit(MultiLayerNetwork net, DataSetIterator train, DataSetIterator validation, List<String> labels,
                              TrainingProgress progress) {
        return fit(net, train, validation, null, labels, progress);
    }

    /**
     * As {@link #fit(MultiLayerNetwork, DataSetIterator, DataSetIterator, List, TrainingProgress)}, also
     * measuring training accuracy after each epoch on {@code trainSample} (a few thousand training
     * examples without augmentation; null: not measured).
     */
    public TrainingResult fit(MultiLayerNetwork net, DataSetIterator train, DataSetIterator validation,
                              DataSetIterator trainSample, List<String> labels, TrainingProgress progress) {
        return fit(net, new LocalSteps(train, options.seed()), validation, trainSample, labels, progress);
    }

    /**
     * As {@link #fit(MultiLayerNetwork, DataSetIterator, DataSetIterator, DataSetIterator, List, TrainingProgress)},
     * with the epoch's steps taken by {@code steps} (e.g. rounds of a cluster's workers).
     */
    public TrainingResult fit(MultiLayerNetwork net, TrainingSteps steps, DataSetIterator validation,
                              DataSetIterator trainSample, List<String> labels, TrainingProgress progress) {
        Checkpoints checkpoints = options.checkpointDir() == null ? null
                : new Checkpoints(options.checkpointDir(), options.checkpointInfo());
        DivergenceGuard.Watch guard = options.guard().watch();
        Run run;
        boolean resumed = false;
        try {
            if (options.resume() && checkpoints.exists()) {
                TrainingState s = checkpoints.restoreInto(net);
                if (s.numClasses() != labels.size()) {
                    throw new IOException(checkpoints.checkpoint() + " was written for " + s.numClasses()
                            + " classes, the data has " + labels.size());
                }
                run = new Run(s);
                guard.restore(s.guard());
                if (s.kernelChoices() != null) {
                    FastPath.kernels().ifPresent(k -> k.adoptChoices(s.kernelChoices()));
                }
                net.setLearningRate(s.learningRate());
                resumed = true;
                log.info("resuming from {}: epoch {}, batch {}", checkpoints.checkpoint(), s.epoch() + 1, s.batch());
            } else {
                run = new Run(learningRate(net));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }

        long lastCheckpoint = System.nanoTime();
        OffHeapGarbage offHeap = new OffHeapGarbage();
        // the first epoch's rate is the base of the epoch-driven schedules, also after a resume
        double base = run.history.isEmpty() ? run.learningRate : run.history.get(0).learningRate();
        while (run.epoch < options.epochs()) {
            double scheduled = options.schedule().rateAt(run.epoch, options.epochs(), base, run.learningRate);
            if (scheduled != run.learningRate) {
                // no learningRateChanged() call: it announces plateau decisions; a planned rate is in the epoch's result
                net.setLearningRate(scheduled);
                run.learningRate = scheduled;
            }
            steps.startEpoch(run.epoch, run.batch);
            for (TrainingListener l : net.getListeners()) {
                l.onEpochStart(net);
            }
            long t0 = System.nanoTime();
            while (steps.hasNext()) {
                TrainingSteps.Step step = steps.next(net, run.epoch, run.batch);
                offHeap.check();
                double loss = step.loss();
                run.lossSum += loss;
                run.batches++;
                run.examples += step.examples();
                run.iterations++;
                progress.batch(run.epoch, run.batch + 1, steps.steps(), loss);
                guard.observe(loss, run.epoch, run.batch, run.learningRate);
                run.batch++;
                if (checkpoints != null && options.checkpointMinutes() > 0
                        && (System.nanoTime() - lastCheckpoint) / 60e9 >= options.checkpointMinutes()) {
                    run.seconds += (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    write(checkpoints, net, run, guard, labels);
                    lastCheckpoint = System.nanoTime();
                }
            }
            run.seconds += (System.nanoTime() - t0) / 1e9;
            net.incrementEpochCount();
            for (TrainingListener l : net.getListeners()) {
                l.onEpochEnd(net);
            }
            endEpoch(net, validation, trainSample, labels, progress, checkpoints, run);
            if (checkpoints != null) {
                write(checkpoints, net, run, guard, labels);
                lastCheckpoint = System.nanoTime();
            }
        }
        return new TrainingResult(List.copyOf(run.history), run.bestEpoch, resumed);
    }

    private void endEpoch(MultiLayerNetwork net, DataSetIterator validation, DataSetIterator trainSample, List<String> labels,
                          TrainingProgress progress, Checkpoints checkpoints, Run run) {
        double valLoss = Double.NaN;
        double valAcc = Double.NaN;
        if (validation != null) {
            EvaluationReport report = Evaluator.evaluate(net, validation, labels);
            valLoss = report.loss() + net.calcRegularizationScore(true);
            valAcc = report.accuracy();
        }
        double trainAcc = trainSample == null ? Double.NaN : Evaluator.evaluate(net, trainSample, labels).accuracy();
        EpochResult result = new EpochResult(run.epoch, run.batches == 0 ? Double.NaN : run.lossSum / run.batches, trainAcc,
                valLoss, valAcc, run.learningRate, run.seconds, run.examples);
        run.history.add(result);
        progress.epoch(result);
        log.info("epoch {}: loss {} val loss {} val accuracy {} lr {} ({} s)", run.epoch + 1, result.trainLoss(), valLoss,
                valAcc, run.learningRate, String.format("%.1f", run.seconds));

        double score = validation != null ? valAcc : run.epoch;
        if (score > run.best) {
            run.best = score;
            run.bestEpoch = run.epoch;
            run.sinceImprovement = 0;
            if (checkpoints != null && validation != null) {
                try {
                    checkpoints.writeBest(net);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the best model in " + options.checkpointDir() + ": "
                            + e.getMessage() + " (the previous one is intact)", e);
                }
            }
        } else if (options.schedule() instanceof LearningRateSchedule.Plateau plateau && validation != null
                && ++run.sinceImprovement >= plateau.patience() && run.learningRate > options.minLearningRate()) {
            double next = Math.max(options.minLearningRate(), run.learningRate * plateau.factor());
            progress.learningRateChanged(run.epoch, run.learningRate, next);
            log.info("validation accuracy has not improved for {} epochs: learning rate {} -> {}", run.sinceImprovement,
                    run.learningRate, next);
            net.setLearningRate(next);
            run.learningRate = next;
            run.sinceImprovement = 0;
        }
        run.nextEpoch();
    }

    private void write(Checkpoints checkpoints, MultiLayerNetwork net, Run run, DivergenceGuard.Watch guard,
                       List<String> labels) {
        try {
            checkpoints.write(net, run.state(guard, options.seed(), labels.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint in " + options.checkpointDir() + ": " + e.getMessage()
                    + " (the previous checkpoint is intact)", e);
        }
    }

    /**
     * The steps of a run in this process: one batch of the iterator each, the network's random draws
     * (dropout) reseeded from (seed, epoch, batch) before it.
     */
    private static final class LocalSteps implements TrainingSteps {
        private final DataSetIterator it;
        private final long seed;

        LocalSteps(DataSetIterator it, long seed) {
            this.it = it;
            this.seed = seed;
        }

        /** Puts the iterator at (epoch, batch): exactly for an {@link EpochIterator}, else by reset and skipping. */
        @Override
        public void startEpoch(int epoch, int batch) {
            if (it instanceof EpochIterator e) {
                e.startEpoch(epoch, batch);
                return;
            }
            if (epoch > 0 || batch > 0 || !it.hasNext()) {
                it.reset();
            }
            for (int i = 0; i < batch && it.hasNext(); i++) {
                it.next();
            }
        }

        @Override
        public boolean hasNext() {
            return it.hasNext();
        }

        @Override
        public Step next(MultiLayerNetwork net, int epoch, int batch) {
            DataSet ds = it.next();
            Nd4j.getRandom().setSeed(mix(seed, epoch, batch));
            net.fit(ds);
            return new Step(net.score(), ds.numExamples());
        }
    }

    /** The learning rate of the first layer's updater (all layers share it in VGGBuilder networks). */
    static double learningRate(MultiLayerNetwork net) {
        Double lr = net.getLearningRate(0);
        return lr != null ? lr : Double.NaN;
    }

    /** One 64-bit seed from (seed, epoch, batch), SplitMix64-style: what the network's random draws are reseeded from before a batch. */
    public static long mix(long seed, long epoch, long batch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + batch * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The mutable state of a run; {@link #state} is what a checkpoint keeps. */
    private static final class Run {
        int epoch;
        int batch;
        long iterations;
        double learningRate;
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch = -1;
        int sinceImprovement;
        final List<EpochResult> history = new ArrayList<>();
        double lossSum;
        int batches;
        long examples;
        double seconds;

        Run(double learningRate) {
            this.learningRate = learningRate;
        }

        Run(TrainingState s) {
            epoch = s.epoch();
            batch = s.batch();
            iterations = s.iterations();
            learningRate = s.learningRate();
            best = s.best();
            bestEpoch = s.bestEpoch();
            sinceImprovement = s.sinceImprovement();
            history.addAll(s.history());
            lossSum = s.epochLossSum();
            batches = s.epochBatches();
            examples = s.epochExamples();
            seconds = s.epochSeconds();
        }

        void nextEpoch() {
            epoch++;
            batch = 0;
            lossSum = 0;
            batches = 0;
            examples = 0;
            seconds = 0;
        }

        TrainingState state(DivergenceGuard.Watch guard, long seed, int numClasses) {
            return new TrainingState(TrainingState.VERSION, epoch, batch, iterations, learningRate, best, bestEpoch,
                    sinceImprovement, List.copyOf(history), lossSum, batches, examples, seconds, guard.state(), seed, numClasses,
                    FastPath.kernels().map(KernelProvider::choices).orElse(Map.of()));
        }
    }
}
