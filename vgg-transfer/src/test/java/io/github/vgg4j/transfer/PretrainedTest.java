package io.github.vgg4j.transfer;

import io.github.vgg4j.core.internal.Checksum;
import io.github.vgg4j.core.internal.Downloads;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.zoo.Vgg16;
import io.github.vgg4j.core.zoo.Vgg19;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.PretrainedType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * DL4J's zoo files and saved models. The real zoo files cannot be downloaded here, so a stand-in
 * with the pretrained graph's layout is put where DL4J's cache keeps the real one: the offline
 * path is checked by its message, the loading path by giving the loader the stand-in's checksum.
 */
class PretrainedTest {
    @TempDir
    Path dir;

    @BeforeEach
    void cacheInTempDir() throws IOException {
        DL4JResources.setBaseDirectory(Files.createDirectories(dir.resolve("dl4j")).toFile());
        System.setProperty(Downloads.OFFLINE, "true");
    }

    @AfterEach
    void restore() {
        DL4JResources.resetBaseDirectoryLocation();
        System.clearProperty(Downloads.OFFLINE);
    }

    @Test
    void offlineTheZooSaysWhichFileToPutWhere() throws Exception {
        Path file = new Vgg16().pretrainedFile(PretrainedType.IMAGENET);
        assertTrue(file.startsWith(dir), file.toString());
        IOException missing = assertThrows(IOException.class, () -> Pretrained.open("zoo:vgg16"));
        assertTrue(missing.getMessage().contains("vgg16_dl4j_inference.zip") && missing.getMessage().contains(file.toString())
                && missing.getMessage().contains("adler32 3501732770"), missing.getMessage());

        // A file that is there but not the published one is not trusted either.
        Files.createDirectories(file.getParent());
        ModelSerializer.writeModel(StandIns.zooGraph(false), file.toFile(), false);
        IOException corrupt = assertThrows(IOException.class, () -> Pretrained.zoo(new Vgg16(), PretrainedType.IMAGENET));
        assertTrue(corrupt.getMessage().contains(file.toString()), corrupt.getMessage());
    }

    @Test
    void aVerifiedZooFileLoadsAsAGraphWithCaffePreprocessingAndTakesANewHead() throws Exception {
        Vgg16 zoo = new Vgg16();
        Path file = zoo.pretrainedFile(PretrainedType.IMAGENET);
        Files.createDirectories(file.getParent());
        ModelSerializer.writeModel(StandIns.zooGraph(false), file.toFile(), false);
        Checksum standIn = Checksum.adler32(Long.parseLong(Checksum.adler32(0).compute(file)));
        PretrainedModel m = Pretrained.zooFile(java.net.URI.create(zoo.pretrainedUrl(PretrainedType.IMAGENET)), file, standIn,
                "vgg16", PretrainedType.IMAGENET);
        assertTrue(m.isGraph());
        assertEquals(Preprocessing.caffeImagenet(), m.preprocessing());
        assertArrayEquals(new int[] {3, 32, 32}, m.inputShape(), "input size from the flatten and the five pools");
        assertEquals("vgg16-imagenet", m.info().architecture());
        TransferModel t = FineTune.of(m).labels(List.of("a", "b")).build();
        assertInstanceOf(ComputationGraph.class, t.network());
        assertEquals("predictions", t.layerNames().get(t.layerNames().size() - 1));

        PretrainedModel face = Pretrained.zooFile(java.net.URI.create("http://example.invalid/x.zip"), file, standIn, "vgg16",
                PretrainedType.VGGFACE);
        assertEquals(Preprocessing.ChannelOrder.BGR, face.preprocessing().channelOrder());
        assertArrayEquals(new double[] {93.5940, 104.7624, 129.1863}, face.preprocessing().mean());
    }

    @Test
    void baseSpecificationsAreCheckedWithClearMessages() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> Pretrained.open("zoo:vgg99"));
        assertTrue(name.getMessage().contains("vgg99") && name.getMessage().contains("zoo:vgg16"), name.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> Pretrained.open("zoo:vgg19:cifar10"));
        assertTrue(type.getMessage().contains("no CIFAR10 weights for vgg19"), type.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> Pretrained.open("zoo:vgg16:faces"));
        assertTrue(kind.getMessage().contains("faces"), kind.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> Pretrained.zoo(new Vgg19(true), PretrainedType.IMAGENET));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Pretrained.open(dir.resolve("none.zip").toString()));
    }

    @Test
    void savedModelsCarryTheirPreprocessingAndPlainDl4jZipsNeedOne() throws Exception {
        PretrainedModel m = StandIns.multiLayer(true);
        Path saved = dir.resolve("m.zip");
        m.save(saved);
        PretrainedModel back = Pretrained.open(saved.toString());
        assertEquals(m.info().labels(), back.info().labels());
        assertEquals(Preprocessing.unitScale(), back.preprocessing());

        Path plain = dir.resolve("plain.zip");
        ModelSerializer.writeModel(StandIns.zooGraph(false), plain.toFile(), false);
        IOException none = assertThrows(IOException.class, () -> Pretrained.saved(plain, null));
        assertTrue(none.getMessage().contains("plain.zip") && none.getMessage().contains("preprocessing"), none.getMessage());
        PretrainedModel given = Pretrained.saved(plain, Preprocessing.torchvisionImagenet());
        assertArrayEquals(new int[] {3, 32, 32}, given.inputShape());
        assertNull(ModelFiles.readInfo(plain));
    }
}
