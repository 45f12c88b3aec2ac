package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.TestImageFiles;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.datavec.Idx;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TuneCommandTest {
    @TempDir
    Path dir;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** 320 grey 28x28 images of 4 classes (a bright band at a class-specific height) as idx files. */
    static Path tinyIdx(Path folder) throws Exception {
        return TestImageFiles.idx(folder, 320, 0);
    }

    /** A small search on the tiny images: narrow VGG11-BN, 16-image batches, a quarter held out. */
    static List<String> args(Path data, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("tune", "--data", data.toString(), "--config", "A", "--batch-norm",
                "--width", "0.0625", "--head", "cifar", "--no-augment", "--batch", "16", "--val-fraction", "0.25",
                "--lr", "1e-3:1e-1", "--momentum", "0.5:0.95", "--out", out.toString(), "--json"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void tuneWritesTheTableTheBestModelAndThePlotAndResumes() throws Exception {
        Path data = tinyIdx(dir.resolve("tiny"));
        Path out = dir.resolve("search");
        CliRun run = CliRun.of(args(data, out, "--candidates", "3", "--epochs", "1").toArray(String[]::new));
        assertEquals(0, run.exit(), run.err());
        JsonNode r = JSON.readTree(run.out());
        assertEquals(3, r.get("candidates").size());
        assertEquals("candidates", r.get("stoppedBy").asText());
        assertEquals(0, r.get("restored").asInt());
        JsonNode best = r.get("best");
        for (JsonNode c : r.get("candidates")) {
            assertTrue(c.get("lr").asDouble() >= 1e-3 && c.get("lr").asDouble() <= 1e-1, c.toString());
            assertTrue(c.get("score").asDouble() <= best.get("score").asDouble());
            assertEquals(16, c.get("batchSize").asInt());
        }
        assertTrue(run.err().contains("candidate 1/3: lr="), run.err());

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertTrue(csv.get(0).startsWith("index,lr,momentum,score,status,seconds"), csv.get(0));
        assertEquals(4, csv.size());
        assertEquals(String.valueOf(best.get("index").asInt()),
                ModelFiles.readInfo(Path.of(r.get("bestModel").asText())).properties().get("tune.candidate"));
        BufferedImage png = ImageIO.read(Path.of(r.get("plot").asText()).toFile());
        assertEquals(900, png.getWidth());

        CliRun more = CliRun.of(args(data, out, "--candidates", "4", "--epochs", "1").toArray(String[]::new));
        assertEquals(0, more.exit(), more.err());
        JsonNode r2 = JSON.readTree(more.out());
        assertEquals(3, r2.get("restored").asInt());
        assertEquals(4, r2.get("candidates").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(r.get("candidates").get(i), r2.get("candidates").get(i), "candidate " + i + " was not trained again");
        }
        assertTrue(more.err().contains("(finished before)"), more.err());

        // one numbering for a person: the progress lines, the summary and the plot say "candidate N" (index N - 1)
        int bestNumber = best.get("index").asInt() + 1;
        List<String> newBest = run.err().lines().filter(l -> l.endsWith("new best")).toList();
        assertTrue(newBest.get(newBest.size() - 1).startsWith("candidate " + bestNumber + "/3: "), run.err());
        List<String> text = args(data, out, "--candidates", "4", "--epochs", "1");
        text.remove("--json");
        CliRun summary = CliRun.of(text.toArray(String[]::new)); // all 4 finished: nothing trains
        assertEquals(0, summary.exit(), summary.err());
        int best4 = r2.get("best").get("index").asInt() + 1;
        assertTrue(summary.out().contains("best: candidate " + best4 + " (index " + (best4 - 1) + " in results.csv)"),
                summary.out());

        // the folder holds a search with other options: like a resume with other options, a failure (exit 1)
        CliRun other = CliRun.of(args(data, out, "--candidates", "4", "--epochs", "2").toArray(String[]::new));
        assertEquals(1, other.exit());
        assertTrue(other.err().contains("another search") && other.err().contains("epochs: 1 there, 2 now"), other.err());
    }

    private static void expect(int exit, CliRun run, String... parts) {
        assertEquals(exit, run.exit(), run.err());
        String line = run.err().strip();
        assertEquals(1, line.lines().count(), line);
        for (String p : parts) {
            assertTrue(line.contains(p), "stderr '" + line + "' should mention " + p);
        }
    }

    private CliRun tune(Path data, String... replace) {
        List<String> a = args(data, dir.resolve("bad"));
        for (int i = 0; i < replace.length; i += 2) {
            int at = a.indexOf(replace[i]);
            if (at >= 0) {
                a.set(at + 1, replace[i + 1]);
            } else {
                a.add(replace[i]);
                a.add(replace[i + 1]);
            }
        }
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void badValuesAreRefusedNamingTheOptionTheValueAndWhatIsExpected() throws Exception {
        Path data = tinyIdx(dir.resolve("tiny"));
        expect(2, tune(data, "--lr", "0:0.1"), "--lr: '0:0.1' is not a range", "0 < min < max", "e.g. 1e-4:1e-1");
        expect(2, tune(data, "--lr", "fast"), "--lr: 'fast' is not a range", "not a number");
        expect(2, tune(data, "--lr", "0.1:0.01"), "--lr", "got min 0.1, max 0.01");
        expect(2, tune(data, "--momentum", "0.5:1.2"), "--momentum", "momentum must be in [0, 1), got 1.2");
        expect(2, tune(data, "--batch", "0,32"), "--batch", "batch size must be >= 1, got 0");
        expect(2, tune(data, "--batch", "big"), "--batch: 'big' is not a list of whole numbers");
        expect(2, tune(data, "--candidates", "0"), "--candidates", "got 0");
        expect(2, tune(data, "--epochs", "0"), "--epochs", "got 0");
        expect(2, tune(data, "--max-time", "soon"), "--max-time: 'soon' is not a duration", "30m");
        expect(2, tune(data, "--objective", "f1"), "--objective", "'f1'", "accuracy or loss");
        expect(2, tune(data, "--search", "bayes"), "--search", "'bayes'", "random or grid");
        expect(2, tune(data, "--search", "grid", "--grid-points", "1"), "--grid-points", "got 1");
        expect(2, tune(data, "--val-fraction", "0"), "--val-fraction", "validation split", "got 0.0");
        expect(1, tune(data, "--out", "/proc/nowhere/tune"), "--out", "cannot write in /proc/nowhere");
        CliRun missing = CliRun.of("tune", "--data", data.toString(), "--momentum", "0.9");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("--lr"), missing.err());
    }

    @Test
    void onRealFashionMnistTheBestLearningRateIsClearlyBetterThanTheWorst() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Idx.DEBIAN_FASHION_MNIST),
                "skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        Path out = dir.resolve("fashion");
        CliRun run = CliRun.of("tune", "--data", Idx.DEBIAN_FASHION_MNIST.toString(), "--config", "A", "--batch-norm",
                "--width", "0.125", "--limit-train", "1000", "--val-fraction", "0.02", "--lr", "1e-4:1e-1", "--momentum", "0.9", "--dropout", "0",
                "--search", "grid", "--grid-points", "3", "--epochs", "1", "--batch", "32", "--out", out.toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode r = JSON.readTree(run.out());
        assertEquals(3, r.get("candidates").size());
        assertEquals("grid", r.get("stoppedBy").asText());
        double best = r.get("best").get("score").asDouble();
        double worst = 1;
        for (JsonNode c : r.get("candidates")) {
            worst = Math.min(worst, c.get("score").asDouble());
        }
        assertTrue(best - worst > 0.2, "1 epoch on 1,000 real images: best " + best + ", worst " + worst + " (lr 1e-4 barely moves)");
    }
}
