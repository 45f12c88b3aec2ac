package io.github.vgg4j.transfer;

import io.github.vgg4j.core.GradientCheck;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.BadDataException;
import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageFolder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FineTunerTest {
    @TempDir
    Path dir;

    @Test
    void featurizedFineTuningOfAGraphLeavesFrozenLayersBitIdenticalAndReusesTheCache() throws Exception {
        Path data = Images.classFolders(dir.resolve("shapes"), 4, 12, 40, 1);
        PretrainedModel base = StandIns.graph(false);
        Map<String, float[]> before = StandIns.parameters(base.network());
        FineTuneResult r = tuner(base, true).fit(DataSources.open(data, null));
        assertFalse(r.featurization().cacheHit());
        assertEquals(4, r.headEpochs().size());
        assertFrozenUnchanged(before, r.model());

        Path out = dir.resolve("tuned.zip");
        r.model().save(out);
        ModelInfo info = ModelFiles.readInfo(out);
        assertEquals(List.of("bar", "disc", "ring", "square"), info.labels());
        assertEquals(Preprocessing.caffeImagenet(), info.preprocessing(), "the base's preprocessing travels with the model");
        assertArrayEquals(new int[] {3, 32, 32}, info.inputShape());
        assertEquals("block5_pool", info.properties().get("freezeThrough"));

        FineTuneResult again = tuner(StandIns.graph(false), true).fit(DataSources.open(data, null));
        assertTrue(again.featurization().cacheHit(), "same model, data and preprocessing: the cached features are used");
    }

    @Test
    void multiLayerNetworksWithAndWithoutFeaturizingKeepFrozenLayersBitIdentical() throws Exception {
        Path data = Images.classFolders(dir.resolve("shapes"), 4, 10, 40, 2);
        for (boolean featurize : new boolean[] {true, false}) {
            PretrainedModel base = StandIns.multiLayer(true);
            Map<String, float[]> before = StandIns.parameters(base.network());
            FineTuneResult r = tuner(base, featurize).fit(DataSources.open(data, null));
            assertEquals(featurize, r.featurization() != null);
            assertFrozenUnchanged(before, r.model());
        }
    }

    @Test
    void graphsWithoutFeaturizingAndTheSecondStageKeepWhatIsFrozenBitIdentical() throws Exception {
        Path data = Images.classFolders(dir.resolve("shapes"), 4, 10, 40, 3);
        PretrainedModel base = StandIns.graph(false);
        Map<String, float[]> before = StandIns.parameters(base.network());
        FineTuneResult r = tuner(base, false).unfreezeEpochs(1).fit(DataSources.open(data, null));
        assertEquals(1, r.unfrozenEpochs().size());
        assertEquals("block4_pool", r.model().freezeThrough(), "the second stage unfreezes block 5");
        List<String> changed = StandIns.changed(before, StandIns.parameters(r.model().network()));
        assertTrue(changed.contains("block5_conv1") && changed.contains("fc1"), changed.toString());
        assertFalse(changed.stream().anyMatch(n -> n.matches("block[1-4].*")), changed.toString());
    }

    @Test
    void headTrainingOnCachedFeaturesEqualsTrainingThroughTheFrozenLayers() throws Exception {
        Path data = Images.classFolders(dir.resolve("shapes"), 4, 8, 40, 4);
        List<String> labels = List.of("bar", "disc", "ring", "square");
        PretrainedModel base = StandIns.multiLayer(false);
        // dropout off and plain SGD: both runs must then compute the same updates from the same start
        TransferModel through = FineTune.of(base).labels(labels).hiddenLayers(16).dropout(0).momentum(0).learningRate(0.05).build();
        TransferModel featurized = FineTune.of(StandIns.multiLayer(false)).labels(labels).hiddenLayers(16).dropout(0).momentum(0)
                .learningRate(0.05).build();
        featurized.network().params().assign(through.network().params());
        int steps = 0;

        try (ImageBatches images = ImageBatches.builder(ImageFolder.open(data)).fit(Fit.eval(3, 32, 32))
                .preprocessing(Preprocessing.unitScale()).batchSize(8).build()) {
            MultiLayerNetwork full = (MultiLayerNetwork) through.network();
            images.startEpoch(0);
            while (images.hasNext()) {
                full.fit(images.next());
                steps++;
            }
            Chain chain = Chain.of(featurized.network());
            int freeze = chain.indexOf("block5_pool");
            FeatureCache.Result f = new FeatureCache(dir.resolve("cache")).featurize(chain, freeze, images, 8, -1);
            MultiLayerNetwork head = chain.slice(freeze + 1, chain.size() - 1, null);
            while (f.features().hasNext()) {
                DataSet batch = f.features().next();
                head.fit(batch);
            }
            f.features().close();
            Chain.copyParams(head, featurized.network());
        }
        Map<String, float[]> a = StandIns.parameters(through.network());
        Map<String, float[]> b = StandIns.parameters(featurized.network());
        for (String layer : List.of("fc1", "predictions")) {
            double max = 0;
            double size = 0;
            for (int i = 0; i < a.get(layer).length; i++) {
                max = Math.max(max, Math.abs(a.get(layer)[i] - b.get(layer)[i]));
                size = Math.max(size, Math.abs(a.get(layer)[i]));
            }
            // The frozen layers' features come from a training-mode forward pass in one run and an
            // inference-mode one in the other: the same arithmetic, which oneDNN may round differently
            // (measured: one ulp). Each SGD step may then round each parameter differently once more:
            // 16x (GradientCheck.K) float32's rounding of the largest parameter per step. A feature or
            // label mix-up moves the parameters by a whole update.
            double allowed = GradientCheck.K * GradientCheck.U * size * steps;
            System.out.printf("%s: featurized vs direct training differ by %.3g (allowed %.3g)%n", layer, max, allowed);
            assertTrue(max <= allowed, layer + " differs by " + max + " between featurized and direct training, allowed " + allowed);
        }
        assertNotEquals(0, StandIns.changed(StandIns.parameters(base.network()), a).size());
    }

    @Test
    void oneClassAndAugmentingCachedFeaturesAreRefused() throws Exception {
        Path one = Images.classFolders(dir.resolve("one"), 1, 4, 40, 5);
        BadDataException e = assertThrows(BadDataException.class,
                () -> tuner(StandIns.graph(false), true).fit(DataSources.open(one, null)));
        assertTrue(e.getMessage().contains("only one class"), e.getMessage());
        Path two = Images.classFolders(dir.resolve("two"), 2, 4, 40, 6);
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> tuner(StandIns.graph(false), true).augment(true).fit(DataSources.open(two, null)));
        assertTrue(a.getMessage().contains("--no-featurize"), a.getMessage());
        assertTrue(Files.isDirectory(dir.resolve("cache")) || !Files.exists(dir.resolve("cache")));
    }

    private FineTuner tuner(PretrainedModel base, boolean featurize) {
        return FineTuner.of(FineTune.of(base).learningRate(0.02).weightDecay(0.01)).epochs(4).featurize(featurize).batchSize(8)
                .cacheDirectory(dir.resolve("cache"));
    }

    private static void assertFrozenUnchanged(Map<String, float[]> before, TransferModel m) {
        Map<String, float[]> after = StandIns.parameters(m.network());
        List<String> frozen = m.frozenLayers().stream().filter(before::containsKey).toList();
        assertFalse(frozen.isEmpty());
        List<String> changed = StandIns.changed(before, after);
        assertTrue(changed.stream().noneMatch(frozen::contains), "frozen layers changed: " + changed);
        assertTrue(changed.contains("fc1"), "the head trained: " + changed);
    }
}
