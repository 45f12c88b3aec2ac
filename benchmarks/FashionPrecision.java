import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.LearningRateSchedule;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Locale;

/**
 * The Fashion-MNIST recipe of docs/results.md (VGG11-BN at half width on 32x32, no dropout,
 * random crop and flip, SGD with Nesterov momentum 0.9, cosine decay from 0.05 over the run,
 * weight decay 5e-4, batch 128, 5% held out) trained in each of the given precisions in turn, from the same seed:
 * validation accuracy and seconds per epoch, then test accuracy. The recipe's full run is 40
 * epochs (about 80 minutes per precision in float32 on a quiet 2-core machine).
 * Run: benchmarks/fashion-precision.sh EPOCHS [fp32,bf16]
 */
public class FashionPrecision {
    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        String[] precisions = (args.length > 1 ? args[1] : "fp32,bf16").split(",");
        for (String p : precisions) {
            Precision precision = Precision.parse(p);
            try (TrainingData data = TrainingData.from(Idx.open(Idx.locateFashionMnist())).inputShape(1, 32, 32)
                    .validationFraction(0.05).batchSize(128).seed(42).build()) {
                MultiLayerNetwork net = VGGBuilder.vgg11().batchNorm(true).inputShape(1, 32, 32).numClasses(10)
                        .head(Head.cifar()).widthMultiplier(0.5).dropout(0).learningRate(0.05).momentum(0.9).weightDecay(5e-4)
                        .seed(42).precision(precision).buildNetwork();
                System.out.printf("%s (%s): %d epochs%n", FastPath.precision(net), FastPath.status().detail(), epochs);
                TrainingOptions options = TrainingOptions.epochs(epochs).withSeed(42)
                        .withSchedule(new LearningRateSchedule.Cosine(0));
                new Trainer(options).fit(net, data.train(), data.validation(), data.labels(), new TrainingProgress() {
                    @Override
                    public void epoch(EpochResult r) {
                        System.out.printf(Locale.ROOT, "  %s epoch %d: loss %.4f, validation accuracy %.4f (%.0f s)%n",
                                precision, r.epoch() + 1, r.trainLoss(), r.validationAccuracy(), r.seconds());
                    }
                });
                double test = Evaluator.evaluate(net, data.test(), data.labels()).accuracy();
                System.out.printf(Locale.ROOT, "%s: test accuracy %.4f after %d epochs%n", precision, test, epochs);
            }
        }
    }
}
