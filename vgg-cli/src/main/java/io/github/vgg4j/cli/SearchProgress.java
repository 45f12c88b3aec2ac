package io.github.vgg4j.cli;

import io.github.vgg4j.arbiter.CandidateResult;
import io.github.vgg4j.arbiter.Hyperparameters;
import io.github.vgg4j.arbiter.SearchListener;
import io.github.vgg4j.cli.report.TuneReport;
import io.github.vgg4j.core.train.EpochResult;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A search's progress on stderr: one line per candidate (its values, how it ended, its score), and
 * when stderr is a terminal ({@link Terminal}) a bar over the candidates with the ETA of the whole
 * search, advancing epoch by epoch within a candidate. Candidates a previous run finished count as
 * done from the start. Candidates are numbered as everywhere a person reads them
 * ({@link TuneReport#number}).
 */
final class SearchProgress implements SearchListener {
    private static final int STEPS = 100;
    private final PrintWriter err;
    private final PrintStream bar;
    private final int epochs;
    private ProgressBar current;
    private int total;
    private int done;
    private String best = "";

    /**
     * @param bar where the bar is drawn (the terminal), or null for lines only
     */
    SearchProgress(PrintWriter err, PrintStream bar, int epochs) {
        this.err = err;
        this.bar = bar;
        this.epochs = epochs;
    }

    static SearchProgress of(PrintWriter err, int epochs) {
        return new SearchProgress(err, Terminal.stderrIsInteractive() ? System.err : null, epochs);
    }

    @Override
    public void searchStarted(int candidates, int restored) {
        total = candidates;
        done = restored;
        if (restored > 0) {
            err.printf(Locale.ROOT, "resuming: %d candidate(s) finished before, read back from results.json%n", restored);
        }
        if (bar != null) {
            // ETA extrapolates this run's pace; finished candidates count as done, not as time spent
            current = new ProgressBarBuilder().setTaskName("candidates").setInitialMax(
                    candidates == Integer.MAX_VALUE ? -1 : (long) candidates * STEPS).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500).setConsumer(new ConsoleProgressBarConsumer(bar))
                    .startsFrom((long) restored * STEPS, Duration.ZERO).setUnit("", STEPS).build();
        }
        err.flush();
    }

    @Override
    public void candidateRestored(CandidateResult r) {
        line(r, "  (finished before)");
    }

    @Override
    public void candidateStarted(int index, Hyperparameters hp) {
        if (current != null) {
            current.setExtraMessage(String.format(Locale.ROOT, " candidate %d: %s%s", TuneReport.number(index), hp, best));
        } else {
            err.printf(Locale.ROOT, "candidate %s: %s ...%n", of(index), hp);
            err.flush();
        }
    }

    @Override
    public void epoch(int index, EpochResult epoch, double score) {
        if (current != null) {
            current.stepTo((long) done * STEPS + (long) Math.min(epochs, epoch.epoch() + 1) * STEPS / epochs);
        }
    }

    @Override
    public void candidateFinished(CandidateResult r, boolean newBest) {
        done++;
        if (current != null) {
            current.stepTo((long) done * STEPS);
        }
        if (newBest) {
            best = String.format(Locale.ROOT, "  best %.4f (candidate %d)", r.score(), TuneReport.number(r.index()));
        }
        line(r, newBest ? "  new best" : "");
    }

    private void line(CandidateResult r, String note) {
        String text = String.format(Locale.ROOT, "candidate %s: %s  %s  %s  %d epoch(s)  %.1fs%s%s", of(r.index()), r.hyperparameters(),
                r.status().key(), Double.isNaN(r.score()) ? "-" : String.format(Locale.ROOT, "score %.4f", r.score()),
                r.epochs().size(), r.seconds(), note, r.reason() == null ? "" : "  (" + r.reason() + ")");
        if (current != null) {
            // print above the bar
            bar.print("\r\033[K");
            bar.println(text);
            bar.flush();
        } else {
            err.println(text);
            err.flush();
        }
    }

    private String of(int index) {
        return TuneReport.number(index) + (total == Integer.MAX_VALUE ? "" : "/" + total);
    }

    void close() {
        if (current != null) {
            current.close();
            current = null;
        }
    }
}
