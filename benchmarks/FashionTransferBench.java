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
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Transfer on real images (Fashion-MNIST, Debian's dataset-fashion-mnist): a VGG11-BN at 1/4 width
 * pretrained on classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat) is fine-tuned on classes
 * 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) from 100 labelled images per class with frozen,
 * featurized layers, and compared with the same network trained from scratch on those 500 images
 * with the same budget (epochs, optimizer and learning rate, batch, images). Test accuracy on the
 * 5,000 test images of 5-9, per seed (the 500 images drawn, the initialisation) and averaged.
 *
 * <p>Transfer runs are {@code freezeThrough:head}: {@code kept} keeps the source's fc1/fc2 (the
 * library's default: only {@code predictions} is new), {@code new} re-initialises them at the same
 * widths and dropout as the scratch network's classifier. The linear probes (a softmax regression
 * fitted to convergence on the 500 images' frozen features) say how much about classes 5-9 each
 * layer of the source keeps, whatever the head and the budget.
 *
 * Run: benchmarks/transfer.sh [pretrainImages] [pretrainEpochs] [epochs] [seeds] [runs]; the defaults
 * (30000 4 12 3 block5_pool:kept,block5_pool:new,fc2:kept,block4_pool:kept,block4_pool:new,block3_pool:new)
 * give docs/transfer.md's table. The source is kept in java.io.tmpdir between runs.
 */
public class FashionTransferBench {
    static final double TARGET_FRACTION = 1 / 60.0; // 6,000 training images per class -> 100
    static final double LR = 0.01;
    /**
     * Dropout of the classifiers (scratch, source and new heads): 0 as in the Fashion-MNIST recipe,
     * because DL4J's dropout slows early training far more than PyTorch's (docs/results.md);
     * -Dvgg4j.bench.dropout=0.5 gives the paper's.
     */
    static final double DROPOUT = Double.parseDouble(System.getProperty("vgg4j.bench.dropout", "0"));

    public static void main(String[] args) throws Exception {
        int pretrainImages = args.length > 0 ? Integer.parseInt(args[0]) : 30000;
        int pretrainEpochs = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        int seeds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        String[] runs = (args.length > 4 ? args[4]
                : "block5_pool:kept,block5_pool:new,fc2:kept,block4_pool:kept,block4_pool:new,block3_pool:new").split(",");
        DataBundle fashion = Idx.open(Idx.locateFashionMnist());
        DataBundle source = classes(fashion, 0, 5);
        DataBundle target = classes(fashion, 5, 10);

        Path cached = Path.of(System.getProperty("java.io.tmpdir"), "vgg4j-fashion0-4-" + pretrainImages + "x" + pretrainEpochs
                + "-dropout" + DROPOUT + ".zip");
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(cached)) {
            try (TrainingData data = TrainingData.from(source).limitTrain(pretrainImages).batchSize(64).seed(1).build()) {
                MultiLayerNetwork net = network(1).buildNetwork();
                new Trainer(TrainingOptions.epochs(pretrainEpochs)).fit(net, data.train(), null, data.labels(), TrainingProgress.NONE);
                ModelFiles.save(net, cached, data.modelInfo("vgg11_bn-fashion0-4", Map.of()), false);
            }
        }
        PretrainedModel pretrained = Pretrained.saved(cached, null);
        double sourceAccuracy;
        try (TrainingData data = TrainingData.from(source).preprocessing(pretrained.preprocessing()).augment(false).build()) {
            sourceAccuracy = Evaluator.evaluate(pretrained.network(), data.test(), data.labels()).accuracy();
        }
        System.out.printf(Locale.ROOT, "dropout %.2f in every classifier%n", DROPOUT);
        System.out.printf(Locale.ROOT, "source: VGG11-BN 1/4 width, %d images of classes 0-4 x %d epochs (%s, %.0f s): "
                + "test accuracy on 0-4 %.4f%n", pretrainImages, pretrainEpochs, cached, (System.nanoTime() - t0) / 1e9, sourceAccuracy);

        linearProbes(pretrained, target);

