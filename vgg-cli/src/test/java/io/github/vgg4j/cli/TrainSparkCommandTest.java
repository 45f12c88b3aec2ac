package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code vgg train --spark local[2]} in this JVM (Spark's module options are in surefire's argLine,
 * as ./vgg passes them) on the shipped Fashion-MNIST sample: the model file, checkpoints, resume,
 * the report and the usage errors of the Spark options.
 */
class TrainSparkCommandTest {
    private static final Path SAMPLE = Path.of("src/main/resources" + DemoCommand.RESOURCE);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private List<String> train(Path model, Path run, int epochs, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", SAMPLE.toString(), "--config", "A", "--batch-norm",
                "--width", "0.0625", "--limit-train", "512", "--batch", "64", "--epochs", String.valueOf(epochs),
                "--lr-schedule", "cosine", "--spark", "local[2]", "--checkpoint-dir", run.toString(), "--out", model.toString(),
                "--json"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void trainsOnLocalSparkWritesAModelThatEvaluatesAndResumes() throws Exception {
        Path model = dir.resolve("spark.zip");
        Path run = dir.resolve("run");
        CliRun first = CliRun.of(train(model, run, 1).toArray(String[]::new));
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.err().contains("examples/s on the cluster"), "one line per epoch with the cluster's throughput: "
                + first.err());
        assertTrue(first.err().contains("2 workers x batch 32, averaging every 1"), first.err());
        assertTrue(first.err().contains("layers on vgg4j's kernels"), "the executors' networks run vgg4j's kernels: "
                + first.err());
        assertTrue(Files.isRegularFile(run.resolve("checkpoint.zip")));

        ModelInfo info = ModelFiles.readInfo(model);
        assertEquals(10, info.labels().size());
        assertArrayEquals(new int[] {1, 32, 32}, info.inputShape());
        assertNotNull(ModelFiles.load(model));
        JsonNode trained = JSON.readTree(first.out());
        assertEquals(1000, trained.get("test").get("examples").asInt());
        CliRun evaluate = CliRun.of("evaluate", "--model", model.toString(), "--data", SAMPLE.toString(), "--json");
        assertEquals(0, evaluate.exit(), evaluate.err());
        assertEquals(trained.get("testAccuracy").asDouble(), JSON.readTree(evaluate.out()).get("accuracy").asDouble(), 1e-9,
                "the saved model is the one the cluster trained and train evaluated");

        // --resume continues from the checkpoint of epoch 1, on the cluster
        CliRun resumed = CliRun.of(train(model, run, 2, "--resume").toArray(String[]::new));
        assertEquals(0, resumed.exit(), resumed.err());
        JsonNode second = JSON.readTree(resumed.out());
        assertTrue(second.get("resumed").asBoolean());
        assertEquals(2, second.get("epochs").size());
        assertEquals(trained.get("epochs").get(0).get("trainLoss").asDouble(),
                second.get("epochs").get(0).get("trainLoss").asDouble(), 1e-9, "epoch 1 comes from the checkpoint");
    }

    private static String usageError(CliRun run) {
        assertEquals(2, run.exit(), run.err());
        String err = run.err().strip();
        assertEquals(1, err.lines().count(), err);
        return err;
    }

    @Test
    void sparkOptionsThatCannotApplyAreUsageErrors() {
        String data = SAMPLE.toString();
        for (String[] option : List.of(new String[] {"--spark-workers", "2"}, new String[] {"--spark-batch-per-worker", "32"},
                new String[] {"--spark-averaging", "5"}, new String[] {"--spark-mode", "averaging"})) {
            String err = usageError(CliRun.of("train", "--data", data, option[0], option[1]));
            assertTrue(err.contains(option[0] + " needs --spark MASTER"), err);
        }
        String ui = usageError(CliRun.of("train", "--data", data, "--spark", "local[2]", "--ui"));
        assertTrue(ui.contains("--ui does not apply with --spark"), ui);
        String sharing = usageError(CliRun.of("train", "--data", data, "--spark", "local[2]", "--spark-mode", "sharing"));
        assertTrue(sharing.contains("--spark-mode") && sharing.contains("gradient sharing is not offered"), sharing);
        String mode = usageError(CliRun.of("train", "--data", data, "--spark", "local[2]", "--spark-mode", "gossip"));
        assertTrue(mode.contains("expected averaging or sharing, got 'gossip'"), mode);
        String averaging = usageError(CliRun.of("train", "--data", data, "--spark", "local[2]", "--spark-averaging", "0"));
        assertTrue(averaging.contains("--spark-averaging") && averaging.contains("averaging frequency must be >= 1"), averaging);
        String workers = usageError(CliRun.of("train", "--data", data, "--spark", "local[2]", "--spark-workers", "-1"));
        assertTrue(workers.contains("--spark-workers") && workers.contains("workers must be >= 0"), workers);
        String master = usageError(CliRun.of("train", "--data", data, "--spark", " "));
        assertTrue(master.contains("--spark") && master.contains("Spark master must be"), master);
    }
}
