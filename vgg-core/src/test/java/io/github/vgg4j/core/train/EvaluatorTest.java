package io.github.vgg4j.core.train;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.ShapesTask;
import io.github.vgg4j.core.VGGBuilder;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EvaluatorTest {
    private static final DataSet TRAIN = ShapesTask.generate(64, 1, 32, 1);
    private static final DataSet VAL = ShapesTask.generate(64, 1, 32, 2);
    private static final List<String> LABELS = List.of("h", "v", "box", "disc");

    private static MultiLayerNetwork net() {
        return VGGBuilder.vgg11().inputShape(1, 32, 32).numClasses(4).head(Head.cifar()).widthMultiplier(0.0625)
                .dropout(0).seed(5).buildNetwork();
    }

    private static boolean held(String workspace) {
        return Nd4j.getWorkspaceManager().checkIfWorkspaceExists(workspace)
                && Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(workspace).getCurrentSize() > 0;
    }

    /**
     * Evaluating between training steps leaves neither the training activations' memory nor the
     * inference buffers held (DL4J never shrinks either), and training goes on exactly as without
     * the evaluation. (The convolutions are pinned to one algorithm: while a process is still timing
     * the candidates, the evaluation's forward passes would shift which candidate the evaluated
     * network's next steps run, and the two round differently by ~1e-8.)
     */
    @Test
    void evaluationFreesTheActivationMemoryOfBothPhasesAndTrainingIsUnchanged() {
        System.setProperty("vgg4j.onednn.algorithm", "direct");
        try {
            evaluateBetweenSteps();
        } finally {
            System.clearProperty("vgg4j.onednn.algorithm");
        }
    }

    private static void evaluateBetweenSteps() {
        MultiLayerNetwork evaluated = net();
        MultiLayerNetwork reference = net();
        for (int step = 0; step < 3; step++) {
            evaluated.fit(TRAIN);
            reference.fit(TRAIN);
        }
        assertTrue(held("WS_ALL_LAYERS_ACT"), "training should keep its activations in WS_ALL_LAYERS_ACT");
        reference.output(VAL.getFeatures(), false);
        assertTrue(held("WS_LAYER_ACT_1"), "inference should keep its buffers in WS_LAYER_ACT_1");

        EvaluationReport report = Evaluator.evaluate(evaluated, new ListDataSetIterator<>(VAL.asList(), 16), LABELS);

        assertEquals(64, report.examples());
        for (String ws : new String[] {"WS_ALL_LAYERS_ACT", "WS_LAYER_ACT_1", "WS_LAYER_ACT_2"}) {
            assertFalse(held(ws), ws + " still holds memory after the evaluation");
        }
        for (int step = 0; step < 3; step++) {
            evaluated.fit(TRAIN);
            reference.fit(TRAIN);
        }
        assertEquals(0.0, evaluated.params().sub(reference.params()).amaxNumber().doubleValue());
    }
}
