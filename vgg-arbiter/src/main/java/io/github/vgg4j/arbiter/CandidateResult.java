package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.train.EpochResult;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What became of one candidate: its hyperparameters, how it ended, its score (the best epoch's
 * objective; NaN when it failed), the objective after each epoch it ran, its epochs as the trainer
 * reported them, its wall-clock seconds (building, training, evaluating) and, unless it completed,
 * why it stopped.
 */
public record CandidateResult(int index, Hyperparameters hyperparameters, Status status, double score, int bestEpoch,
                              List<Double> scores, List<EpochResult> epochs, double seconds, String reason, Instant finished) {

    public CandidateResult {
        scores = List.copyOf(scores);
        epochs = List.copyOf(epochs);
    }

    /** How a candidate ended. */
    public enum Status {
        /** Trained for every epoch. */
        COMPLETED,
        /** Stopped when its score had not improved for the patience's epochs. */
        EARLY_STOPPED,
        /** Stopped by the median stopping rule: worse than the median of the completed candidates at an epoch. */
        PRUNED,
        /** Diverged (NaN loss, stalled) or threw: the reason says which. */
        FAILED;

        /** {@code completed}, {@code early-stopped}, {@code pruned}, {@code failed} (results files). */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Status parse(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** Completed or early-stopped: ran to its own end, so it may be the best and counts for the median rule. */
    public boolean finishedNormally() {
        return status == Status.COMPLETED || status == Status.EARLY_STOPPED;
    }

    /** The objective after epoch {@code epoch} (1-based), NaN if the candidate did not get there. */
    public double scoreAfter(int epoch) {
        return epoch >= 1 && epoch <= scores.size() ? scores.get(epoch - 1) : Double.NaN;
    }
}
