package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark command's contract (docs/cli.md): one JSON object with the throughput and memory fields. No timing is asserted. */
class BenchmarkCommandTest {
    private static final String[] TINY = {"benchmark", "--config", "A", "--input", "3x32x32", "--classes", "4",
            "--head", "cifar", "--width", "0.0625"};

    private static String[] tiny(String... more) {
        String[] all = new String[TINY.length + more.length];
        System.arraycopy(TINY, 0, all, 0, TINY.length);
        System.arraycopy(more, 0, all, TINY.length, more.length);
        return all;
    }

    @Test
    void jsonIsOneObjectWithThroughputAndPeakMemory() throws Exception {
        CliRun run = CliRun.of(tiny("--batch", "4", "--iterations", "2", "--warmup", "1", "--json"));
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        for (String field : List.of("trainImagesPerSecond", "inferenceImagesPerSecond", "peakMemoryBytes")) {
            assertTrue(json.get(field).asDouble() > 0, field + " in " + run.out());
        }
        assertEquals(2, json.get("trainSecondsPerIteration").size());
        assertEquals(4, json.get("batch").asInt());
        assertEquals("vgg11", json.get("model").asText());
        assertEquals("fp32", json.get("precision").asText());
        assertTrue(run.err().contains("train step 2/2"), "progress goes to stderr: " + run.err());
        assertEquals(1, run.out().strip().lines().count(), "stdout holds the JSON object only");
    }

    /**
     * The untimed steps run until the kernels have chosen their algorithms (they time the
     * candidates over their first calls: 3 runs of 2 candidates, unless this JVM decided for these
     * shapes already), then --warmup more; the JSON says how many.
     */
    @Test
    void warmUpLastsUntilTheKernelsHaveChosenAndSaysHowLong() throws Exception {
        CliRun run = CliRun.of(tiny("--batch", "3", "--iterations", "1", "--warmup", "2", "--phase", "train", "--json"));
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        int choosing = json.get("trainChoosingSteps").asInt();
        assertTrue(choosing >= 1 && choosing <= 6, run.out());
        assertEquals(choosing + 2, json.get("trainWarmupSteps").asInt(), run.out());
        if (choosing > 1) {
            assertTrue(run.err().contains("kernels choosing their algorithms"), run.err());
        }
        assertTrue(json.get("kernels").size() > 0, "what each kernel layer ran: " + run.out());
    }

    /** bf16 runs where the CPU has it, and elsewhere fails with the reason (exit 1), never emulated. */
    @Test
    void bf16RunsOrSaysWhyNot() throws Exception {
        CliRun run = CliRun.of(tiny("--batch", "2", "--iterations", "1", "--warmup", "0", "--precision", "bf16", "--json"));
        if (FastPath.resolve(Precision.AUTO) == Precision.BF16) {
            assertEquals(0, run.exit(), run.err());
            JsonNode json = new ObjectMapper().readTree(run.out());
            assertEquals("bf16", json.get("precision").asText());
            assertTrue(json.get("trainImagesPerSecond").asDouble() > 0);
        } else {
            assertEquals(1, run.exit(), run.err());
            assertTrue(run.err().contains("AVX-512 BF16"), run.err());
        }
        CliRun auto = CliRun.of(tiny("--batch", "2", "--iterations", "1", "--warmup", "0", "--phase", "inference",
                "--precision", "auto", "--json"));
        assertEquals(0, auto.exit(), auto.err());
        assertEquals(FastPath.resolve(Precision.AUTO).toString(), new ObjectMapper().readTree(auto.out()).get("precision").asText());
    }

    @Test
    void onePhaseLeavesTheOtherNull() throws Exception {
        CliRun run = CliRun.of(tiny("--batch", "2", "--iterations", "1", "--warmup", "0", "--phase", "inference", "--json"));
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertTrue(json.get("trainImagesPerSecond").isNull());
        assertTrue(json.get("inferenceImagesPerSecond").asDouble() > 0);
    }

    @Test
    void autoBatchMeasuresCandidatesAndPicksOneOfThem() throws Exception {
        CliRun run = CliRun.of(tiny("--batch", "auto", "--iterations", "1", "--warmup", "0", "--phase", "train", "--json"));
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        JsonNode tried = json.get("batchCandidates");
        assertTrue(tried.size() >= 2, run.out());
        assertTrue(tried.has(json.get("batch").asText()), "the chosen batch was one of those tried: " + run.out());
    }

    @Test
    void textOutputNamesTheNumbers() {
        CliRun run = CliRun.of(tiny("--batch", "2", "--iterations", "1", "--warmup", "0"));
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("train") && run.out().contains("images/s") && run.out().contains("peak memory"), run.out());
    }

    @Test
    void badValuesAreUsageErrors() {
        for (String[] args : List.of(tiny("--batch", "0"), tiny("--batch", "many"), tiny("--phase", "both-ways"),
                tiny("--iterations", "0"), tiny("--precision", "fp64"))) {
            CliRun run = CliRun.of(args);
            assertEquals(2, run.exit(), String.join(" ", args) + ": " + run.err());
            assertEquals("", run.out());
        }
        assertTrue(CliRun.of(tiny("--precision", "fp64")).err().contains("--precision: expected fp32, bf16 or auto, got 'fp64'"));
    }
}
