package io.github.vgg4j.transfer;

import io.github.vgg4j.core.ShapesTask;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FineTuneTest {
    private static final List<String> LABELS = List.of("bar", "column", "square", "disc");

    @Test
    void frozenParametersOfAMultiLayerNetworkAreBitIdenticalAfterTrainingWithWeightDecay() {
        assertOnlyTheHeadTrains(StandIns.multiLayer(true), "block5_pool");
    }

    @Test
    void frozenParametersOfAComputationGraphAreBitIdenticalAfterTrainingWithWeightDecay() {
        assertOnlyTheHeadTrains(StandIns.graph(false), "block5_pool");
    }

    @Test
    void freezingThroughFc2TrainsOnlyTheNewPredictions() {
        TransferModel m = assertOnlyTheHeadTrains(StandIns.graph(false), "fc2");
        assertEquals(List.of("predictions"), m.layerNames().subList(m.frozenLayers().size(), m.layerNames().size()));
    }

    @Test
    void theNewHeadIsSizedToTheLabelsAndKeepsTheStableNames() {
        for (PretrainedModel base : List.of(StandIns.multiLayer(false), StandIns.graph(false))) {
            TransferModel m = FineTune.of(base).labels(LABELS).build();
            assertEquals(base.layerNames(), m.layerNames(), "same layers, same names: only predictions is new");
            Chain.Step predictions = Chain.of(m.network()).steps().get(m.layerNames().size() - 1);
            assertInstanceOf(OutputLayer.class, predictions.conf().getLayer(), "a dense predictions becomes an output layer");
            assertEquals(4, ((OutputLayer) predictions.conf().getLayer()).getNOut());
            assertEquals("block5_pool", m.freezeThrough());
            assertEquals(LABELS, m.info().labels());
            assertEquals(base.preprocessing(), m.info().preprocessing());
        }
    }

    @Test
    void newHiddenLayersReplaceFc1AndFc2() {
        for (PretrainedModel base : List.of(StandIns.multiLayer(false), StandIns.graph(false))) {
            TransferModel m = FineTune.of(base).labels(LABELS).hiddenLayers(12).build();
            List<String> names = m.layerNames();
            assertEquals(List.of("block5_pool", "fc1", "fc1_dropout", "predictions"), names.subList(names.indexOf("block5_pool"), names.size()));
            DataSet ds = ShapesTask.generate(8, 3, StandIns.SIZE, 1);
            assertArrayEquals(new long[] {8, 4}, output(m.network(), ds).shape());
        }
    }

    @Test
    void vggFaceStyleNamesResolveByBlockAndTheLastLayerIsReplaced() {
        PretrainedModel face = StandIns.graph(true);
        TransferModel m = FineTune.of(face).labels(LABELS).build();
        assertEquals("pool5", m.freezeThrough(), "the default freeze point is the last pooling layer");
        assertEquals("predictions", m.layerNames().get(m.layerNames().size() - 1));
        assertEquals("fc7", m.layerNames().get(m.layerNames().size() - 2), "fc8 is replaced, fc6/fc7 kept");
        assertEquals("pool4", FineTune.of(face).labels(LABELS).freezeThrough("block4_pool").build().freezeThrough());
        assertEquals("fc7", FineTune.of(face).labels(LABELS).freezeThrough("fc2").build().freezeThrough());
    }

    @Test
    void badFreezePointsAndLabelsAreExplained() {
        PretrainedModel base = StandIns.graph(false);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> FineTune.of(base).labels(LABELS).freezeThrough("block9_pool").build());
        assertTrue(unknown.getMessage().contains("no layer 'block9_pool'") && unknown.getMessage().contains("block5_pool, flatten".replace(", flatten", ""))
                && unknown.getMessage().contains("fc2, predictions"), unknown.getMessage());
        IllegalArgumentException replaced = assertThrows(IllegalArgumentException.class,
                () -> FineTune.of(base).labels(LABELS).freezeThrough("predictions").build());
        assertTrue(replaced.getMessage().contains("cannot freeze through 'predictions'"), replaced.getMessage());
        IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class,
                () -> FineTune.of(base).labels(LABELS).hiddenLayers(8).freezeThrough("fc1").build());
        assertTrue(hidden.getMessage().contains("replaced by the new head"), hidden.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> FineTune.of(base).labels(List.of("cat")));
        assertTrue(one.getMessage().contains("at least 2 classes"), one.getMessage());
    }

    @Test
    void continuingAFineTuningNeedsTheSameClasses() {
        PretrainedModel tuned = StandIns.multiLayer(false); // labels a, b, c, d
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTune.of(tuned).labels(List.of("a", "b", "c")).keepHead(true).build());
        assertTrue(e.getMessage().contains("4 classes [a, b, c, d]") && e.getMessage().contains("3 classes [a, b, c]"), e.getMessage());
        TransferModel kept = FineTune.of(tuned).labels(List.of("a", "b", "c", "d")).keepHead(true).build();
        assertEquals(tuned.layerNames(), kept.layerNames());
    }

    @Test
    void unfreezingTheLastBlockTrainsItWithTheNewLearningRate() {
        TransferModel m = FineTune.of(StandIns.graph(false)).labels(LABELS).build();
        TransferModel stage2 = m.unfreezeThrough("block4_pool", 1e-4);
        assertEquals("block4_pool", stage2.freezeThrough());
        assertTrue(stage2.trainableParams() > m.trainableParams());
        Map<String, float[]> before = StandIns.parameters(stage2.network());
        fit(stage2.network(), ShapesTask.generate(32, 3, StandIns.SIZE, 2), 2);
        List<String> changed = StandIns.changed(before, StandIns.parameters(stage2.network()));
        assertTrue(changed.contains("block5_conv1") && changed.contains("predictions"), changed.toString());
        assertFalse(changed.stream().anyMatch(n -> n.startsWith("block4") || n.startsWith("block1")), changed.toString());
        assertThrows(IllegalArgumentException.class, () -> m.unfreezeThrough("fc1", 1e-4));
    }

    private static TransferModel assertOnlyTheHeadTrains(PretrainedModel base, String freezeThrough) {
        TransferModel m = FineTune.of(base).labels(LABELS).freezeThrough(freezeThrough).learningRate(0.05).weightDecay(0.05).build();
        Map<String, float[]> before = StandIns.parameters(m.network());
        fit(m.network(), ShapesTask.generate(64, 3, StandIns.SIZE, 1), 3);
        List<String> changed = StandIns.changed(before, StandIns.parameters(m.network()));
        List<String> trainable = m.layerNames().subList(m.frozenLayers().size(), m.layerNames().size()).stream()
                .filter(before::containsKey).toList();
        assertEquals(trainable, changed, "exactly the layers after " + freezeThrough + " change");
        return m;
    }

    static void fit(Model net, DataSet data, int epochs) {
        for (int e = 0; e < epochs; e++) {
            for (DataSet batch : data.batchBy(16)) {
                if (net instanceof MultiLayerNetwork m) {
                    m.fit(batch);
                } else {
                    ((ComputationGraph) net).fit(batch);
                }
            }
        }
    }

    private static org.nd4j.linalg.api.ndarray.INDArray output(Model net, DataSet ds) {
        return net instanceof MultiLayerNetwork m ? m.output(ds.getFeatures(), false) : ((ComputationGraph) net).outputSingle(ds.getFeatures());
    }
}
