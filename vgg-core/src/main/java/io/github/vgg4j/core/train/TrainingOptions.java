package io.github.vgg4j.core.train;

import io.github.vgg4j.core.io.ModelInfo;

import java.nio.file.Path;

/**
 * How a run goes. The learning rate follows the paper: divided by 10 ({@code lrDecayFactor} 0.1)
 * when validation accuracy has not improved for {@code lrPatience} epochs, down to
 * {@code minLearningRate}. {@code seed} fixes the random draws inside the network (dropout) per
 * batch, so a resumed run repeats an uninterrupted one. With a checkpoint folder the trainer writes
 * {@code checkpoint.zip} after every epoch (and every {@code checkpointMinutes} within one, if > 0)
 * and {@code best-model.zip} when validation accuracy improves; {@code resume} continues from the
 * checkpoint found there.
 *
 * <pre>{@code TrainingOptions.epochs(30).withCheckpoints(Path.of("run"), 10, info).resuming(true)}</pre>
 */
public record TrainingOptions(int epochs, double lrDecayFactor, int lrPatience, double minLearningRate, long seed,
                              DivergenceGuard guard, Path checkpointDir, double checkpointMinutes, ModelInfo checkpointInfo,
                              boolean resume) {

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
        if (!(checkpointMinutes >= 0)) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 minutes, got " + checkpointMinutes);
        }
        if (resume && checkpointDir == null) {
            throw new IllegalArgumentException("resuming needs a checkpoint folder");
        }
    }

    /** {@code epochs} epochs, the paper's plateau schedule (/10 after 2 epochs without improvement), guard on. */
    public static TrainingOptions epochs(int epochs) {
        return new TrainingOptions(epochs, 0.1, 2, 1e-6, 42, DivergenceGuard.standard(), null, 0, null, false);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(epochs, lrDecayFactor, lrPatience, minLearningRate, s, guard, checkpointDir, checkpointMinutes,
                checkpointInfo, resume);
    }

    public TrainingOptions withGuard(DivergenceGuard g) {
        return new TrainingOptions(epochs, lrDecayFactor, lrPatience, minLearningRate, seed, g, checkpointDir, checkpointMinutes,
                checkpointInfo, resume);
    }

    public TrainingOptions withSchedule(double decayFactor, int patience) {
        return new TrainingOptions(epochs, decayFactor, patience, minLearningRate, seed, guard, checkpointDir, checkpointMinutes,
                checkpointInfo, resume);
    }

    /** Checkpoints in {@code dir} after every epoch and every {@code minutes} (0: epoch ends only). */
    public TrainingOptions withCheckpoints(Path dir, double minutes, ModelInfo info) {
        return new TrainingOptions(epochs, lrDecayFactor, lrPatience, minLearningRate, seed, guard, dir, minutes, info, resume);
    }

    public TrainingOptions resuming(boolean r) {
        return new TrainingOptions(epochs, lrDecayFactor, lrPatience, minLearningRate, seed, guard, checkpointDir, checkpointMinutes,
                checkpointInfo, r);
    }
}
