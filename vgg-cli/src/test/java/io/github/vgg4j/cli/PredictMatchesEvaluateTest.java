package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.RawImage;
import io.github.vgg4j.datavec.TrainingData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vgg predict} on image files reads them exactly as the model's own evaluation read its
 * data: on PNGs written from Fashion-MNIST idx test images (the sample shipped for the demo), its
 * accuracy equals {@code vgg evaluate}'s on the same images, for a model trained on the idx files
 * (28x28 padded to 32x32, no crop) and for one trained on a folder of PNGs (resized to 32 / 0.875,
 * centre crop). Before, predict enlarged and cropped the 28x28 PNGs for the padded model.
 */
class PredictMatchesEvaluateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRAIN_PNGS = 1500;

    @TempDir
    static Path dir;
    static Path idx;
    static Path folder;

    /** The shipped sample as idx files with class names that can be folder names, and the same images as PNGs. */
    @BeforeAll
    static void data() throws Exception {
        idx = Files.createDirectories(dir.resolve("idx"));
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz")) {
            try (InputStream in = DemoCommand.class.getResourceAsStream(DemoCommand.RESOURCE + f)) {
                Files.copy(in, idx.resolve(f));
            }
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            names.add("class" + c);
        }
        Files.write(idx.resolve("labels.txt"), names);
        DataBundle bundle = Idx.open(idx);
        folder = dir.resolve("pngs");
        writePngs(bundle.train(), folder.resolve("train"), TRAIN_PNGS);
        writePngs(bundle.test(), folder.resolve("test"), bundle.test().size());
    }

    private static void writePngs(ImageDataset set, Path root, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            RawImage img = set.read(i, null, new SplittableRandom(0));
            BufferedImage png = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_BYTE_GRAY);
            png.getRaster().setDataElements(0, 0, img.width(), img.height(), img.pixels());
            Path file = root.resolve(set.labels().get(set.label(i))).resolve(String.format("%05d.png", i));
            Files.createDirectories(file.getParent());
            ImageIO.write(png, "png", file.toFile());
        }
    }

    private static Path train(String name, String... data) {
        Path model = dir.resolve(name + ".zip");
        List<String> args = new ArrayList<>(List.of("train", "--config", "A", "--batch-norm", "--width", "0.125",
                "--epochs", "2", "--lr", "0.05", "--lr-schedule", "cosine", "--limit-train", String.valueOf(TRAIN_PNGS),
                "--out", model.toString()));
        args.addAll(List.of(data));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exit(), run.err());
        return model;
    }

    private static double evaluate(Path model, Path data) throws Exception {
        CliRun run = CliRun.of("evaluate", "--model", model.toString(), "--data", data.toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode r = JSON.readTree(run.out());
        assertEquals(0, r.get("skipped").get("count").asInt(), run.out());
        return r.get("accuracy").asDouble();
    }

    /** Accuracy of predict's top class over PNGs whose folder names their class. */
    private static double predict(Path model, Path pngs) throws Exception {
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--top", "1", "--json", pngs.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode predictions = JSON.readTree(run.out()).get("predictions");
        int right = 0;
        for (JsonNode p : predictions) {
            String actual = Path.of(p.get("file").asText()).getParent().getFileName().toString();
            right += actual.equals(p.get("top").get(0).get("label").asText()) ? 1 : 0;
        }
        assertEquals(1000, predictions.size());
        return right / (double) predictions.size();
    }

    @Test
    void aModelTrainedOnPaddedIdxDataPredictsPngsAsItEvaluatesTheIdxFiles() throws Exception {
        Path model = train("idx", "--data", idx.toString());
        var info = ModelFiles.readInfo(model);
        assertEquals("1.0", info.properties().get(TrainingData.EVAL_CROP_PCT));
        assertEquals("true", info.properties().get(TrainingData.EVAL_PAD));

        double onIdx = evaluate(model, idx);
        assertTrue(onIdx > 0.25, "the test means something only above chance (0.1): " + onIdx);
        assertEquals(onIdx, evaluate(model, folder.resolve("test")), 1e-12, "evaluate on the PNGs of the same images");
        assertEquals(onIdx, predict(model, folder.resolve("test")), 1e-12, "predict on the PNGs");
    }

    @Test
    void aModelTrainedOnAFolderPredictsAsItEvaluates() throws Exception {
        // without augmentation: scale jittering of 28x28 images to 37..74 px would need more than one epoch
        Path model = train("folder", "--data", folder.toString(), "--input", "1x32x32", "--no-augment");
        var info = ModelFiles.readInfo(model);
        assertEquals("0.875", info.properties().get(TrainingData.EVAL_CROP_PCT));
        assertEquals("false", info.properties().get(TrainingData.EVAL_PAD));

        double onPngs = evaluate(model, folder);
        assertTrue(onPngs > 0.25, "the test means something only above chance (0.1): " + onPngs);
        assertEquals(onPngs, predict(model, folder.resolve("test")), 1e-12);
        assertEquals(onPngs, evaluate(model, idx), 1e-12, "evaluate on the idx files of the same images");
    }
}
