package io.github.vgg4j.cli.report;

import io.github.vgg4j.core.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;

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

    static void save(Chart<?, ?> chart, Path png) throws IOException {
        AtomicFiles.writeStream(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
