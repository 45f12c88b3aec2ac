package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.TestImageFiles;
import io.github.vgg4j.core.io.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** --precision on train, finetune, tune, evaluate and predict: one mixin, what it refuses, what a bf16 run leaves on disk. */
class PrecisionOptionsTest {
    @TempDir
    Path dir;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyCommandTakesItAndABadValueIsAUsageError() {
        for (String command : List.of("train", "finetune", "tune", "evaluate", "predict", "benchmark")) {
            CliRun run = CliRun.of(command, "--precision", "fp16");
            assertEquals(2, run.exit(), command + ": " + run.err());
            assertTrue(run.err().contains("--precision") && run.err().contains("expected fp32, bf16 or auto, got 'fp16'"),
                    command + ": " + run.err());
        }
    }

    /**
     * A bf16-trained model is a float32 file that evaluates and predicts under fp32 (and bf16), and
     * its checkpoint is not resumed under fp32: a resumed run promises the interrupted run's result.
     * Where the CPU has no native bfloat16, bf16 is refused (exit 1) before any data is read.
     */
    @Test
    void aBf16RunSavesFloat32ThatLoadsUnderFp32AndResumesOnlyInBf16() throws Exception {
        Path data = dir.resolve("shapes");
        Random r = new Random(5);
        for (int i = 0; i < 24; i++) {
            TestImageFiles.shape(data.resolve("disc").resolve(i + ".png"), true, r);
            TestImageFiles.shape(data.resolve("square").resolve(i + ".png"), false, r);
        }
        Path model = dir.resolve("m.zip");
        Path checkpoints = dir.resolve("ck");
        List<String> train = List.of("train", "--data", data.toString(), "--input", "3x32x32", "--config", "A", "--width",
                "0.0625", "--batch", "16", "--no-augment", "--lr-schedule", "cosine", "--val-fraction", "0.25",
                "--checkpoint-dir", checkpoints.toString(), "--out", model.toString(), "--json");
        if (FastPath.resolve(Precision.AUTO) != Precision.BF16) {
            CliRun refused = CliRun.of(with(train, "--epochs", "1", "--precision", "bf16"));
            assertEquals(1, refused.exit(), refused.err());
            assertEquals(1, refused.err().strip().lines().count(), refused.err());
            assertTrue(refused.err().contains("--precision bf16") && refused.err().contains("AVX-512 BF16"), refused.err());
            return;
        }
        CliRun bf16 = CliRun.of(with(train, "--epochs", "1", "--precision", "bf16"));
        assertEquals(0, bf16.exit(), bf16.err());

        ModelFiles.LoadedModel loaded = ModelFiles.load(model, false);
        assertEquals(DataType.FLOAT, loaded.network().params().dataType(), "saved float32");
        assertEquals(Precision.FP32, FastPath.precision(loaded.network()), "a loaded model computes in fp32 unless told");
        for (String p : List.of("fp32", "bf16")) {
            CliRun evaluate = CliRun.of("evaluate", "--model", model.toString(), "--data", data.toString(), "--precision", p, "--json");
            assertEquals(0, evaluate.exit(), p + ": " + evaluate.err());
            assertEquals(48, JSON.readTree(evaluate.out()).get("examples").asInt(), evaluate.out());
        }
        CliRun predict = CliRun.of("predict", "--model", model.toString(), "--precision", "auto", "--json",
                data.resolve("disc").resolve("0.png").toString());
        assertEquals(0, predict.exit(), predict.err());
        assertFalse(predict.err().contains("computing in fp32"), "auto is bf16 here: " + predict.err());

        CliRun other = CliRun.of(with(train, "--epochs", "2", "--resume"));
        assertEquals(1, other.exit(), other.err());
        assertTrue(other.err().contains("precision bf16 there, fp32 here"), other.err());
        CliRun same = CliRun.of(with(train, "--epochs", "2", "--resume", "--precision", "bf16"));
        assertEquals(0, same.exit(), same.err());
        JsonNode resumed = JSON.readTree(same.out());
        assertTrue(resumed.get("resumed").asBoolean());
        assertEquals(2, resumed.get("epochs").size());

        CliRun finetune = CliRun.of("finetune", "--base", model.toString(), "--data", data.toString(), "--freeze-through",
                "block4_pool", "--epochs", "1", "--batch", "16", "--precision", "bf16", "--cache-dir",
                dir.resolve("features").toString(), "--out", dir.resolve("ft.zip").toString(), "--json");
        assertEquals(0, finetune.exit(), finetune.err());
        assertEquals(DataType.FLOAT, ModelFiles.load(dir.resolve("ft.zip"), false).network().params().dataType());
    }

    /** Without native bfloat16 (oneDNN capped below AVX-512 BF16, in a JVM of its own): bf16 refused, auto runs fp32 and says so once. */
    @Test
    void withoutNativeBf16TheRefusalAndAutosFallbackAreOneLineEach() throws Exception {
        Launcher launcher = new Launcher(dir);
        Map<String, String> capped = Map.of("ONEDNN_MAX_CPU_ISA", "AVX512_CORE", "DNNL_MAX_CPU_ISA", "AVX512_CORE");
        Launcher.Run refused = launcher.run(dir, dir.resolve("crash"), "", capped, 120, "train", "--data",
                dir.resolve("not-read").toString(), "--precision", "bf16");
        assertEquals(1, refused.exit(), refused.err());
        assertEquals(1, refused.errLines().size(), refused.err());
        assertTrue(refused.err().startsWith("vgg train: --precision bf16: ") && refused.err().contains("AVX-512 BF16"),
                refused.err());
        Launcher.Run auto = launcher.run(dir, dir.resolve("crash"), "", capped, 120, "benchmark", "--config", "A",
                "--width", "0.0625", "--input", "1x32x32", "--classes", "2", "--batch", "2", "--iterations", "1",
                "--warmup", "0", "--phase", "inference", "--precision", "auto", "--json");
        assertEquals(0, auto.exit(), auto.err());
        assertEquals(1, auto.err().lines().filter(l -> l.contains("--precision auto")).count(), auto.err());
        assertTrue(auto.err().contains("computing in fp32"), auto.err());
        assertEquals("fp32", JSON.readTree(auto.out()).get("precision").asText());
    }

    private static String[] with(List<String> args, String... more) {
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
