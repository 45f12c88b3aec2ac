package io.github.vgg4j.core.train;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.internal.MemoryLimits;
import io.github.vgg4j.core.spi.KernelProvider;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    /**
     * The history of a run and its best epoch (by validation accuracy; the last epoch without
     * validation). {@code checkpointProblem} is null, or why the checkpoint or best model after the
     * final epoch could not be written (e.g. its disk is full): training finished and the network
     * holds its result, so save the model first, then report the problem.
     */
    public record TrainingResult(List<EpochResult> epochs, int bestEpoch, boolean resumed, String checkpointProblem) {
        public EpochResult last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    /**
     * Trains until {@code options.epochs()} epochs are done (counting those of a resumed checkpoint).
     *
     * @param validation may be null
     * @throws DivergenceGuard.TrainingDivergedException when the guard stops the run
     * @throws UncheckedIOException when a checkpoint cannot be read, when resuming finds none or one
     *         written with other options, or when a checkpoint cannot be written before the final
     *         epoch (the previous one is intact; after the final epoch the problem is in the result)
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
        int batchSize = steps.batchSize();
        Run run;
        boolean resumed = false;
        try {
            if (checkpoints != null) {
                checkpoints.removeStaleTemporaries();
            }
            if (options.resume()) {
                if (!checkpoints.exists()) {
                    throw new NoSuchFileException(checkpoints.checkpoint().toString(), null, "nothing to resume: "
                            + options.checkpointDir() + " holds no checkpoint (start without resuming, or give the folder the"
                            + " interrupted run wrote its checkpoints to)");
                }
                TrainingState s = checkpoints.restoreInto(net);
                if (s.numClasses() != labels.size()) {
                    throw new IOException(checkpoints.checkpoint() + " was written for " + s.numClasses()
                            + " classes, the data has " + labels.size());
                }
                requireSameOptions(checkpoints.checkpoint(), s, learningRate(net), batchSize, FastPath.precision(net));
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
            run.batchSize = batchSize;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }

        long lastCheckpoint = System.nanoTime();
        OffHeapGarbage offHeap = new OffHeapGarbage();
        // the first epoch's rate is the base of the epoch-driven schedules, also after a resume
        double base = run.baseLearningRate;
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
                    write(checkpoints, net, run, guard, labels, false);
                    lastCheckpoint = System.nanoTime();
                }
            }
            run.seconds += (System.nanoTime() - t0) / 1e9;
            if (run.batches == 0) {
                throw new IllegalStateException("epoch " + (run.epoch + 1) + " had no batches to train on: the training data is empty,"
                        + " or every example was skipped as unreadable");
            }
            net.incrementEpochCount();
            for (TrainingListener l : net.getListeners()) {
                l.onEpochEnd(net);
            }
            // After the final epoch the network is the result: a checkpoint that cannot be written must not cost it.
            boolean finalEpoch = run.epoch == options.epochs() - 1;
            endEpoch(net, validation, trainSample, labels, progress, checkpoints, run, finalEpoch);
            if (checkpoints != null) {
                write(checkpoints, net, run, guard, labels, finalEpoch);
                lastCheckpoint = System.nanoTime();
            }
        }
        return new TrainingResult(List.copyOf(run.history), run.bestEpoch, resumed, run.checkpointProblem);
    }

    private void endEpoch(MultiLayerNetwork net, DataSetIterator validation, DataSetIterator trainSample, List<String> labels,
                          TrainingProgress progress, Checkpoints checkpoints, Run run, boolean finalEpoch) {
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
                    fail(run, finalEpoch, "cannot write the best model in " + options.checkpointDir() + ": "
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
                       List<String> labels, boolean finalEpoch) {
        try {
            checkpoints.write(net, run.state(guard, options, labels.size(), FastPath.precision(net)));
        } catch (IOException e) {
            fail(run, finalEpoch, "cannot write the checkpoint in " + options.checkpointDir() + ": " + e.getMessage()
                    + " (the previous checkpoint is intact)", e);
        }
    }

    /** A checkpoint write failed: before the final epoch training stops; after it, the problem goes into the result. */
    private static void fail(Run run, boolean finalEpoch, String message, IOException e) {
        if (!finalEpoch) {
            throw new UncheckedIOException(message, e);
        }
        log.warn("{}; training is finished and the trained network is kept", message);
        run.checkpointProblem = run.checkpointProblem == null ? message : run.checkpointProblem + "; " + message;
    }

    /**
     * A resumed run must be the run it resumes: the same first learning rate, seed, schedule,
     * batch size and precision of the kernels (the number of epochs may grow). Anything else is
     * refused, naming both values, because a resumed run promises the result the interrupted one
     * would have had.
     */
    private void requireSameOptions(Path file, TrainingState s, double learningRate, int batchSize, Precision precision)
            throws IOException {
        List<String> differ = new ArrayList<>();
        double first = s.firstLearningRate();
        if (Math.abs(first - learningRate) > 1e-9 * Math.max(Math.abs(first), Math.abs(learningRate))) {
            differ.add("learning rate " + first + " there, " + learningRate + " here");
        }
        if (s.seed() != options.seed()) {
            differ.add("seed " + s.seed() + " there, " + options.seed() + " here");
        }
        if (s.schedule() != null && !s.schedule().equals(options.schedule().toString())) {
            differ.add("learning-rate schedule " + s.schedule() + " there, " + options.schedule() + " here");
        }
        if (s.batchSize() != null && s.batchSize() > 0 && batchSize > 0 && s.batchSize() != batchSize) {
            differ.add("batch size " + s.batchSize() + " there, " + batchSize + " here");
        }
        if (s.precision() != null && !s.precision().equals(precision.toString())) {
            differ.add("precision " + s.precision() + " there, " + precision + " here");
        }
        if (!differ.isEmpty()) {
            throw new IOException(file + " was written by a run with other options (" + String.join("; ", differ)
                    + "): resume with the options the run was started with, or start a new run in another checkpoint folder");
        }
    }

    private static int batchSize(DataSetIterator it) {
        try {
            return it.batch();
        } catch (RuntimeException e) {
            return -1; // an iterator that does not say
        }
    }

    /**
     * Before the first step: a batch of this size and input must fit in the off-heap memory this JVM
     * may use (activations kept for backprop, gradients, updater state), or training would die in
     * an OutOfMemoryError after the first layers, with a DL4J crash dump.
     */
    private static void requireTrainingMemory(MultiLayerNetwork net, DataSet batch) {
        long[] shape = batch.getFeatures().shape();
        if (shape.length != 4) {
            return;
        }
        long bytes;
        try {
            bytes = MemoryLimits.trainingBytes(net, InputType.convolutional(shape[2], shape[3], shape[1]), (int) shape[0]);
        } catch (RuntimeException e) {
            return; // layers DL4J cannot describe: train, and let JavaCPP's error speak
        }
        String problem = MemoryLimits.offHeapShortfall(bytes, "training on batches of " + shape[0] + " at " + shape[1] + "x"
                + shape[2] + "x" + shape[3] + " (activations, gradients and updater state; a smaller batch or input needs less; or)");
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /**
     * The steps of a run in this process: one batch of the iterator each, the network's random draws
     * (dropout) reseeded from (seed, epoch, batch) before it.
     */
    private static final class LocalSteps implements TrainingSteps {
        private final DataSetIterator it;
        private final long seed;
        private boolean memoryChecked;

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
            if (!memoryChecked) {
                requireTrainingMemory(net, ds);
                memoryChecked = true;
            }
            Nd4j.getRandom().setSeed(mix(seed, epoch, batch));
            net.fit(ds);
            return new Step(net.score(), ds.numExamples());
        }

        @Override
        public int batchSize() {
            return Trainer.batchSize(it);
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
        final double baseLearningRate;
        int batchSize = -1;
        String checkpointProblem;
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
            this.baseLearningRate = learningRate;
        }

        Run(TrainingState s) {
            epoch = s.epoch();
            batch = s.batch();
            iterations = s.iterations();
            learningRate = s.learningRate();
            baseLearningRate = s.firstLearningRate();
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

        TrainingState state(DivergenceGuard.Watch guard, TrainingOptions options, int numClasses, Precision precision) {
            return new TrainingState(TrainingState.VERSION, epoch, batch, iterations, learningRate, best, bestEpoch,
                    sinceImprovement, List.copyOf(history), lossSum, batches, examples, seconds, guard.state(), options.seed(),
                    numClasses, FastPath.kernels().map(KernelProvider::choices).orElse(Map.of()), baseLearningRate,
                    options.schedule().toString(), batchSize, precision.toString());
        }
    }
}
