import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The plots of docs/results.md from the files the results/*.sh scripts write:
 * results/init/loss-curves.png (per-batch loss of the three initialisations, smoothed over 10
 * batches) and results/fractions/accuracy.png (test accuracy against the share of training data).
 * Run: java -cp "$(cat vgg-examples/target/classpath.txt)" results/Plots.java
 */
public class Plots {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "results");
        Path init = root.resolve("init");
        if (Files.isDirectory(init)) {
            XYChart c = chart("Deep VGG (D, 16 layers) on Fashion-MNIST: loss per batch", "batch", "training loss (10-batch mean)");
            for (String[] run : new String[][] {{"naive.csv", "no BN, N(0, 0.01) init (the paper's)"}, {"he.csv", "no BN, He init"},
                    {"bn.csv", "batch norm, He init"}}) {
                Path f = init.resolve(run[0]);
                if (!Files.exists(f)) {
                    continue;
                }
                List<Double> x = new ArrayList<>(), y = new ArrayList<>();
                List<String> lines = Files.readAllLines(f);
                double sum = 0;
                List<Double> window = new ArrayList<>();
                for (int i = 1; i < lines.size(); i++) {
                    double loss = Double.parseDouble(lines.get(i).split(",")[2]);
                    window.add(loss);
                    sum += loss;
                    if (window.size() > 10) {
                        sum -= window.remove(0);
                    }
                    x.add((double) i);
                    y.add(sum / window.size());
                }
                c.addSeries(run[1], x, y).setMarker(SeriesMarkers.NONE);
            }
            BitmapEncoder.saveBitmap(c, init.resolve("loss-curves.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
        Path fractions = root.resolve("fractions").resolve("summary.csv");
        if (Files.exists(fractions)) {
            XYChart c = chart("Training fraction vs test accuracy (Fashion-MNIST, VGG11-BN x0.25)", "share of the training set (%)",
                    "test accuracy");
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            List<String> lines = Files.readAllLines(fractions);
            for (int i = 1; i < lines.size(); i++) {
                String[] p = lines.get(i).split(",");
                x.add(100 * Double.parseDouble(p[0]));
                y.add(Double.parseDouble(p[2]));
            }
            c.getStyler().setXAxisLogarithmic(true);
            c.addSeries("vgg4j", x, y).setMarker(SeriesMarkers.CIRCLE);
            BitmapEncoder.saveBitmap(c, root.resolve("fractions").resolve("accuracy.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        c.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        c.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        c.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        return c;
    }
}
