package io.github.vgg4j.examples;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.LearningRateSchedule;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.Cifar10;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The CIFAR-10 recipe of the VGG write-ups: VGG16-BN with the 512-512 head and dropout, random
 * crop with 4 px padding and horizontal flip, CIFAR-10 mean/std normalisation, SGD with Nesterov
 * momentum 0.9, weight decay 5e-4, learning rate 0.05 divided by 10 at epochs 80 and 120 of 160.
 * The write-ups report 92-93% test accuracy with it: a reference, not a measurement of ours (the
 * dataset cannot be downloaded on the machines this project is built on). Same as
 * {@code ./vgg train --data cifar-10-binary.tar.gz --config D --batch-norm --input 3x32x32 --head cifar
 * --epochs 160 --batch 128 --lr 0.05 --lr-schedule step:0.1:80,120}.
 *
 * <pre>./vgg example TrainCifar10 [cifar-10-binary.tar.gz | cifar-10-batches-bin/] [EPOCHS] [RUN_FOLDER]</pre>
 * Without an argument the archive is looked up in the dataset cache, or downloaded and verified.
 * Checkpoints and the model go to RUN_FOLDER (default cifar10-run); run it again to resume.
 */
public final class TrainCifar10 {
    public static void main(String[] args) throws Exception {
        DataBundle cifar = Cifar10.open(args.length > 0 ? Path.of(args[0]) : Cifar10.locate());
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 160;
        Path run = Path.of(args.length > 2 ? args[2] : "cifar10-run");
        try (TrainingData data = TrainingData.from(cifar).validationFraction(0.1).batchSize(128).seed(42).build()) {
            MultiLayerNetwork net = VGGBuilder.vgg16().batchNorm(true).inputShape(3, 32, 32).numClasses(10)
                    .head(Head.cifar()).learningRate(0.05).momentum(0.9).weightDecay(5e-4).seed(42).buildNetwork();
            TrainingOptions options = TrainingOptions.epochs(epochs).withSeed(42)
                    .withSchedule(new LearningRateSchedule.Steps(0.1, List.of(80, 120)))
                    .withCheckpoints(run, 10, data.modelInfo("vgg16_bn-cifar10", Map.of()))
                    .resumingIfCheckpointed();
            new Trainer(options).fit(net, data.train(), data.validation(), data.labels(), new TrainingProgress() {
                @Override
                public void epoch(io.github.vgg4j.core.train.EpochResult r) {
                    System.out.printf("epoch %d: loss %.4f, validation accuracy %.4f, lr %.4g (%.0f s)%n", r.epoch() + 1,
                            r.trainLoss(), r.validationAccuracy(), r.learningRate(), r.seconds());
                }
            });
            EvaluationReport test = Evaluator.evaluate(net, data.test(), data.labels());
            System.out.printf("test accuracy %.4f (the write-ups' reference: 0.92-0.93)%n", test.accuracy());
            ModelFiles.save(net, run.resolve("model.zip"), data.modelInfo("vgg16_bn-cifar10", Map.of()));
        }
    }
}
