package io.github.vgg4j.core.train;

import java.util.List;
import java.util.Map;

/**
 * Where a run stands, saved inside every checkpoint (the same zip as the weights and the updater,
 * so the two can never disagree): the epoch in progress and the batches done in it, the schedule's
 * state, the history, the partial sums of the epoch in progress, and the convolution algorithms the
 * kernels chose (null in checkpoints of earlier versions: the resumed run times them again).
 */
record TrainingState(int version, int epoch, int batch, long iterations, double learningRate, double best, int bestEpoch,
                     int sinceImprovement, List<EpochResult> history, double epochLossSum, int epochBatches,
                     long epochExamples, double epochSeconds, double[][] guard, long seed, int numClasses,
                     Map<String, String> kernelChoices) {
    static final int VERSION = 1;
}
