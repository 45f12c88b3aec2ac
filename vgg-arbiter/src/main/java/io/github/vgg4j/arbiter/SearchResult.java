package io.github.vgg4j.arbiter;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A finished (or stopped) search: every candidate in index order, including those a previous run
 * in the same folder finished ({@code restored} of them), the best one, and the files written:
 * {@code results.csv}, {@code results.json} and {@code best-model.zip} in {@code directory}.
 */
public record SearchResult(List<CandidateResult> candidates, Objective objective, int restored, StopReason stoppedBy,
                           Path directory, double seconds) {

    public SearchResult {
        candidates = List.copyOf(candidates);
    }

    /** Why the search ended. */
    public enum StopReason {
        /** The number of candidates asked for is done. */
        CANDIDATES,
        /** The time budget ran out (checked between candidates). */
        TIME,
        /** A grid search tried every point of its grid. */
        GRID
    }

    /** The completed or early-stopped candidate with the best score (the lowest index on a tie). */
    public Optional<CandidateResult> best() {
        CandidateResult best = null;
        for (CandidateResult c : candidates) {
            if (c.finishedNormally() && (best == null || objective.better(c.score(), best.score()))) {
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The completed or early-stopped candidate with the worst score. */
    public Optional<CandidateResult> worst() {
        Comparator<CandidateResult> byScore = Comparator.comparingDouble(CandidateResult::score);
        return candidates.stream().filter(CandidateResult::finishedNormally).filter(c -> !Double.isNaN(c.score()))
                .min(objective == Objective.VALIDATION_ACCURACY ? byScore : byScore.reversed());
    }

    public Path resultsCsv() {
        return directory.resolve(ResultsStore.CSV);
    }

    public Path resultsJson() {
        return directory.resolve(ResultsStore.JSON);
    }

    /** The best candidate's model (weights of its best epoch, labels and preprocessing), written when it finished. */
    public Path bestModel() {
        return directory.resolve(ResultsStore.BEST_MODEL);
    }

    /** Candidates with this status. */
    public List<CandidateResult> withStatus(CandidateResult.Status status) {
        return candidates.stream().filter(c -> c.status() == status).toList();
    }
}
