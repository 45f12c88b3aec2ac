package io.github.vgg4j.datavec;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training in bfloat16 reaches the accuracy of float32: an accuracy test, not a timing. A narrow
 * VGG-BN (3 blocks, 16-32-64 channels, 28x28 grey) trains 2 epochs on 6,000 Fashion-MNIST images
 * in each precision from the same initial weights and data order, and both are evaluated on the
 * 10,000 test images.
 *
 * <p>Why 3 points: the two runs share everything but the arithmetic, yet they part from the first
 * step (bfloat16 keeps 8 significant bits, and a network at initialisation is ill-conditioned: 1e-4
 * relative noise on the input moves float32 gradients by ~2%), so they end as two runs of different
 * seeds do. Measured in this setting: float32 runs of seeds 1, 2, 3 ended at 77.7%, 80.4%, 80.8%
 * (a 3-point spread), bfloat16 runs of the same seeds 0.1 to 1.2 points from float32's (seed 42:
 * 81.6% and 82.1%). A precision that hurt training (a mis-scaled gradient, the loss or the update in
 * bfloat16) would cost more than the seeds' spread. The floor of 75% proves both learned (10
 * classes: 10% by chance). Skips where the CPU has no native bfloat16.
 */
class Bf16AccuracyTest {

    @Test
    void twoEpochsInBfloat16EndWithinThreePointsOfFloat32() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Idx.DEBIAN_FASHION_MNIST),
                "skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist puts it in "
                        + Idx.DEBIAN_FASHION_MNIST + ")");
        Assumptions.assumeTrue(FastPath.resolve(Precision.AUTO) == Precision.BF16,
                "skipped: this CPU does not compute bfloat16 natively (" + FastPath.status().detail() + ")");
        double fp32 = accuracy(Precision.FP32);
        double bf16 = accuracy(Precision.BF16);
        System.out.printf("Fashion-MNIST, 2 epochs on 6,000 images: test accuracy fp32 %.4f, bf16 %.4f%n", fp32, bf16);
        assertTrue(fp32 > 0.75, "float32 did not learn: " + fp32);
        assertTrue(bf16 > 0.75, "bfloat16 did not learn: " + bf16);
        assertEquals(fp32, bf16, 0.03, "test accuracy, float32 vs bfloat16");
    }

    private static double accuracy(Precision precision) throws Exception {
        DataBundle fashion = Idx.open(Idx.locateFashionMnist());
        try (TrainingData data = TrainingData.from(fashion).inputShape(1, 28, 28).limitTrain(6000).augment(false)
                .batchSize(64).seed(42).build()) {
            MultiLayerNetwork net = new VGGBuilder().blocks(new int[][] {{1, 16}, {1, 32}, {2, 64}}).batchNorm(true)
                    .inputShape(1, 28, 28).numClasses(10).head(Head.fullyConnected(128)).dropout(0)
                    .learningRate(0.05).momentum(0.9).weightDecay(5e-4).seed(42).precision(precision).buildNetwork();
            assertEquals(precision, FastPath.precision(net));
            new Trainer(TrainingOptions.epochs(2).withSeed(42)).fit(net, data.train(), null, data.labels(), TrainingProgress.NONE);
            return Evaluator.evaluate(net, data.test(), data.labels()).accuracy();
        }
    }
}
