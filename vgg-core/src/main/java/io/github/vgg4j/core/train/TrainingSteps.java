package io.github.vgg4j.core.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The steps of an epoch, as the {@link Trainer} takes them. By default a step fits one batch of a
 * data iterator in this process; a distributed trainer (vgg-spark) fits one round of its workers
 * per step. Everything around the steps stays the trainer's: the learning-rate schedule,
 * evaluation after each epoch, checkpoints (also within an epoch, at a step), the divergence guard
 * and resuming at (epoch, step).
 */
public interface TrainingSteps {

    /** What one step did: its mean training loss and the examples it trained on. */
    record Step(double loss, long examples) {
    }

    /** Positions at step {@code fromStep} of epoch {@code epoch}, as an uninterrupted run would be there. */
    void startEpoch(int epoch, int fromStep);

    boolean hasNext();

    /** Trains the next step into {@code net}; {@code step} counts from 0 within the epoch. */
    Step next(MultiLayerNetwork net, int epoch, int step);

    /** Examples per step, which a resumed run must repeat; -1 when unknown (not checked on resume). */
    default int batchSize() {
        return -1;
    }

    /** Steps per epoch; -1 when unknown. */
    default int steps() {
        return -1;
    }
}
