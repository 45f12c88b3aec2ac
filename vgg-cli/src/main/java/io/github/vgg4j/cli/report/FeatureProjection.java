package io.github.vgg4j.cli.report;

import io.github.vgg4j.core.internal.AtomicFiles;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A 2-D view of a layer's features (the write-ups look at fc2's 4096-d codes): the first two
 * principal components, by power iteration on the centred data (no d x d covariance, so 4096-d
 * features of thousands of images take a fraction of a second), plotted coloured by class and
 * written as CSV beside the PNG.
 */
public final class FeatureProjection {
    private FeatureProjection() {
    }

    /** The projection and how much of the variance each component explains. */
    public record Projection(double[][] points, double[] explainedVariance) {
    }

    /** @param features one row per example */
    public static Projection pca(double[][] features, long seed) {
        int n = features.length;
        int d = features[0].length;
        double[][] x = new double[n][];
        double[] mean = new double[d];
        for (double[] row : features) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            x[i] = new double[d];
            for (int j = 0; j < d; j++) {
                x[i][j] = features[i][j] - mean[j];
                total += x[i][j] * x[i][j];
            }
        }
        double[][] components = new double[2][];
        double[] explained = new double[2];
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < 2; c++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                v[j] = random.nextDouble() - 0.5;
            }
            double eigen = 0;
            for (int it = 0; it < 200; it++) {
                double[] w = multiply(x, v); // X^T X v, with earlier components projected out
                for (int k = 0; k < c; k++) {
                    double dot = dot(w, components[k]);
                    for (int j = 0; j < d; j++) {
                        w[j] -= dot * components[k][j];
                    }
                }
                double norm = Math.sqrt(dot(w, w));
                if (norm == 0) {
                    break;
                }
                double change = 0;
                for (int j = 0; j < d; j++) {
                    double next = w[j] / norm;
                    change += Math.abs(next - v[j]);
                    v[j] = next;
                }
                eigen = norm;
                if (change < 1e-9 * d) {
                    break;
                }
            }
            components[c] = v;
            explained[c] = total == 0 ? 0 : eigen / total;
        }
        double[][] points = new double[n][2];
        for (int i = 0; i < n; i++) {
            points[i][0] = dot(x[i], components[0]);
            points[i][1] = dot(x[i], components[1]);
        }
        return new Projection(points, explained);
    }

    private static double[] multiply(double[][] x, double[] v) {
        double[] w = new double[v.length];
        for (double[] row : x) {
            double s = dot(row, v);
            for (int j = 0; j < w.length; j++) {
                w[j] += s * row[j];
            }
        }
        return w;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Scatter plot (PNG) and {@code x,y,label} CSV of the projection. */
    public static void write(Path png, Path csv, String title, Projection p, int[] labels, List<String> names) throws IOException {
        // the legend goes on the right, one class a line: in one row below the plot, ten class names did not fit
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH + 220).height(Charts.WIDTH).title(title)
                .xAxisTitle(String.format(Locale.ROOT, "PC1 (%.1f%% of variance)", 100 * p.explainedVariance()[0]))
                .yAxisTitle(String.format(Locale.ROOT, "PC2 (%.1f%% of variance)", 100 * p.explainedVariance()[1])).build();
        Charts.style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        for (int c = 0; c < names.size(); c++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    xs.add(p.points()[i][0]);
                    ys.add(p.points()[i][1]);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(names.get(c), xs, ys).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        Charts.save(chart, png);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            rows.add(List.of(String.format(Locale.ROOT, "%.6f", p.points()[i][0]), String.format(Locale.ROOT, "%.6f", p.points()[i][1]),
                    names.get(labels[i])));
        }
        AtomicFiles.writeString(csv, Csv.write(List.of("x", "y", "label"), rows));
    }
}
