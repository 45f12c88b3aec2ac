package io.github.vgg4j.cli.report;

import io.github.vgg4j.arbiter.CandidateResult;
import io.github.vgg4j.arbiter.Hyperparameters;
import io.github.vgg4j.arbiter.Objective;
import io.github.vgg4j.arbiter.SearchResult;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The picture of a search: each candidate's score against its learning rate (log axis), marked by
 * how it ended; failed candidates sit on the bottom edge of an accuracy chart.
 */
public final class TuneReport {

    private TuneReport() {
    }

    /**
     * The number a person reads for a candidate: 1, 2, 3 in the progress lines, the summary and
     * the plot. results.csv and the JSON keep Arbiter's 0-based {@code index} (candidate 1 is index 0).
     */
    public static int number(int index) {
        return index + 1;
    }

    /** Writes {@code png}; empty when the search did not vary the learning rate (nothing to plot against). */
    public static Optional<Path> scoreVsLearningRate(SearchResult result, Path png) throws IOException {
        List<CandidateResult> all = result.candidates();
        if (all.isEmpty() || all.stream().noneMatch(c -> c.hyperparameters().has(Hyperparameters.LEARNING_RATE))) {
            return Optional.empty();
        }
        Objective objective = result.objective();
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title(objective + " vs learning rate, " + all.size() + " candidates").xAxisTitle("learning rate (log scale)")
                .yAxisTitle(objective + " (best epoch)").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        Charts.logLabels(chart.getStyler(), false, Charts.log10(all.stream().filter(c -> c.hyperparameters().has(
                Hyperparameters.LEARNING_RATE)).mapToDouble(c -> c.hyperparameters().number(Hyperparameters.LEARNING_RATE)).toArray()));
        chart.getStyler().setMarkerSize(11);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        series(chart, "completed", all, CandidateResult.Status.COMPLETED, objective, Charts.PALETTE[0]);
        series(chart, "stopped early", all, CandidateResult.Status.EARLY_STOPPED, objective, Charts.PALETTE[2]);
        series(chart, "pruned (median rule)", all, CandidateResult.Status.PRUNED, objective, Charts.PALETTE[1]);
        series(chart, "failed", all, CandidateResult.Status.FAILED, objective, Charts.PALETTE[3]);
        result.best().ifPresent(b -> chart.addSeries("best (candidate " + number(b.index()) + ")",
                Charts.log10(new double[] {b.hyperparameters().number(Hyperparameters.LEARNING_RATE)}), new double[] {b.score()})
                .setMarker(SeriesMarkers.DIAMOND).setMarkerColor(Color.BLACK));
        Charts.save(chart, png);
        return Optional.of(png);
    }

    private static void series(XYChart chart, String name, List<CandidateResult> all, CandidateResult.Status status,
                               Objective objective, Color color) {
        List<CandidateResult> these = all.stream().filter(c -> c.status() == status)
                .filter(c -> c.hyperparameters().has(Hyperparameters.LEARNING_RATE)).toList();
        boolean failed = status == CandidateResult.Status.FAILED;
        if (these.isEmpty() || failed && objective != Objective.VALIDATION_ACCURACY) {
            return; // a failed candidate has no loss to draw
        }
        double[] x = Charts.log10(these.stream().mapToDouble(c -> c.hyperparameters().number(Hyperparameters.LEARNING_RATE)).toArray());
        // a pruned candidate's score is its best before it stopped
        double[] y = these.stream().mapToDouble(c -> failed ? 0 : c.score()).toArray();
        XYSeries s = chart.addSeries(name + " (" + these.size() + ")", x, y);
        s.setMarker(failed ? SeriesMarkers.CROSS : SeriesMarkers.CIRCLE).setMarkerColor(color);
    }
}
