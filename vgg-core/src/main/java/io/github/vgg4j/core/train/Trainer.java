package io.github.vgg4j.core.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The epoch loop around DL4J's {@code fit}: trains, evaluates on the validation set after each
 * epoch, and lowers the learning rate on a plateau of validation accuracy (the paper's schedule).
 *
 * <pre>{@code
 * TrainingResult r = new Trainer(TrainingOptions.epochs(10)).fit(net, train, validation, labels, TrainingProgress.NONE);
 * }</pre>
 */
public final class Trainer {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);
    private final TrainingOptions options;

    public Trainer(TrainingOptions options) {
        this.options = options;
    }

    /** The history of a run and its best epoch (by validation accuracy; the last epoch without validation). */
    public record TrainingResult(List<EpochResult> epochs, int bestEpoch) {
        public EpochResult last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    /**
     * Trains for {@code options.epochs()} epochs. The training iterator is reset before every epoch
     * but the first (iterators that reshuffle per epoch, such as vgg-datavec's, get a new order).
     *
     * @param validation may be null
     */
    public TrainingResult fit(MultiLayerNetwork net, DataSetIterator train, DataSetIterator validation, List<String> labels,
                              TrainingProgress progress) {
        List<EpochResult> history = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch = -1;
        int sinceImprovement = 0;
        double lr = learningRate(net);
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            if (epoch > 0 || !train.hasNext()) {
                train.reset();
            }
            BatchLosses losses = new BatchLosses(epoch, progress);
            net.addListeners(losses);
            long t0 = System.nanoTime();
            try {
                net.fit(train);
            } finally {
                net.getListeners().remove(losses);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double valLoss = Double.NaN;
            double valAcc = Double.NaN;
            if (validation != null) {
                EvaluationReport report = Evaluator.evaluate(net, validation, labels);
                valLoss = report.loss() + net.calcRegularizationScore(true);
                valAcc = report.accuracy();
            }
            EpochResult result = new EpochResult(epoch, losses.mean(), valLoss, valAcc, lr, seconds, losses.examples);
            history.add(result);
            progress.epoch(result);
            log.info("epoch {}: loss {} val loss {} val accuracy {} lr {} ({} s)", epoch, result.trainLoss(), valLoss, valAcc,
                    lr, String.format("%.1f", seconds));

            double score = validation != null ? valAcc : epoch;
            if (score > best) {
                best = score;
                bestEpoch = epoch;
                sinceImprovement = 0;
            } else if (validation != null && ++sinceImprovement >= options.lrPatience() && lr > options.minLearningRate()) {
                double next = Math.max(options.minLearningRate(), lr * options.lrDecayFactor());
                progress.learningRateChanged(epoch, lr, next);
                log.info("validation accuracy has not improved for {} epochs: learning rate {} -> {}", sinceImprovement, lr, next);
                net.setLearningRate(next);
                lr = next;
                sinceImprovement = 0;
            }
        }
        return new TrainingResult(history, bestEpoch);
    }

    /** The learning rate of the first layer's updater (all layers share it in VGGBuilder networks). */
    static double learningRate(MultiLayerNetwork net) {
        return net.getLearningRate(0) != null ? net.getLearningRate(0) : Double.NaN;
    }

    /** Collects DL4J's score after every batch. */
    private static final class BatchLosses extends BaseTrainingListener {
        private final int epoch;
        private final TrainingProgress progress;
        private double sum;
        private int batches;
        private long examples;

        BatchLosses(int epoch, TrainingProgress progress) {
            this.epoch = epoch;
            this.progress = progress;
        }

        @Override
        public void iterationDone(Model model, int iteration, int ep) {
            double score = model.score();
            sum += score;
            batches++;
            examples += model.batchSize();
            progress.batch(epoch, batches, -1, score);
        }

        double mean() {
            return batches == 0 ? Double.NaN : sum / batches;
        }
    }
}
