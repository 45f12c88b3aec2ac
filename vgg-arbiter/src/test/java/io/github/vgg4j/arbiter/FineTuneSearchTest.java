package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.transfer.PretrainedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The fine-tuning search: heads trained on features computed once. */
class FineTuneSearchTest {
    @TempDir
    Path dir;

    @Test
    void headCandidatesTrainOnFeaturesComputedOnceAndTheBestWholeModelIsSaved() throws Exception {
        DataBundle bundle = Idx.open(TinyImages.idx(dir.resolve("tiny"), 320, 2));
        MultiLayerNetwork net = VGGBuilder.vgg11().inputShape(1, 32, 32).numClasses(3).head(Head.fullyConnected(16))
                .widthMultiplier(0.0625).seed(9).buildNetwork();
        PretrainedModel base = new PretrainedModel(net, new ModelInfo("vgg11-tiny", new int[] {1, 32, 32},
                List.of("x", "y", "z"), Preprocessing.unitScale()));
        float[] frozenBefore = net.getLayer("block1_conv1").params().toFloatVector();

        Path cache = dir.resolve("cache");
        FineTuneSearchSpace space = SearchSpace.fineTune(base).hiddenLayers(16).learningRate(Range.logUniform(1e-3, 1e-1))
                .momentum(Range.uniform(0.5, 0.95)).batchSize(Range.of(8, 16));
        SearchResult r = Search.random(space).candidates(3).epochs(6).medianStopping(false).featureCache(cache)
                .output(dir.resolve("out")).run(TrainingData.from(bundle).validationFraction(0.25).batchSize(16).seed(4));

        assertEquals(3, r.candidates().size());
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".features")).count(),
                    "training and validation features, computed once for all candidates");
        }
        for (CandidateResult c : r.candidates()) {
            assertEquals(CandidateResult.Status.COMPLETED, c.status(), c.toString());
            assertEquals(240, c.epochs().get(0).examples());
        }
        CandidateResult best = r.best().orElseThrow();
        System.out.println("best candidate's validation accuracy: " + best.score());
        assertTrue(best.score() > 0.5, "4 classes, chance 0.25: " + best.score());

        var saved = ModelFiles.load(r.bestModel());
        MultiLayerNetwork model = saved.multiLayerNetwork();
        assertEquals(TinyImages.LABELS, saved.info().labels());
        assertArrayEquals(frozenBefore, model.getLayer("block1_conv1").params().toFloatVector(), "frozen layers unchanged");
        try (TrainingData d = TrainingData.from(bundle).validationFraction(0.25).batchSize(16).seed(4)
                .inputShape(1, 32, 32).preprocessing(Preprocessing.unitScale()).augment(false).build()) {
            double accuracy = Evaluator.evaluate(model, d.validation(), d.labels()).accuracy();
            assertEquals(best.score(), accuracy, 1.5 / 80, "the whole saved model, run on the images, scores as its head did");
        }
    }
}
