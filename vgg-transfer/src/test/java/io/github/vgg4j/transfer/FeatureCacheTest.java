package io.github.vgg4j.transfer;

import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageFolder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class FeatureCacheTest {
    private static final List<String> LABELS = List.of("bar", "disc", "ring");

    @TempDir
    Path dir;

    @Test
    void featuresAreTheFrozenPartsOutputComputedOnceAndReused() throws Exception {
        Path data = Images.classFolders(dir.resolve("data"), 3, 5, 40, 1);
        TransferModel model = FineTune.of(StandIns.graph(false)).labels(LABELS).build();
        Chain chain = Chain.of(model.network());
        int freeze = chain.indexOf("block5_pool");
        FeatureCache cache = new FeatureCache(dir.resolve("cache"));

        FeatureCache.Result first;
        try (ImageBatches images = images(data, Preprocessing.caffeImagenet(), 32)) {
            first = cache.featurize(chain, freeze, images, 4, -1);
            assertFalse(first.cacheHit());
            assertEquals(15, first.features().examples());
            // the same numbers as running the frozen layers now, in inference mode
            MultiLayerNetwork frozen = chain.slice(0, freeze, null);
            images.startEpoch(0);
            DataSet batch = images.next();
            INDArray expected = frozen.output(batch.getFeatures(), false);
            DataSet cached = first.features().next();
            assertArrayEquals(expected.shape(), cached.getFeatures().shape());
            assertEquals(0, expected.sub(cached.getFeatures()).amaxNumber().doubleValue(), 0.0);
            assertEquals(batch.getLabels(), cached.getLabels());
            first.features().close();
        }
        try (ImageBatches images = images(data, Preprocessing.caffeImagenet(), 32)) {
            FeatureCache.Result again = cache.featurize(chain, freeze, images, 4, -1);
            assertTrue(again.cacheHit(), "same model, data and preprocessing: from the cache");
            assertEquals(first.file(), again.file());
            again.features().close();
        }
        // training settings do not change the features: a different learning rate reuses them
        TransferModel otherLr = FineTune.of(new PretrainedModel(model.plainNetwork(), model.info())).labels(LABELS).learningRate(0.5).build();
        try (ImageBatches images = images(data, Preprocessing.caffeImagenet(), 32)) {
            FeatureCache.Result r = cache.featurize(Chain.of(otherLr.network()), freeze, images, 4, -1);
            assertTrue(r.cacheHit(), "a new learning rate keeps the cache");
            r.features().close();
        }
    }

    @Test
    void anyChangeToModelDataPreprocessingOrSizeGivesANewEntry() throws Exception {
        Path data = Images.classFolders(dir.resolve("data"), 3, 4, 40, 2);
        TransferModel model = FineTune.of(StandIns.graph(false)).labels(LABELS).build();
        Chain chain = Chain.of(model.network());
        int freeze = chain.indexOf("block5_pool");
        FeatureCache cache = new FeatureCache(dir.resolve("cache"));
        Path base = key(cache, chain, freeze, data, Preprocessing.caffeImagenet(), 32);

        assertNotEquals(base, key(cache, chain, freeze, data, Preprocessing.unitScale(), 32), "preprocessing");
        assertNotEquals(base, key(cache, chain, freeze, data, Preprocessing.caffeImagenet(), 40), "input size (fit)");
        assertNotEquals(base, key(cache, chain, freeze - 1, data, Preprocessing.caffeImagenet(), 32), "freeze point");
        TransferModel other = FineTune.of(StandIns.graph(false)).labels(LABELS).build();
        other.network().params().addi(1e-3); // other frozen weights
        assertNotEquals(base, key(cache, Chain.of(other.network()), freeze, data, Preprocessing.caffeImagenet(), 32), "weights");

        Path image = data.resolve("disc").resolve("disc1.png");
        Images.draw(image, 2, 40, new Random(9));
        Files.setLastModifiedTime(image, FileTime.fromMillis(Files.getLastModifiedTime(image).toMillis() + 5000));
        Path changed = key(cache, chain, freeze, data, Preprocessing.caffeImagenet(), 32);
        assertNotEquals(base, changed, "an image file changed");
        Files.delete(data.resolve("ring").resolve("ring0.png"));
        assertNotEquals(changed, key(cache, chain, freeze, data, Preprocessing.caffeImagenet(), 32), "an image removed");
    }

    @Test
    void aDamagedEntryIsComputedAgainNotTrusted() throws Exception {
        Path data = Images.classFolders(dir.resolve("data"), 3, 3, 40, 3);
        TransferModel model = FineTune.of(StandIns.multiLayer(false)).labels(LABELS).build();
        Chain chain = Chain.of(model.network());
        int freeze = chain.indexOf("block5_pool");
        FeatureCache cache = new FeatureCache(dir.resolve("cache"));
        Path file = key(cache, chain, freeze, data, Preprocessing.unitScale(), 32);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        try (ImageBatches images = images(data, Preprocessing.unitScale(), 32)) {
            FeatureCache.Result r = cache.featurize(chain, freeze, images, 4, -1);
            assertFalse(r.cacheHit(), "a truncated entry is not used");
            assertEquals(9, r.features().examples());
            r.features().close();
        }
        assertEquals(bytes.length, Files.size(file));
    }

    private Path key(FeatureCache cache, Chain chain, int freeze, Path data, Preprocessing p, int size) throws Exception {
        try (ImageBatches images = images(data, p, size)) {
            FeatureCache.Result r = cache.featurize(chain, freeze, images, 4, -1);
            r.features().close();
            return r.file();
        }
    }

    private static ImageBatches images(Path data, Preprocessing p, int size) throws Exception {
        return ImageBatches.builder(ImageFolder.open(data)).fit(Fit.eval(3, size, size)).preprocessing(p).batchSize(4).build();
    }
}
