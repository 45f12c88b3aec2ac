package io.github.vgg4j.core.train;

/** Callbacks for progress displays; all optional. */
public interface TrainingProgress {
    TrainingProgress NONE = new TrainingProgress() {
    };

    /** After each training batch; {@code batches} is -1 when unknown. */
    default void batch(int epoch, int batch, int batches, double loss) {
    }

    default void epoch(EpochResult result) {
    }

    /** When the plateau schedule lowers the learning rate. */
    default void learningRateChanged(int epoch, double from, double to) {
    }
}
