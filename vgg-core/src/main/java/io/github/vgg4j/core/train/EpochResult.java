package io.github.vgg4j.core.train;

/**
 * One epoch of training. {@code trainLoss} is the mean of DL4J's per-batch score during the epoch
 * (cross-entropy plus the weight-decay penalty, with dropout active, as Keras reports {@code loss});
 * {@code trainAccuracy} is measured after the epoch in test mode on a sample of the training set
 * (if one was given); {@code validationLoss} is the cross-entropy plus the same penalty on the
 * validation set in test mode, so the loss curves are comparable. NaN where not measured.
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
                          double learningRate, double seconds, long examples) {
}
