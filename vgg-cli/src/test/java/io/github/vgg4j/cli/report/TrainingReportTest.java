package io.github.vgg4j.cli.report;

import io.github.vgg4j.core.train.EpochResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingReportTest {
    @TempDir
    Path dir;

    private static List<EpochResult> history(int epochs) {
        List<EpochResult> h = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            h.add(new EpochResult(e, 2.0 / (e + 1), 0.5 + e * 0.01, 2.1 / (e + 1), 0.5 + e * 0.009, 0.05 / (e + 1), 10, 100));
        }
        return h;
    }

    /** Every epoch gets a label: a 40-epoch run's curves are drawn wider so that its labels stay apart. */
    @Test
    void curvesOfLongRunsAreWiderAndShortRunsKeepTheStandardSize() throws Exception {
        TrainingReport.write(dir.resolve("short"), "t", history(8), null);
        TrainingReport.write(dir.resolve("long"), "t", history(40), null);
        for (String png : List.of("loss.png", "accuracy.png", "learning-rate.png")) {
            BufferedImage shortRun = ImageIO.read(dir.resolve("short").resolve(png).toFile());
            BufferedImage longRun = ImageIO.read(dir.resolve("long").resolve(png).toFile());
            assertEquals(Charts.WIDTH, shortRun.getWidth(), png);
            assertTrue(longRun.getWidth() >= 120 + 26 * 40, png + ": " + longRun.getWidth() + " px for 40 epochs");
            assertEquals(Charts.HEIGHT, longRun.getHeight(), png);
        }
        assertEquals(41, Files.readAllLines(dir.resolve("long").resolve("history.csv")).size());
    }

    /** XChart's log axes label decades only: a constant rate had one label. Drawn as log10 on a labelled linear axis. */
    @Test
    void aLogAxisSpansADecadeAndIsLabelledWithTheValues() {
        XYChart chart = new XYChartBuilder().build();
        double[] constant = Charts.log10(new double[] {0.01, 0.01, 0.01});
        Charts.logLabels(chart.getStyler(), true, constant);
        assertTrue(chart.getStyler().getYAxisMax() - chart.getStyler().getYAxisMin() >= 1 - 1e-9, "at least a decade");
        var label = chart.getStyler().getyAxisTickLabelsFormattingFunction();
        assertEquals("0.01", label.apply(-2.0));
        assertEquals("0.032", label.apply(-1.5));
        assertEquals("0.0001", label.apply(-4.0));
        Charts.logLabels(chart.getStyler(), false, Charts.log10(new double[] {1e-4, 1e-1}));
        assertEquals(-4.3, chart.getStyler().getXAxisMin(), 1e-9, "a tenth of the span on each side");
    }

    @Test
    void aGridTitleWrapsToTheGridsWidth() {
        String title = "block1_conv1 of shoe.png (4 of 4 channels, most active first)";
        List<String> lines = ImageGrid.wrap(ImageGrid.TITLE_FONT_METRICS, title, 260);
        assertTrue(lines.size() > 1, lines.toString());
        assertEquals(title, String.join(" ", lines));
        lines.forEach(l -> assertTrue(ImageGrid.TITLE_FONT_METRICS.stringWidth(l) <= 260, l));
    }
}
