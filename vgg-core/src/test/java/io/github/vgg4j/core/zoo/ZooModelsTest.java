package io.github.vgg4j.core.zoo;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.internal.Downloads;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.ZooType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ZooModelsTest {
    @TempDir
    Path cache;
    private File previousCache;
    private String previousUrl;

    @BeforeEach
    void isolateDl4jCache() {
        previousCache = DL4JResources.getBaseDirectory();
        previousUrl = DL4JResources.getBaseDownloadURL();
        DL4JResources.setBaseDirectory(cache.toFile());
    }

    @AfterEach
    void restore() {
        DL4JResources.setBaseDirectory(previousCache);
        DL4JResources.setBaseDownloadURL(previousUrl);
    }

    @Test
    void zooModelsAreDl4jZooModelsOfTheirConfiguration() {
        ZooModel<?>[] models = {new Vgg11(), new Vgg13(), new Vgg16(), new Vgg19(), new Vgg16(true)};
        String[] names = {"vgg11", "vgg13", "vgg16", "vgg19", "vgg16_bn"};
        VggConfiguration[] configs = {VggConfiguration.A, VggConfiguration.B, VggConfiguration.D, VggConfiguration.E, VggConfiguration.D};
        for (int i = 0; i < models.length; i++) {
            VggZooModel m = (VggZooModel) models[i];
            assertEquals(names[i], m.modelName());
            assertEquals(configs[i], m.configuration());
            assertEquals(ComputationGraph.class, m.modelType());
            assertArrayEquals(new int[] {3, 224, 224}, m.metaData().getInputShape()[0]);
            assertEquals(ZooType.CNN, m.metaData().getZooType());
        }
    }

    @Test
    void initBuildsTheNetworkWithTheOptionsGiven() {
        Vgg16 zoo = new Vgg16(true, b -> b.numClasses(10).head(Head.cifar()).widthMultiplier(0.0625));
        zoo.setInputShape(new int[][] {{1, 32, 32}});
        ComputationGraph net = zoo.init(); // typed as DL4J's zoo types it, on vgg4j's kernels
        assertEquals(10, net.getLayer("predictions").getParam("b").length());
        assertNotNull(net.getLayer("block1_bn1"));
        assertEquals(1, net.getLayer("block1_conv1").getParam("W").size(1));
        assertArrayEquals(new int[] {1, 32, 32}, zoo.metaData().getInputShape()[0]);
        assertThrows(IllegalArgumentException.class, () -> new Vgg16(false, b -> b.configuration("A")));
    }

    @Test
    void pretrainedFilesAreDl4jsOwn() {
        Vgg16 vgg16 = new Vgg16();
        assertTrue(vgg16.pretrainedUrl(PretrainedType.IMAGENET).endsWith("/models/vgg16_dl4j_inference.zip"));
        assertEquals(3501732770L, vgg16.pretrainedChecksum(PretrainedType.IMAGENET));
        assertTrue(vgg16.pretrainedUrl(PretrainedType.CIFAR10).endsWith("/models/vgg16_dl4j_cifar10_inference.v1.zip"));
        assertEquals(2192260131L, vgg16.pretrainedChecksum(PretrainedType.CIFAR10));
        assertEquals(2706403553L, vgg16.pretrainedChecksum(PretrainedType.VGGFACE));
        assertEquals(2782932419L, new Vgg19().pretrainedChecksum(PretrainedType.IMAGENET));
        assertTrue(new Vgg19().pretrainedAvailable(PretrainedType.IMAGENET));
        assertFalse(new Vgg19().pretrainedAvailable(PretrainedType.CIFAR10));
        assertFalse(new Vgg11().pretrainedAvailable(PretrainedType.IMAGENET));
        assertFalse(new Vgg16(true).pretrainedAvailable(PretrainedType.IMAGENET), "DL4J publishes no BN weights");
        assertEquals(cache.resolve("models/vgg16/vgg16_dl4j_inference.zip"), vgg16.pretrainedFile(PretrainedType.IMAGENET));
        UnsupportedOperationException none = assertThrows(UnsupportedOperationException.class,
                () -> new Vgg11().initPretrained(PretrainedType.IMAGENET));
        assertTrue(none.getMessage().contains("vgg11"), none.getMessage());
    }

    @Test
    void offlineTheErrorNamesTheFileAndWhereToPutIt() {
        System.setProperty(Downloads.OFFLINE, "true");
        try {
            Vgg16 vgg16 = new Vgg16();
            IOException e = assertThrows(IOException.class, () -> vgg16.initPretrained(PretrainedType.IMAGENET));
            assertTrue(e.getMessage().contains("vgg16_dl4j_inference.zip"), e.getMessage());
            assertTrue(e.getMessage().contains(cache.resolve("models/vgg16").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("3501732770"), e.getMessage());
        } finally {
            System.clearProperty(Downloads.OFFLINE);
        }
    }

    @Test
    void aCachedFileWithTheWrongChecksumIsNotUsed() throws IOException {
        // A stand-in for the 500 MB file: a real DL4J graph zip, which cannot have the published checksum.
        Vgg16 vgg16 = new Vgg16();
        Path file = vgg16.pretrainedFile(PretrainedType.IMAGENET);
        Files.createDirectories(file.getParent());
        ComputationGraph graph = new Vgg11(false, b -> b.inputShape(3, 32, 32).numClasses(2).head(Head.cifar())
                .widthMultiplier(0.0625)).init();
        ModelSerializer.writeModel(graph, file.toFile(), false);
        DL4JResources.setBaseDownloadURL("http://127.0.0.1:9/"); // nothing listens on the discard port
        IOException e = assertThrows(IOException.class, () -> vgg16.initPretrained(PretrainedType.IMAGENET));
        assertTrue(e.getMessage().contains("could not download"), e.getMessage());
    }
}
