package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.Head;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SummaryCommandTest {

    @Test
    void configurationDPrintsTheTableWithVgg16sParameterCount() {
        CliRun run = CliRun.of("summary", "--config", "D");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("Total params: 138,357,544"), run.out());
        assertTrue(run.out().contains("block5_conv3"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void jsonIsOneObjectWithTheContractFields() throws Exception {
        CliRun run = CliRun.of("summary", "--config", "E", "--batch-norm", "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(143_678_248L, json.get("trainableParams").asLong());
        assertTrue(json.get("totalParams").asLong() > json.get("trainableParams").asLong());
        JsonNode layer = json.get("layers").get(0);
        for (String field : List.of("name", "type", "outputShape", "params")) {
            assertTrue(layer.has(field), field);
        }
    }

    @Test
    void builderOptionsShapeTheNetwork() throws Exception {
        CliRun run = CliRun.of("summary", "--config", "A", "--input", "1x32x32", "--classes", "10", "--head", "cifar",
                "--width", "0.25", "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode layers = new ObjectMapper().readTree(run.out()).get("layers");
        assertEquals("[16,32,32]", layers.get(0).get("outputShape").toString());
        JsonNode last = layers.get(layers.size() - 1);
        assertEquals("predictions", last.get("name").asText());
        assertEquals("[10]", last.get("outputShape").toString());
    }

    @Test
    void aSavedModelIsSummarisedFromItsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.zip");
        var net = VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(4).head(Head.cifar()).widthMultiplier(0.0625).buildNetwork();
        ModelFiles.save(net, file, new ModelInfo("vgg11", new int[] {3, 32, 32}, List.of("a", "b", "c", "d"), Preprocessing.unitScale()));
        CliRun run = CliRun.of("summary", "--model", file.toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        assertEquals(net.numParams(), new ObjectMapper().readTree(run.out()).get("totalParams").asLong());
    }

    @Test
    void usageErrorsExitTwoWithOneLineNamingTheValue() {
        assertUsage(CliRun.of("summary", "--config", "F"), "--config", "'F'");
        assertUsage(CliRun.of("summary", "--input", "3x28x28"), "--input", "28x28");
        assertUsage(CliRun.of("summary", "--input", "3x2"), "--input", "'3x2'");
        assertUsage(CliRun.of("summary", "--width", "0"), "--width", "got 0.0");
        assertUsage(CliRun.of("summary", "--classes", "-1"), "--classes", "got -1");
        assertUsage(CliRun.of("summary", "--head", "tiny"), "--head", "'tiny'");
        assertUsage(CliRun.of("summary", "--frobnicate"), "--frobnicate");
    }

    @Test
    void otherFailuresExitOneNamingTheFile(@TempDir Path dir) throws Exception {
        CliRun missing = CliRun.of("summary", "--model", dir.resolve("none.zip").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("none.zip"), missing.err());
        Path text = java.nio.file.Files.writeString(dir.resolve("x.zip"), "not a model");
        CliRun bad = CliRun.of("summary", "--model", text.toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("x.zip") && bad.err().contains("not a zip"), bad.err());
        assertEquals("", bad.out());
    }

    @Test
    void helpTeaches() {
        CliRun top = CliRun.of("--help");
        assertEquals(0, top.exit());
        assertTrue(top.out().contains("summary"), top.out());
        CliRun sub = CliRun.of("summary", "--help");
        assertEquals(0, sub.exit());
        assertTrue(sub.out().contains("--batch-norm") && sub.out().contains("Examples:"), sub.out());
    }

    private static void assertUsage(CliRun run, String... parts) {
        assertEquals(2, run.exit(), run.err());
        for (String p : parts) {
            assertTrue(run.err().contains(p), "stderr '" + run.err() + "' should mention " + p);
        }
        assertEquals("", run.out());
    }
}
