package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.train.EpochResult;

/**
 * Callbacks for progress displays (the command line's bar with ETA); all optional. Called on the
 * thread that trains the candidates, one candidate at a time. An exception thrown here stops the
 * search.
 */
public interface SearchListener {
    SearchListener NONE = new SearchListener() {
    };

    /**
     * Before the first candidate.
     *
     * @param candidates the number the search will run at most (Integer.MAX_VALUE when only time-limited)
     * @param restored   how many of them a previous run in the same folder finished
     */
    default void searchStarted(int candidates, int restored) {
    }

    /** A candidate that a previous run finished, read back from results.json (not trained again). */
    default void candidateRestored(CandidateResult result) {
    }

    default void candidateStarted(int index, Hyperparameters hyperparameters) {
    }

    /** After each training batch of the running candidate. */
    default void batch(int index, int epoch, int batch, double loss) {
    }

    /** After each epoch of the running candidate, with its objective value. */
    default void epoch(int index, EpochResult epoch, double score) {
    }

    /** A candidate finished (any status); the results files already hold it. */
    default void candidateFinished(CandidateResult result, boolean newBest) {
    }
}
