package io.github.vgg4j.onednn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Candidate implementations of one kernel (e.g. a convolution's forward pass, direct or Winograd):
 * the first calls run them in turn (every run computes the real result, so measuring costs only
 * time) and the fastest is kept. Each candidate's first run only warms its buffers; the best of its
 * later runs counts, and running the candidates alternately keeps a burst of load on the machine
 * from deciding alone.
 *
 * <p>Why decisions are remembered: candidates round differently (Winograd vs direct: a few 1e-6),
 * and training amplifies that — two runs of one seed that chose differently for one layer ended
 * 4.6e-3 apart in parameters after 24 steps. So a decision holds for the process (every later
 * kernel of the same description adopts it: a second run, a new network, a resumed one), a
 * checkpoint carries the decisions ({@link #decisions}, {@link #adopt}) so that a resumed run
 * computes what the uninterrupted one did, and the first candidate (the default) is kept unless
 * another is more than {@link #MARGIN} faster, so that a near tie does not flip from run to run.
 */
final class Choice implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Choice.class);
    private static final int RUNS = 3;
    static final double MARGIN = 0.1;
    /** Description -> chosen candidate's name, for this process. */
    private static final Map<String, String> DECIDED = new ConcurrentHashMap<>();
    private final String what;
    private final List<Step> candidates;
    private final double[] best;
    private int calls;
    private Step chosen;

    Choice(String what, List<Step> candidates) {
        this.what = what;
        this.candidates = new ArrayList<>(candidates);
        this.best = new double[candidates.size()];
        Arrays.fill(best, Double.MAX_VALUE);
        String decided = DECIDED.get(what);
        if (candidates.size() == 1) {
            chosen = candidates.get(0);
        } else if (decided != null && candidates.stream().anyMatch(c -> c.name().equals(decided))) {
            chosen = candidates.stream().filter(c -> c.name().equals(decided)).findFirst().orElseThrow();
        } else {
            Scratch.forThisThread().measuring(+1);
        }
    }

    /** The step that runs next: the chosen one, or the candidate being measured. */
    Step peek() {
        return chosen != null ? chosen : candidates.get(calls % candidates.size());
    }

    Step run(long[] addresses, boolean[] ready, boolean accumulate) {
        if (chosen != null) {
            chosen.execute(addresses, ready, accumulate);
            return chosen;
        }
        int index = calls % candidates.size();
        Step step = candidates.get(index);
        long t0 = System.nanoTime();
        step.execute(addresses, ready, accumulate);
        if (calls >= candidates.size()) {
            best[index] = Math.min(best[index], (System.nanoTime() - t0) / 1e9);
        }
        calls++;
        if (calls == RUNS * candidates.size()) {
            int fastest = 0;
            for (int i = 1; i < best.length; i++) {
                fastest = best[i] < best[fastest] ? i : fastest;
            }
            Step winner = candidates.get(best[fastest] > best[0] * (1 - MARGIN) ? 0 : fastest);
            // A kernel of the same description that decided meanwhile (another thread) wins: one answer per process.
            String name = DECIDED.computeIfAbsent(what, k -> winner.name());
            chosen = candidates.stream().filter(c -> c.name().equals(name)).findFirst().orElse(winner);
            log.debug("{}: {} ({})", what, chosen, timings());
            // The losers' scratch needs (Winograd's can be 10x direct's) no longer count.
            Scratch.forThisThread().measuring(-1);
        }
        return step;
    }

    private String timings() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < best.length; i++) {
            b.append(i == 0 ? "" : ", ").append(candidates.get(i).name())
                    .append(String.format(Locale.ROOT, " %.2f ms", best[i] * 1e3));
        }
        return b.toString();
    }

    /** The decisions taken in this process (description -> candidate name), sorted: what a checkpoint keeps. */
    static Map<String, String> decisions() {
        return new TreeMap<>(DECIDED);
    }

    /**
     * Makes {@code decisions} (from a checkpoint) this process's, replacing its own for the same
     * descriptions: kernels created from now on use them instead of timing.
     */
    static void adopt(Map<String, String> decisions) {
        DECIDED.putAll(decisions);
    }

    /** Forgets every decision (tests: a fresh process). */
    static void forgetAll() {
        DECIDED.clear();
    }

    /** Called, and still timing its candidates: the calls until it decides run slower than the chosen one alone. */
    boolean measuring() {
        return chosen == null && calls > 0;
    }

    String describe() {
        return chosen != null ? chosen.toString() : "measuring " + candidates;
    }

    /** Stops measuring (the steps themselves belong to the caller). */
    @Override
    public void close() {
        if (chosen == null && candidates.size() > 1) {
            Scratch.forThisThread().measuring(-1);
            chosen = candidates.get(0);
        }
    }
}
