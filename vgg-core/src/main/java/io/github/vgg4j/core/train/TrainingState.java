package io.github.vgg4j.core.train;

import java.util.List;
import java.util.Map;

/**
 * Where a run stands, saved inside every checkpoint (the same zip as the weights and the updater,
 * so the two can never disagree): the epoch in progress and the batches done in it, the schedule's
 * state, the history, the partial sums of the epoch in progress, the convolution algorithms the
 * kernels chose, and the options a resumed run must share with it (its first learning rate,
 * schedule, batch size and the kernels' precision, fp32 or bf16; with the seed). Fields added after version 1 are null in older
 * checkpoints: the resumed run times the kernels again and checks only what is there.
 */
record TrainingState(int version, int epoch, int batch, long iterations, double learningRate, double best, int bestEpoch,
                     int sinceImprovement, List<EpochResult> history, double epochLossSum, int epochBatches,
                     long epochExamples, double epochSeconds, double[][] guard, long seed, int numClasses,
                     Map<String, String> kernelChoices, Double baseLearningRate, String schedule, Integer batchSize,
                     String precision) {
    static final int VERSION = 1;

    /** The run's first learning rate (before any schedule changed it). */
    double firstLearningRate() {
        return baseLearningRate != null ? baseLearningRate : history.isEmpty() ? learningRate : history.get(0).learningRate();
    }
}
