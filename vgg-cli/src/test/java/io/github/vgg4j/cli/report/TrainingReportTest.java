package io.github.vgg4j.cli.report;

import io.github.vgg4j.core.train.EpochResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
