package io.github.vgg4j.arbiter;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The median stopping rule (Golovin et al., "Google Vizier", 2017; Optuna's MedianPruner): a
 * candidate whose score after epoch k is worse than the median score after epoch k of the
 * candidates that ran to their end stops there. It waits for {@code minCompleted} such candidates
 * and prunes from epoch {@code minEpochs} on; it never stops a candidate after its last epoch,
 * where stopping saves nothing.
 */
record MedianStopping(int minCompleted, int minEpochs) {

    MedianStopping {
        if (minCompleted < 1) {
            throw new IllegalArgumentException("the median stopping rule needs at least 1 completed candidate to compare with, got "
                    + minCompleted);
        }
        if (minEpochs < 1) {
            throw new IllegalArgumentException("the median stopping rule prunes after epoch 1 at the earliest, got " + minEpochs);
        }
    }

    /** 3 completed candidates, from epoch 1. */
    static MedianStopping standard() {
        return new MedianStopping(3, 1);
    }

    /**
     * Why the candidate should stop after {@code epoch} (1-based) with {@code score}, or null to go on.
     *
     * @param completed candidates that ran to their end (completed or early-stopped)
     */
    String prune(int epoch, int lastEpoch, double score, List<CandidateResult> completed, Objective objective) {
        if (epoch < minEpochs || epoch >= lastEpoch) {
            return null;
        }
        double[] reference = completed.stream().mapToDouble(c -> c.scoreAfter(epoch)).filter(v -> !Double.isNaN(v)).toArray();
        if (reference.length < minCompleted) {
            return null;
        }
        double median = median(reference);
        if (!objective.better(median, score)) {
            return null;
        }
        return String.format(Locale.ROOT, "%s %.4f after epoch %d is worse than the median %.4f of %d completed candidates",
                objective, score, epoch, median, reference.length);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
