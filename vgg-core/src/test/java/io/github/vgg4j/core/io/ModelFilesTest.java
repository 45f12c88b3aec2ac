package io.github.vgg4j.core.io;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModelFilesTest {
    @TempDir
    Path dir;

    private static MultiLayerNetwork smallNet() {
        return VGGBuilder.vgg11().batchNorm(true).inputShape(3, 32, 32).numClasses(3).head(Head.cifar())
                .widthMultiplier(0.0625).buildNetwork();
    }

    private static final ModelInfo INFO = new ModelInfo("vgg11_bn", new int[] {3, 32, 32}, List.of("cat", "dog", "fox"),
            Preprocessing.cifar10(), Map.of("epochs", "3"));

    @Test
    void saveAndLoadKeepWeightsUpdaterLabelsAndPreprocessing() throws IOException {
        MultiLayerNetwork net = smallNet();
        INDArray x = Nd4j.rand(new int[] {4, 3, 32, 32});
        net.fit(x, Nd4j.eye(3).getRows(0, 1, 2, 0)); // creates updater state
        Path file = dir.resolve("model.zip");
        ModelFiles.save(net, file, INFO);

        ModelFiles.LoadedModel loaded = ModelFiles.load(file);
        MultiLayerNetwork back = loaded.multiLayerNetwork();
        assertEquals(net.output(x), back.output(x));
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        assertEquals(INFO, loaded.info());
        assertEquals(INFO, ModelFiles.readInfo(file));
        // Loaded nets run vgg4j's kernels where there are any (vgg-onednn runs this test again on them).
        boolean kernels = FastPath.status().kernels();
        assertEquals(kernels ? "OneDnnConvolutionLayer" : "ConvolutionLayer", back.getLayer("block1_conv1").getClass().getSimpleName());
        assertEquals(kernels ? "OneDnnSubsamplingLayer" : "SubsamplingLayer", back.getLayer("block1_pool").getClass().getSimpleName());
        back.fit(x, Nd4j.eye(3).getRows(0, 1, 2, 0)); // and train on them
        // Still a plain DL4J model zip:
        assertEquals(net.params(), ModelSerializer.restoreMultiLayerNetwork(file.toFile()).params());
    }

    @Test
    void summarizeReadsOnlyTheConfigurationAndTheSavedInputShape() throws IOException {
        Path file = dir.resolve("model.zip");
        MultiLayerNetwork net = smallNet();
        ModelFiles.save(net, file, INFO);
        var summary = ModelFiles.summarize(file, null);
        assertEquals("vgg11_bn", summary.model());
        assertEquals(net.numParams(), summary.totalParams());
        assertArrayEquals(new long[] {3, 32, 32}, summary.inputShape());

        Path plain = dir.resolve("plain.zip");
        ModelSerializer.writeModel(net, plain.toFile(), false);
        IOException noShape = assertThrows(IOException.class, () -> ModelFiles.summarize(plain, null));
        assertTrue(noShape.getMessage().contains("--input"), noShape.getMessage());
        assertEquals(net.numParams(), ModelFiles.summarize(plain, new int[] {3, 32, 32}).totalParams());
    }

    @Test
    void graphsAndZipsWithoutInfoLoadToo() throws IOException {
        ComputationGraph graph = smallNet().toComputationGraph();
        Path file = dir.resolve("graph.zip");
        ModelSerializer.writeModel(graph, file.toFile(), false);
        ModelFiles.LoadedModel loaded = ModelFiles.load(file);
        assertEquals(graph.params(), loaded.computationGraph().params());
        assertNull(loaded.info());
        assertThrows(IllegalStateException.class, loaded::multiLayerNetwork);
    }

    @Test
    void aFailedSaveLeavesThePreviousModelIntact() throws IOException {
        Path file = dir.resolve("model.zip");
        MultiLayerNetwork net = smallNet();
        ModelFiles.save(net, file, INFO);
        byte[] before = Files.readAllBytes(file);
        // A network without weights cannot be written: the save fails half-way through.
        MultiLayerNetwork uninitialised = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
        assertThrows(Exception.class, () -> ModelFiles.save(uninitialised, file, INFO));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void badFilesGetClearErrors() throws IOException {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> ModelFiles.load(dir.resolve("nope.zip")));
        assertTrue(missing.getMessage().contains("nope.zip"));

        Path text = Files.writeString(dir.resolve("notes.zip"), "this is not a zip");
        IOException notZip = assertThrows(IOException.class, () -> ModelFiles.load(text));
        assertTrue(notZip.getMessage().contains("notes.zip") && notZip.getMessage().contains("not a zip"), notZip.getMessage());

        Path otherZip = dir.resolve("other.zip");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(otherZip))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.write("hello".getBytes());
        }
        IOException notModel = assertThrows(IOException.class, () -> ModelFiles.load(otherZip));
        assertTrue(notModel.getMessage().contains("configuration.json"), notModel.getMessage());

        Path file = dir.resolve("model.zip");
        ModelFiles.save(smallNet(), file, INFO);
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = Files.write(dir.resolve("truncated.zip"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IOException cut = assertThrows(IOException.class, () -> ModelFiles.load(truncated));
        assertTrue(cut.getMessage().contains("truncated.zip"), cut.getMessage());
    }
}
