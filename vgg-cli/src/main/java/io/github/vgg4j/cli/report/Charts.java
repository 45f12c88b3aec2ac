package io.github.vgg4j.cli.report;

import io.github.vgg4j.core.internal.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/** One look for every chart vgg4j writes: large fonts, white background, saved as PNG atomically. */
final class Charts {
    static final int WIDTH = 900;
    static final int HEIGHT = 560;
    static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
            new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
            new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    private Charts() {
    }

    static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        s.setLegendBorderColor(Color.WHITE);
        // below the plot, in one row: inside, it covered the last epochs' points of rising curves
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setSeriesColors(PALETTE);
        s.setAntiAlias(true);
        if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
            a.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            a.setPlotGridLinesColor(new Color(225, 225, 225));
        }
    }

    /**
     * Width of a per-epoch chart: XChart labels every epoch, and beyond ~30 epochs the labels ran
     * together at the standard width ("101112..."), so long runs get a wider chart (~26 px per epoch, at
     * most 1,800 px).
     */
    static int widthForEpochs(int epochs) {
        return Math.max(WIDTH, Math.min(1800, 120 + 26 * epochs));
    }

    /**
     * Values on a log scale, as XChart cannot show them: its log axes label decades only, so a
     * learning rate that stays within one decade (a constant rate, 0.05 down to 0.01) got one label or
     * none. The values are drawn as their log10 on a linear axis whose labels are the values again
     * ({@link #logLabels}); the axis spans at least a decade, so it always has several labels.
     */
    static double[] log10(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.log10(values[i]);
        }
        return out;
    }

    /** The linear axis of {@link #log10} values: at least a decade wide, labelled with the values. */
    static void logLabels(XYStyler s, boolean yAxis, double[] logValues) {
        double lo = Arrays.stream(logValues).min().orElse(0);
        double hi = Arrays.stream(logValues).max().orElse(0);
        double pad = Math.max(0.1 * (hi - lo), (1 - (hi - lo)) / 2);
        // two significant digits, as a plain decimal: 0.032, 0.01, 0.00079
        Function<Double, String> label = v -> new BigDecimal(Math.pow(10, v)).round(new MathContext(2)).stripTrailingZeros()
                .toPlainString();
        if (yAxis) {
            s.setYAxisMin(lo - pad).setYAxisMax(hi + pad).setyAxisTickLabelsFormattingFunction(label);
        } else {
            s.setXAxisMin(lo - pad).setXAxisMax(hi + pad).setxAxisTickLabelsFormattingFunction(label);
        }
    }

    static void save(Chart<?, ?> chart, Path png) throws IOException {
        AtomicFiles.writeStream(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
