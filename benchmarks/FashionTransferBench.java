import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.RawImage;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.transfer.FineTune;
import io.github.vgg4j.transfer.FineTuneResult;
import io.github.vgg4j.transfer.FineTuner;
import io.github.vgg4j.transfer.Pretrained;
import io.github.vgg4j.transfer.PretrainedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Transfer on real images (Fashion-MNIST, Debian's dataset-fashion-mnist): a VGG11-BN at 1/4 width
 * pretrained on classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat) is fine-tuned on classes
 * 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) from 100 labelled images per class, with frozen
 * features, and compared with the same network trained from scratch on those 500 images with the
 * same budget (epochs, optimizer, learning rate). Test accuracy on the 5,000 test images of 5-9.
 *
 * Run: benchmarks/transfer.sh [pretrainImages] [pretrainEpochs] [epochs] [freezeThrough] [seeds]
 */
public class FashionTransferBench {
    static final double TARGET_FRACTION = 1 / 60.0; // 6,000 training images per class -> 100

    public static void main(String[] args) throws Exception {
        int pretrainImages = args.length > 0 ? Integer.parseInt(args[0]) : 30000;
        int pretrainEpochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        String freeze = args.length > 3 ? args[3] : "block5_pool";
        int seeds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        double lr = 0.01;
        DataBundle fashion = Idx.open(Idx.locateFashionMnist());
        DataBundle source = classes(fashion, 0, 5);
        DataBundle target = classes(fashion, 5, 10);

        Path cached = Path.of(System.getProperty("java.io.tmpdir"), "vgg4j-fashion0-4-" + pretrainImages + "x" + pretrainEpochs + ".zip");
        long t0 = System.nanoTime();
        PretrainedModel pretrained;
        if (Files.isRegularFile(cached)) {
            pretrained = Pretrained.saved(cached, null);
        } else {
            try (TrainingData data = TrainingData.from(source).limitTrain(pretrainImages).batchSize(64).seed(1).build()) {
                MultiLayerNetwork net = network(5, lr).buildNetwork();
                new Trainer(TrainingOptions.epochs(pretrainEpochs)).fit(net, data.train(), null, data.labels(), TrainingProgress.NONE);
                double acc = Evaluator.evaluate(net, data.test(), data.labels()).accuracy();
                System.out.printf(Locale.ROOT, "pretrained on %d images of classes 0-4 x %d epochs: test accuracy (0-4) %.4f%n",
                        data.train().numExamples(), pretrainEpochs, acc);
                ModelInfo info = data.modelInfo("vgg11_bn-fashion0-4", Map.of());
                ModelFiles.save(net, cached, info, false);
                pretrained = new PretrainedModel(net, info);
            }
        }
        System.out.printf(Locale.ROOT, "source model %s (%.0f s)%n", cached, (System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "%-5s %-34s %10s %10s%n", "seed", "run (500 images of 5-9, " + epochs + " epochs)", "test acc", "seconds");
        List<double[]> results = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            long seed = 42 + s;
            long a = System.nanoTime();
            FineTuneResult transfer = FineTuner.of(FineTune.of(Pretrained.saved(cached, null)).learningRate(lr).seed(seed)
                    .freezeThrough(freeze)).epochs(epochs).batchSize(32).seed(seed).trainFraction(TARGET_FRACTION)
                    .validationFraction(0).fit(target);
            double ta = (System.nanoTime() - a) / 1e9;
            long b = System.nanoTime();
            double scratch;
            try (TrainingData data = TrainingData.from(target).preprocessing(pretrained.preprocessing()).augment(false)
                    .trainFraction(TARGET_FRACTION).batchSize(32).seed(seed).build()) {
                MultiLayerNetwork net = network(5, lr).seed(seed).buildNetwork();
                new Trainer(TrainingOptions.epochs(epochs)).fit(net, data.train(), null, data.labels(), TrainingProgress.NONE);
                scratch = Evaluator.evaluate(net, data.test(), data.labels()).accuracy();
            }
            double sa = (System.nanoTime() - b) / 1e9;
            System.out.printf(Locale.ROOT, "%-5d %-34s %10.4f %10.1f%n", seed, "transfer, frozen through " + freeze,
                    transfer.test().accuracy(), ta);
            System.out.printf(Locale.ROOT, "%-5d %-34s %10.4f %10.1f%n", seed, "scratch", scratch, sa);
            results.add(new double[] {transfer.test().accuracy(), scratch});
        }
        double t = results.stream().mapToDouble(r -> r[0]).average().orElse(Double.NaN);
        double sc = results.stream().mapToDouble(r -> r[1]).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "mean over %d seeds: transfer %.4f, scratch %.4f%n", seeds, t, sc);
    }

    static VGGBuilder network(int classes, double lr) {
        return VGGBuilder.vgg11().batchNorm(true).inputShape(1, 32, 32).numClasses(classes).head(Head.cifar())
                .widthMultiplier(0.25).learningRate(lr).seed(1);
    }

    /** Classes from..to-1 of the training and test sets, renumbered from 0. */
    static DataBundle classes(DataBundle b, int from, int to) {
        ImageDataset train = subset(b.train(), from, to);
        ImageDataset test = subset(b.test(), from, to);
        return new DataBundle(b.format(), b.source() + " classes " + from + "-" + (to - 1), train, test, null, train.labels());
    }

    static ImageDataset subset(ImageDataset data, int from, int to) {
        int[] keep = java.util.stream.IntStream.range(0, data.size()).filter(i -> data.label(i) >= from && data.label(i) < to).toArray();
        List<String> names = List.copyOf(data.labels().subList(from, to));
        return new ImageDataset() {
            public int size() {
                return keep.length;
            }

            public List<String> labels() {
                return names;
            }

            public int label(int i) {
                return data.label(keep[i]) - from;
            }

            public String id(int i) {
                return data.id(keep[i]);
            }

            public RawImage read(int i, Fit fit, SplittableRandom random) throws BadImageException {
                return data.read(keep[i], fit, random);
            }

            public String source() {
                return data.source();
            }

            public int[] nativeShape() {
                return data.nativeShape();
            }
        };
    }
}
