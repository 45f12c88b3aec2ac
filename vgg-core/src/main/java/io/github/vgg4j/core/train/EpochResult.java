package io.github.vgg4j.core.train;

/**
 * One epoch of training. {@code trainLoss} is the mean of DL4J's per-batch score during the epoch
 * (cross-entropy plus the weight-decay penalty, with dropout active, as Keras reports {@code loss});
 * {@code validationLoss} is the cross-entropy plus the same penalty on the validation set in test
 * mode, so the two curves are comparable. NaN where there is no validation set.
 */
public record EpochResult(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                          double learningRate, double seconds, long examples) {
}
