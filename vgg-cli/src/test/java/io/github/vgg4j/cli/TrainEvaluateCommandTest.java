package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.TestImageFiles;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.datavec.Idx;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TrainEvaluateCommandTest {
    @TempDir
    Path dir;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void trainsOnRealFashionMnistWellAboveChanceAndEvaluateAgrees() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Idx.DEBIAN_FASHION_MNIST),
                "skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        Path model = dir.resolve("fashion.zip");
        CliRun train = CliRun.of("train", "--data", Idx.DEBIAN_FASHION_MNIST.toString(), "--config", "A", "--batch-norm",
                "--width", "0.25", "--limit-train", "4000", "--epochs", "1", "--out", model.toString(), "--json");
        assertEquals(0, train.exit(), train.err());
        JsonNode result = JSON.readTree(train.out());
        double accuracy = result.get("testAccuracy").asDouble();
        assertTrue(accuracy > 0.4, "1 epoch on 4,000 real images: test accuracy " + accuracy + " (chance 0.1)");
        assertEquals(1, result.get("epochs").size());
        assertEquals(10_000, result.get("test").get("examples").asInt());

        ModelInfo info = ModelFiles.readInfo(model);
        assertEquals(Idx.FASHION_LABELS, info.labels());
        assertArrayEquals(new int[] {1, 32, 32}, info.inputShape());
        assertEquals("fitted", info.preprocessing().name());

        CliRun evaluate = CliRun.of("evaluate", "--model", model.toString(), "--data", Idx.DEBIAN_FASHION_MNIST.toString(), "--json");
        assertEquals(0, evaluate.exit(), evaluate.err());
        JsonNode report = JSON.readTree(evaluate.out());
        assertEquals(accuracy, report.get("accuracy").asDouble(), 1e-9, "the saved model reads the data exactly as training did");
        assertEquals(10, report.get("perClassAccuracy").size());
        assertEquals(10, report.get("confusion").size());
        assertEquals(1000, sum(report.get("confusion").get(3)));
    }

    @Test
    void aKaggleFolderWithBrokenFilesTrainsAndListsThem() throws Exception {
        Path train = dir.resolve("train");
        Random r = new Random(1);
        for (int i = 0; i < 24; i++) {
            TestImageFiles.shape(train.resolve("cat." + i + ".png"), true, r);
            TestImageFiles.shape(train.resolve("dog." + i + ".png"), false, r);
        }
        Files.createFile(train.resolve("dog.99.jpg"));
        byte[] png = Files.readAllBytes(train.resolve("cat.0.png"));
        Files.write(train.resolve("cat.99.png"), java.util.Arrays.copyOf(png, png.length - 20));
        Path model = dir.resolve("m.zip");
        CliRun run = CliRun.of("train", "--data", train.toString(), "--input", "3x32x32", "--config", "A", "--width", "0.0625",
                "--epochs", "1", "--batch", "16", "--out", model.toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode result = JSON.readTree(run.out());
        assertTrue(result.get("testAccuracy").isNull());
        assertTrue(result.get("valAccuracy").isNumber(), "a 10% validation split is held out without a test set");
        JsonNode skipped = result.get("skipped");
        assertEquals(2, skipped.get("count").asInt(), skipped.toString());
        assertTrue(skipped.toString().contains("dog.99.jpg") && skipped.toString().contains("cat.99.png"), skipped.toString());
        assertEquals(java.util.List.of("cat", "dog"), ModelFiles.readInfo(model).labels());
    }

    @Test
    void badDataAndBadOptionsExitWithOneLine() throws Exception {
        Path cifar = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Files.write(cifar.resolve("data_batch_1.bin"), new byte[3073 + 5]);
        CliRun bad = CliRun.of("train", "--data", cifar.toString(), "--epochs", "1");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("data_batch_1.bin") && bad.err().contains("byte offset 3073"), bad.err());

        Files.write(cifar.resolve("data_batch_1.bin"), new byte[3073 * 4]);
        CliRun classes = CliRun.of("train", "--data", cifar.toString(), "--classes", "5");
        assertEquals(2, classes.exit());
        assertTrue(classes.err().contains("--classes") && classes.err().contains("10 classes"), classes.err());
        CliRun epochs = CliRun.of("train", "--data", cifar.toString(), "--epochs", "0");
        assertEquals(2, epochs.exit());
        assertTrue(epochs.err().contains("--epochs"), epochs.err());
        CliRun missing = CliRun.of("train", "--data", dir.resolve("nope").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        CliRun noData = CliRun.of("train");
        assertEquals(2, noData.exit());
        assertTrue(noData.err().contains("--data"), noData.err());
    }

    @Test
    void theDefaultScheduleHoldsOutValidationDataAndLowersTheRate() throws Exception {
        // CIFAR-like data with a test batch: before, --val-fraction defaulted to 0 there and the plateau never came
        Path cifar = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Random r = new Random(3);
        for (String file : new String[] {"data_batch_1.bin", "test_batch.bin"}) {
            byte[] batch = new byte[200 * 3073];
            for (int i = 0; i < 200; i++) {
                batch[i * 3073] = (byte) (i % 10);
                for (int p = 1; p < 3073; p++) {
                    batch[i * 3073 + p] = (byte) r.nextInt(256);
                }
            }
            Files.write(cifar.resolve(file), batch);
        }
        // a rate too small to change any prediction: validation accuracy stays the same, so after 2 epochs it drops
        CliRun run = CliRun.of("train", "--data", cifar.toString(), "--config", "A", "--width", "0.0625", "--epochs", "4",
                "--lr", "1e-5", "--no-augment", "--no-divergence-guard", "--out", dir.resolve("m.zip").toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("holding out 10% of the training set for validation"), run.err());
        JsonNode result = JSON.readTree(run.out());
        assertEquals(180, result.get("trainExamples").asInt());
        JsonNode epochs = result.get("epochs");
        assertTrue(epochs.get(0).get("valAccuracy").isNumber());
        assertEquals(1e-5, epochs.get(2).get("learningRate").asDouble(), 1e-12);
        assertEquals(1e-6, epochs.get(3).get("learningRate").asDouble(), 1e-12, "lowered after 2 epochs without improvement");
        assertTrue(run.err().contains("learning rate 1.0e-05 -> 1.0e-06"), run.err());
    }

    private static int sum(JsonNode row) {
        int s = 0;
        for (JsonNode v : row) {
            s += v.asInt();
        }
        return s;
    }
}
