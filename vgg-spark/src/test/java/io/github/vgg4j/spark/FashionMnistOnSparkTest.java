package io.github.vgg4j.spark;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The acceptance run, in local mode: VGG-A with batch norm at quarter width on Fashion-MNIST
 * reaches the single-process test accuracy (within 0.05) at equal epochs on two workers. A
 * training subset keeps it to about a minute on two cores; the whole test set is evaluated.
 */
class FashionMnistOnSparkTest {
    private static final Path FASHION = Idx.DEBIAN_FASHION_MNIST;
    private static final int EXAMPLES = 8000;
    private static final int EPOCHS = 2;

    private static TrainingData data() throws IOException {
        return TrainingData.from(DataSources.open(FASHION, null)).batchSize(64).seed(42).limitTrain(EXAMPLES).build();
    }

    private static MultiLayerNetwork vggA() {
        return new VGGBuilder().configuration(VggConfiguration.parse("A")).batchNorm(true).inputShape(1, 32, 32).numClasses(10)
                .head(Head.cifar()).widthMultiplier(0.25).seed(42).buildNetwork();
    }

    @Test
    void twoWorkersReachTheSingleProcessAccuracyAtEqualEpochs() throws IOException {
        assumeTrue(Files.isRegularFile(FASHION.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed at " + FASHION + " (Debian package dataset-fashion-mnist)");
        TrainingOptions options = TrainingOptions.epochs(EPOCHS).withSeed(42);
        double single;
        MultiLayerNetwork a = vggA();
        try (TrainingData d = data()) {
            new Trainer(options).fit(a, d.train(), null, d.labels(), TrainingProgress.NONE);
            single = Evaluator.evaluate(a, d.test(), d.labels()).accuracy();
        }
        double spark;
        MultiLayerNetwork b = vggA();
        SparkTrainer.Result r;
        try (TrainingData d = data()) {
            r = new SparkTrainer(SparkTraining.on("local[2]"), options).fit(b, d, FASHION.toString(), TrainingProgress.NONE);
            spark = Evaluator.evaluate(b, d.test(), d.labels()).accuracy();
        }
        System.out.printf("Fashion-MNIST, %d examples x %d epochs: single process %.4f, local[2] %.4f (%d workers x batch %d, "
                        + "averaging every %d; %.1f ms per minibatch on the executors)%n", EXAMPLES, EPOCHS, single, spark,
                r.workers(), r.batchPerWorker(), r.averagingFrequency(), r.executorSecondsPerBatch() * 1e3);
        assertTrue(single > 0.7, "the single-process run learns: " + single);
        assertEquals(single, spark, 0.05, "local[2] vs single process");
    }
}
