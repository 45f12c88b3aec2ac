package io.github.vgg4j.transfer;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Transfer on real images (Debian's Fashion-MNIST): a small VGG pretrained on classes 0-4
 * (T-shirt/top, Trouser, Pullover, Dress, Coat), fine-tuned with frozen features on classes 5-9
 * (Sandal, Shirt, Sneaker, Bag, Ankle boot) from 100 labelled images per class, beats the same
 * network trained from scratch on those 500 images with the same budget (epochs, optimizer).
 * benchmarks/transfer.sh runs the larger version whose numbers are in docs/transfer.md.
 */
class FashionTransferTest {
    static final double TARGET_FRACTION = 1 / 60.0; // 6,000 training images per class -> 100

    @TempDir
    Path dir;

    @Test
    void frozenPretrainedFeaturesBeatTrainingFromScratchOn500Images() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Idx.DEBIAN_FASHION_MNIST),
                "skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        DataBundle fashion = Idx.open(Idx.DEBIAN_FASHION_MNIST);
        long t0 = System.nanoTime();
        PretrainedModel source = pretrain(ClassSubset.of(fashion, 0, 5), 4000, 2);
        long t1 = System.nanoTime();
        DataBundle target = ClassSubset.of(fashion, 5, 10);
        int epochs = 12;

        FineTuneResult transfer = FineTuner.of(FineTune.of(source).learningRate(0.01)).epochs(epochs).batchSize(32)
                .trainFraction(TARGET_FRACTION).validationFraction(0).cacheDirectory(dir.resolve("cache")).fit(target);
        long t2 = System.nanoTime();
        double scratch = scratch(source, target, epochs);
        long t3 = System.nanoTime();
        System.out.printf("pretrain %.0fs; transfer: %d images, test accuracy %.4f (%.0fs); scratch: %.4f (%.0fs)%n",
                (t1 - t0) / 1e9, transfer.trainExamples(), transfer.test().accuracy(), (t2 - t1) / 1e9, scratch, (t3 - t2) / 1e9);
        assertEquals(500, transfer.trainExamples());
        assertEquals(5000, transfer.test().examples());
        assertTrue(transfer.test().accuracy() > scratch + 0.02,
                "transfer " + transfer.test().accuracy() + " vs scratch " + scratch);
    }

    /** A VGG11-BN at 1/4 width pretrained on the source classes. */
    static PretrainedModel pretrain(DataBundle source, int limit, int epochs) throws Exception {
        try (TrainingData data = TrainingData.from(source).limitTrain(limit).batchSize(64).seed(1).build()) {
            MultiLayerNetwork net = network(source.labels().size()).buildNetwork();
            new Trainer(TrainingOptions.epochs(epochs)).fit(net, data.train(), null, data.labels(), TrainingProgress.NONE);
            ModelInfo info = data.modelInfo("vgg11_bn-fashion0-4", java.util.Map.of());
            return new PretrainedModel(net, info);
        }
    }

    static VGGBuilder network(int classes) {
        return VGGBuilder.vgg11().batchNorm(true).inputShape(1, 32, 32).numClasses(classes).head(Head.cifar())
                .widthMultiplier(0.25).learningRate(0.01).seed(1);
    }

    /** The same network and optimizer, from scratch, on the same images read the same way. */
    static double scratch(PretrainedModel source, DataBundle target, int epochs) throws Exception {
        try (TrainingData data = TrainingData.from(target).preprocessing(source.preprocessing()).augment(false)
                .trainFraction(TARGET_FRACTION).batchSize(32).seed(42).build()) {
            MultiLayerNetwork net = network(target.labels().size()).buildNetwork();
            new Trainer(TrainingOptions.epochs(epochs)).fit(net, data.train(), null, data.labels(), TrainingProgress.NONE);
            EvaluationReport r = Evaluator.evaluate(net, data.test(), data.labels());
            return r.accuracy();
        }
    }
}