        System.out.printf(Locale.ROOT, "%n%-5s %-28s %10s %10s%n", "seed", "run (500 images of 5-9, " + epochs + " ep)", "test acc", "seconds");
        Map<String, List<Double>> results = new LinkedHashMap<>();
        for (int s = 0; s < seeds; s++) {
            long seed = 42 + s;
            long b = System.nanoTime();
            double scratch;
            try (TrainingData data = TrainingData.from(target).preprocessing(pretrained.preprocessing()).augment(false)
                    .trainFraction(TARGET_FRACTION).batchSize(32).seed(seed).build()) {
                MultiLayerNetwork net = network(seed).buildNetwork();
                new Trainer(TrainingOptions.epochs(epochs)).fit(net, data.train(), null, data.labels(), TrainingProgress.NONE);
                scratch = Evaluator.evaluate(net, data.test(), data.labels()).accuracy();
            }
            print(seed, "scratch", scratch, b, results);
            for (String run : runs) {
                String freeze = run.split(":")[0];
                boolean newHead = run.endsWith(":new");
                long a = System.nanoTime();
                FineTune ft = FineTune.of(Pretrained.saved(cached, null)).learningRate(LR).seed(seed).freezeThrough(freeze);
                if (newHead) {
                    ft.hiddenLayers(128, 128).dropout(DROPOUT); // the scratch network's classifier widths and dropout
                }
                FineTuneResult transfer = FineTuner.of(ft).epochs(epochs).batchSize(32).seed(seed)
                        .trainFraction(TARGET_FRACTION).validationFraction(0).fit(target);
                print(seed, "frozen through " + freeze + (newHead ? ", new fc" : ", kept fc"), transfer.test().accuracy(), a, results);
            }
        }
        System.out.printf(Locale.ROOT, "%nmean over %d seeds (min..max):%n", seeds);
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            var st = e.getValue().stream().mapToDouble(Double::doubleValue).summaryStatistics();
            System.out.printf(Locale.ROOT, "  %-36s %.4f (%.4f..%.4f)%n", e.getKey(), st.getAverage(), st.getMin(), st.getMax());
        }
    }

    private static void print(long seed, String run, double acc, long since, Map<String, List<Double>> results) {
        System.out.printf(Locale.ROOT, "%-5d %-36s %.4f %8.1f%n", seed, run, acc, (System.nanoTime() - since) / 1e9);
        results.computeIfAbsent(run, k -> new ArrayList<>()).add(acc);
    }

    /** A softmax regression fitted to convergence on the frozen features of the 500 images (seed 42's draw), per layer. */
    static void linearProbes(PretrainedModel source, DataBundle target) throws Exception {
        MultiLayerNetwork net = (MultiLayerNetwork) source.network();
        List<String> names = source.layerNames();
        System.out.println("linear probes (softmax regression on the frozen features of the 500 images, 5,000 test images of 5-9):");
        try (TrainingData d = TrainingData.from(target).preprocessing(source.preprocessing()).augment(false)
                .trainFraction(TARGET_FRACTION).batchSize(64).seed(42).build()) {
            for (String layer : new String[] {"input", "block3_pool", "block4_pool", "block5_pool", "fc1", "fc2"}) {
                int i = layer.equals("input") ? -1 : names.indexOf(layer);
                DataSet train = features(d.train(), i, net);
                DataSet test = features(d.test(), i, net);
                INDArray f = train.getFeatures();
                System.out.printf(Locale.ROOT, "  %-12s %5d features, %4.0f%% zero on these images: test accuracy %.4f%n",
                        layer.equals("input") ? "raw pixels" : layer, f.size(1),
                        100 * f.eq(0).castTo(DataType.FLOAT).meanNumber().doubleValue(), softmaxRegression(train, test));
            }
        }
    }

    static DataSet features(DataSetIterator it, int layer, MultiLayerNetwork net) {
        it.reset();
        List<INDArray> xs = new ArrayList<>();
        List<INDArray> ys = new ArrayList<>();
        while (it.hasNext()) {
            DataSet b = it.next();
            INDArray x = layer < 0 ? b.getFeatures() : net.feedForwardToLayer(layer, b.getFeatures(), false).get(layer + 1);
            xs.add(x.reshape(x.size(0), x.length() / x.size(0)).dup());
            ys.add(b.getLabels());
        }
        return new DataSet(Nd4j.vstack(xs), Nd4j.vstack(ys));
    }

    static double softmaxRegression(DataSet train, DataSet test) {
        MultiLayerNetwork lr = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2)).l2(1e-4).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(train.getFeatures().size(1)).nOut(5)
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build()).build());
        lr.init();
        for (int i = 0; i < 300; i++) {
            lr.fit(train);
        }
        INDArray p = lr.output(test.getFeatures());
        return p.argMax(1).eq(test.getLabels().argMax(1)).castTo(DataType.FLOAT).meanNumber().doubleValue();
    }

    static VGGBuilder network(long seed) {
        return VGGBuilder.vgg11().batchNorm(true).inputShape(1, 32, 32).numClasses(5).head(Head.cifar())
                .widthMultiplier(0.25).learningRate(LR).dropout(DROPOUT).seed(seed);
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
