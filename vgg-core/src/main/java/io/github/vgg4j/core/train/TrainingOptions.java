package io.github.vgg4j.core.train;

import io.github.vgg4j.core.io.ModelInfo;

import java.nio.file.Path;

/**
 * How a run goes. The learning rate follows {@code schedule}: by default the paper's (divided by
 * 10 when validation accuracy has not improved for 2 epochs, down to {@code minLearningRate}),
 * or a step or cosine schedule over the epochs ({@link LearningRateSchedule}). {@code seed} fixes the random draws inside the network (dropout) per
 * batch, so a resumed run repeats an uninterrupted one. With a checkpoint folder the trainer writes
 * {@code checkpoint.zip} after every epoch (and every {@code checkpointMinutes} within one, if > 0)
 * and {@code best-model.zip} when validation accuracy improves; {@code resume} continues from the
 * checkpoint found there.
 *
 * <pre>{@code TrainingOptions.epochs(30).withCheckpoints(Path.of("run"), 10, info).resuming(true)}</pre>
 */
public record TrainingOptions(int epochs, LearningRateSchedule schedule, double minLearningRate, long seed,
                              DivergenceGuard guard, Path checkpointDir, double checkpointMinutes, ModelInfo checkpointInfo,
                              boolean resume) {

    public TrainingOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (schedule == null) {
            throw new IllegalArgumentException("a learning-rate schedule is needed (LearningRateSchedule.parse(\"plateau\"))");
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
        return new TrainingOptions(epochs, LearningRateSchedule.paper(), 1e-6, 42, DivergenceGuard.standard(), null, 0, null, false);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(epochs, schedule, minLearningRate, s, guard, checkpointDir, checkpointMinutes,
                checkpointInfo, resume);
    }

    public TrainingOptions withGuard(DivergenceGuard g) {
        return new TrainingOptions(epochs, schedule, minLearningRate, seed, g, checkpointDir, checkpointMinutes,
                checkpointInfo, resume);
    }

    /** The paper's plateau schedule with another factor and patience. */
    public TrainingOptions withSchedule(double decayFactor, int patience) {
        return withSchedule(new LearningRateSchedule.Plateau(decayFactor, patience));
    }

    public TrainingOptions withSchedule(LearningRateSchedule s) {
        return new TrainingOptions(epochs, s, minLearningRate, seed, guard, checkpointDir, checkpointMinutes,
                checkpointInfo, resume);
    }

    /** Checkpoints in {@code dir} after every epoch and every {@code minutes} (0: epoch ends only). */
    public TrainingOptions withCheckpoints(Path dir, double minutes, ModelInfo info) {
        return new TrainingOptions(epochs, schedule, minLearningRate, seed, guard, dir, minutes, info, resume);
    }

    /**
     * Resumes when the checkpoint folder already holds a checkpoint, starts afresh otherwise: a
     * script's "run it again to continue". ({@code resuming(true)} on an empty folder is an error,
     * so that a mistyped folder never silently restarts a long run.)
     */
    public TrainingOptions resumingIfCheckpointed() {
        if (checkpointDir == null) {
            throw new IllegalArgumentException("resuming needs a checkpoint folder (withCheckpoints first)");
        }
        return resuming(new Checkpoints(checkpointDir, checkpointInfo).exists());
    }

    public TrainingOptions resuming(boolean r) {
        return new TrainingOptions(epochs, schedule, minLearningRate, seed, guard, checkpointDir, checkpointMinutes,
                checkpointInfo, r);
    }
}
