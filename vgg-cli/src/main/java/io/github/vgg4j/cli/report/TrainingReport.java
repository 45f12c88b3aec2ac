package io.github.vgg4j.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.vgg4j.core.internal.AtomicFiles;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.EvaluationReport;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pictures of a training run (the three the CIFAR-10 write-up shows, and more), each PNG with
 * its numbers beside it as CSV or JSON: {@code loss.png} (train and validation loss per epoch),
 * {@code accuracy.png} (train and validation accuracy), {@code learning-rate.png},
 * {@code per-class-accuracy.png} and {@code confusion.png} (of the test or validation set),
 * {@code history.csv}, {@code history.json}, {@code evaluation.json}.
 */
public final class TrainingReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingReport() {
    }

    /** Writes what is available: the history always, the class charts when {@code evaluation} is given. */
    public static List<Path> write(Path dir, String title, List<EpochResult> history, EvaluationReport evaluation)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        written.add(historyCsv(dir.resolve("history.csv"), history));
        Path json = dir.resolve("history.json");
        AtomicFiles.writeBytes(json, JSON.writeValueAsBytes(history.stream().map(TrainingReport::row).toList()));
        written.add(json);
        written.add(curves(dir.resolve("loss.png"), title + ": loss", "cross-entropy + weight-decay penalty", history, EpochResult::trainLoss,
                EpochResult::validationLoss));
        written.add(curves(dir.resolve("accuracy.png"), title + ": accuracy", "accuracy", history, EpochResult::trainAccuracy,
                EpochResult::validationAccuracy));
        written.add(learningRate(dir.resolve("learning-rate.png"), title, history));
        if (evaluation != null) {
            Path eval = dir.resolve("evaluation.json");
            AtomicFiles.writeBytes(eval, JSON.writeValueAsBytes(evaluation.toJson(JSON)));
            written.add(eval);
            written.add(perClass(dir.resolve("per-class-accuracy.png"), title, evaluation));
            written.add(confusion(dir.resolve("confusion.png"), title, evaluation));
        }
        return written;
    }

    private static Map<String, Object> row(EpochResult e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", e.epoch() + 1);
        m.put("trainLoss", nan(e.trainLoss()));
        m.put("trainAccuracy", nan(e.trainAccuracy()));
        m.put("valLoss", nan(e.validationLoss()));
        m.put("valAccuracy", nan(e.validationAccuracy()));
        m.put("learningRate", e.learningRate());
        m.put("seconds", e.seconds());
        return m;
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static Path historyCsv(Path file, List<EpochResult> history) throws IOException {
        StringWriter w = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder()
                .setHeader("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds").build())) {
            for (EpochResult e : history) {
                csv.printRecord(e.epoch() + 1, e.trainLoss(), e.trainAccuracy(), e.validationLoss(), e.validationAccuracy(),
                        e.learningRate(), e.seconds());
            }
        }
        AtomicFiles.writeString(file, w.toString());
        return file;
    }

    private interface Metric {
        double of(EpochResult e);
    }

    private static Path curves(Path png, String title, String yTitle, List<EpochResult> history, Metric train, Metric val)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(Charts.widthForEpochs(history.size())).height(Charts.HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).build();
        Charts.style(chart.getStyler());
        // legend: below the plot (Charts.style), where it covers no point
        chart.getStyler().setXAxisDecimalPattern("0");
        addSeries(chart, "train", history, train);
        addSeries(chart, "validation", history, val);
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("(not measured)", new double[] {1}, new double[] {0});
        }
        Charts.save(chart, png);
        return png;
    }

    private static void addSeries(XYChart chart, String name, List<EpochResult> history, Metric m) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (EpochResult e : history) {
            double v = m.of(e);
            if (!Double.isNaN(v)) {
                x.add(e.epoch() + 1.0);
                y.add(v);
            }
        }
        if (!x.isEmpty()) {
            XYSeries s = chart.addSeries(name, x, y);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
    }

    private static Path learningRate(Path png, String title, List<EpochResult> history) throws IOException {
        // log scale shows step decays best, but cannot draw a rate of 0 (the end of a cosine schedule)
        boolean log = history.stream().allMatch(e -> e.learningRate() > 0);
        XYChart chart = new XYChartBuilder().width(Charts.widthForEpochs(history.size())).height(Charts.HEIGHT).title(title + ": learning rate")
                .xAxisTitle("epoch").yAxisTitle(log ? "learning rate (log scale)" : "learning rate").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0");
        double[] x = history.stream().mapToDouble(e -> e.epoch() + 1.0).toArray();
        double[] y = history.stream().mapToDouble(EpochResult::learningRate).toArray();
        if (log) {
            y = Charts.log10(y);
            Charts.logLabels(chart.getStyler(), true, y);
        }
        chart.addSeries("learning rate", x, y).setMarker(SeriesMarkers.CIRCLE);
        Charts.save(chart, png);
        return png;
    }

    private static Path perClass(Path png, String title, EvaluationReport eval) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title(String.format("%s: accuracy per class (overall %.1f%%)", title, 100 * eval.accuracy()))
                .xAxisTitle("class").yAxisTitle("accuracy").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setXAxisLabelRotation(eval.labels().size() > 6 ? 30 : 0);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        List<Double> values = new ArrayList<>();
        eval.perClassAccuracy().values().forEach(v -> values.add(v.isNaN() ? 0 : v));
        chart.addSeries("accuracy", new ArrayList<>(eval.labels()), values);
        Charts.save(chart, png);
        return png;
    }

    private static Path confusion(Path png, String title, EvaluationReport eval) throws IOException {
        int k = eval.labels().size();
        int size = Math.max(Charts.HEIGHT, 140 + 55 * k);
        HeatMapChart chart = new HeatMapChartBuilder().width(size + 140).height(size)
                .title(title + ": confusion (rows actual, columns predicted)").xAxisTitle("predicted").yAxisTitle("actual").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setShowValue(true);
        chart.getStyler().setValueFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, k > 12 ? 10 : 13));
        chart.getStyler().setRangeColors(new Color[] {new Color(247, 251, 255), new Color(107, 174, 214), new Color(8, 48, 107)});
        chart.getStyler().setXAxisLabelRotation(k > 6 ? 30 : 0);
        List<Number[]> cells = new ArrayList<>();
        int[][] m = eval.confusion();
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                // heat-map rows run bottom-up: put actual class 0 at the top, as in the text matrix
                cells.add(new Number[] {p, k - 1 - a, m[a][p]});
            }
        }
        List<String> reversed = new ArrayList<>(eval.labels());
        java.util.Collections.reverse(reversed);
        chart.addSeries("count", new ArrayList<>(eval.labels()), reversed, cells);
        Charts.save(chart, png);
        return png;
    }
}
