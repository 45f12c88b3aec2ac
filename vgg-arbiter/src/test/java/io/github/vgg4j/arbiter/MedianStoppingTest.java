package io.github.vgg4j.arbiter;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MedianStoppingTest {

    private static CandidateResult finished(int index, Double... scores) {
        return new CandidateResult(index, new Hyperparameters(Map.of()), CandidateResult.Status.COMPLETED, 0, 1, List.of(scores),
                List.of(), 1, null, Instant.EPOCH);
    }

    @Test
    void prunesBelowTheMedianOfCompletedCandidatesAtTheSameEpoch() {
        MedianStopping rule = new MedianStopping(3, 1);
        List<CandidateResult> done = List.of(finished(0, 0.5, 0.7, 0.8), finished(1, 0.6, 0.8, 0.9), finished(2, 0.4, 0.6, 0.7));
        String why = rule.prune(1, 3, 0.45, done, Objective.VALIDATION_ACCURACY);
        assertNotNull(why);
        assertTrue(why.contains("0.4500 after epoch 1") && why.contains("median 0.5000 of 3 completed"), why);
        assertNull(rule.prune(1, 3, 0.5, done, Objective.VALIDATION_ACCURACY), "at the median: goes on");
        assertNull(rule.prune(2, 3, 0.71, done, Objective.VALIDATION_ACCURACY), "above the epoch-2 median 0.7");
        assertNotNull(rule.prune(2, 3, 0.69, done, Objective.VALIDATION_ACCURACY));
        assertNull(rule.prune(3, 3, 0.1, done, Objective.VALIDATION_ACCURACY), "never after the last epoch: nothing to save");
    }

    @Test
    void waitsForEnoughCompletedCandidatesAndItsFirstEpoch() {
        List<CandidateResult> two = List.of(finished(0, 0.5, 0.7), finished(1, 0.6, 0.8));
        assertNull(new MedianStopping(3, 1).prune(1, 3, 0.1, two, Objective.VALIDATION_ACCURACY));
        assertNotNull(new MedianStopping(2, 1).prune(1, 3, 0.1, two, Objective.VALIDATION_ACCURACY));
        assertNull(new MedianStopping(2, 2).prune(1, 3, 0.1, two, Objective.VALIDATION_ACCURACY), "before its first epoch");
        List<CandidateResult> stoppedEarly = new ArrayList<>(two);
        stoppedEarly.add(finished(2, 0.3));
        assertNull(new MedianStopping(3, 1).prune(2, 3, 0.1, stoppedEarly, Objective.VALIDATION_ACCURACY),
                "only 2 candidates reached epoch 2");
    }

    @Test
    void lowerIsBetterForLoss() {
        List<CandidateResult> done = List.of(finished(0, 1.0), finished(1, 2.0), finished(2, 3.0));
        assertNotNull(new MedianStopping(3, 1).prune(1, 2, 2.5, done, Objective.VALIDATION_LOSS));
        assertNull(new MedianStopping(3, 1).prune(1, 2, 1.5, done, Objective.VALIDATION_LOSS));
        assertEquals(2.5, MedianStopping.median(new double[] {4, 1, 2, 3}));
    }
}
