package io.github.vgg4j.core;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Networks from the builder learn: a narrow one quickly, a deep one without BN at all (He init). */
class LearningTest {
    private static final DataSet TRAIN = ShapesTask.generate(1024, 1, 32, 1);
    private static final DataSet TEST = ShapesTask.generate(256, 1, 32, 2);
    private static final double CHANCE = 1.0 / ShapesTask.CLASSES;

    private record Run(double lossBefore, double lossAfter, double[] accuracy) {
        double best() {
            return Arrays.stream(accuracy).max().orElseThrow();
        }
    }

    private static Run train(VGGBuilder builder, int epochs) {
        MultiLayerNetwork net = builder.inputShape(1, 32, 32).numClasses(ShapesTask.CLASSES).head(Head.cifar())
                .widthMultiplier(0.125).buildNetwork();
        double before = net.score(TEST);
        double[] accuracy = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            net.fit(new ListDataSetIterator<>(TRAIN.asList(), 32));
            accuracy[e] = net.evaluate(new ListDataSetIterator<>(TEST.asList(), 64)).accuracy();
        }
        return new Run(before, net.score(TEST), accuracy);
    }

    @Test
    void aNarrowBatchNormVggLearnsTheTask() {
        Run run = train(VGGBuilder.vgg11().batchNorm(true), 3);
        assertTrue(run.accuracy()[2] > 0.9, "test accuracy per epoch " + Arrays.toString(run.accuracy()) + ", chance " + CHANCE);
        assertTrue(run.lossAfter() < 0.6 * run.lossBefore(), "test loss " + run.lossBefore() + " -> " + run.lossAfter());
    }

    @Test
    void aDeepVggWithoutBatchNormDoesNotStallWithTheDefaultInit() {
        Run run = train(VGGBuilder.vgg16().learningRate(0.005), 8);
        assertTrue(run.best() > 0.55, "configuration D without BN stayed near chance: " + Arrays.toString(run.accuracy()));
    }

    @Test
    void thePapersSmallNormalInitStallsTheSameDeepNet() {
        // The failure the VGG write-ups describe, and the reason He init is the default.
        Run run = train(VGGBuilder.vgg16().learningRate(0.005).init(InitScheme.PAPER_NORMAL), 3);
        for (double a : run.accuracy()) {
            assertTrue(Math.abs(a - CHANCE) < 0.05, "expected chance accuracy, got " + Arrays.toString(run.accuracy()));
        }
        assertTrue(Math.abs(run.lossAfter() - Math.log(ShapesTask.CLASSES)) < 0.05, "loss stays at ln(4): " + run.lossAfter());
    }
}
