package io.github.vgg4j.core.train;

/**
 * How long to train and how the learning rate falls. The paper's schedule: divide the learning rate
 * by 10 ({@code lrDecayFactor} 0.1) when validation accuracy has not improved for
 * {@code lrPatience} epochs, down to {@code minLearningRate}.
 */
public record TrainingOptions(int epochs, double lrDecayFactor, int lrPatience, double minLearningRate) {

    public TrainingOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (!(lrDecayFactor > 0 && lrDecayFactor <= 1)) {
            throw new IllegalArgumentException("learning-rate decay factor must be in (0, 1], got " + lrDecayFactor);
        }
        if (lrPatience < 1) {
            throw new IllegalArgumentException("learning-rate patience must be >= 1 epoch, got " + lrPatience);
        }
    }

    /** {@code epochs} epochs with the paper's plateau schedule (/10 after 2 epochs without improvement). */
    public static TrainingOptions epochs(int epochs) {
        return new TrainingOptions(epochs, 0.1, 2, 1e-6);
    }
}
