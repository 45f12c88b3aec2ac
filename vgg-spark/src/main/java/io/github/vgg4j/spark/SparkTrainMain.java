package io.github.vgg4j.spark;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.EvaluationReport;
import io.github.vgg4j.core.train.Evaluator;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.TrainingData;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The main class of the {@code spark-submit} jar: trains a VGG from vgg4j's builder on a dataset
 * every executor can read, evaluates it on the test split, saves a vgg4j model file. Options as
 * {@code vgg train}'s, plus the cluster's under the names {@code vgg train --spark} gives them:
 *
 * <pre>
 * spark-submit --master spark://host:7077 --class io.github.vgg4j.spark.SparkTrainMain vgg-spark-spark.jar \
 *     --data /shared/fashion-mnist --config A --batch-norm --width 0.25 --epochs 2 --out fashion.zip \
 *     [--batch 64] [--spark-workers N] [--spark-batch-per-worker B] [--spark-averaging F] [--spark-mode averaging]
 *     [--lr 0.01] [--seed 42] [--limit-train N] [--val-fraction F] [--checkpoint-dir DIR [--resume]] [--spark local[2]]
 * </pre>
 * Exit status 0, 2 for a usage error, 1 for any other failure, with one line on stderr. Outside
 * {@code spark-submit}, {@code vgg train --spark MASTER} is the same run with all of
 * {@code vgg train}'s options (and Spark's jars and module options added by {@code ./vgg}).
 */
public final class SparkTrainMain {
    private SparkTrainMain() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("vgg-spark: " + e.getMessage());
            status = 2;
        } catch (Exception e) {
            System.err.println("vgg-spark: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    static int run(String[] args) throws IOException {
        Map<String, String> o = options(args);
        String data = required(o, "--data");
        int epochs = integer(o, "--epochs", 10);
        int batch = integer(o, "--batch", 64);
        long seed = Long.parseLong(o.getOrDefault("--seed", "42"));
        Path out = Path.of(o.getOrDefault("--out", "vgg-model.zip"));
        SparkTraining.mode(o.getOrDefault("--spark-mode", SparkTraining.AVERAGING));
        SparkTraining spark = new SparkTraining(o.get("--spark"), integer(o, "--spark-workers", 0),
                integer(o, "--spark-batch-per-worker", 0),
                integer(o, "--spark-averaging", SparkTraining.DEFAULT_AVERAGING_FREQUENCY));

        Path local = SparkTrainer.dataPath(data);
        TrainingData.Builder tb = TrainingData.from(io.github.vgg4j.datavec.DataSources.open(local, null))
                .batchSize(batch).seed(seed).limitTrain(integer(o, "--limit-train", 0));
        if (o.containsKey("--val-fraction")) {
            tb.validationFraction(Double.parseDouble(o.get("--val-fraction")));
        }
        try (TrainingData d = tb.build()) {
            int[] in = d.inputShape();
            VGGBuilder builder = new VGGBuilder().configuration(VggConfiguration.parse(o.getOrDefault("--config", "A")))
                    .batchNorm(o.containsKey("--batch-norm")).inputShape(in[0], in[1], in[2]).numClasses(d.labels().size())
                    .head(Head.parse(in[1] > 64 || in[2] > 64 ? "imagenet" : "cifar"))
                    .widthMultiplier(Double.parseDouble(o.getOrDefault("--width", "1")))
                    .learningRate(Double.parseDouble(o.getOrDefault("--lr", "0.01"))).seed(seed);
            MultiLayerNetwork net = builder.buildNetwork();
            Map<String, String> props = new HashMap<>(Map.of("epochs", String.valueOf(epochs), "seed", String.valueOf(seed),
                    "spark", String.valueOf(spark.master())));
            ModelInfo info = d.modelInfo(builder.name(), props);
            TrainingOptions options = TrainingOptions.epochs(epochs).withSeed(seed);
            if (o.containsKey("--checkpoint-dir")) {
                options = options.withCheckpoints(Path.of(o.get("--checkpoint-dir")), 0, info).resuming(o.containsKey("--resume"));
            }
            System.err.printf(Locale.ROOT, "vgg-spark: %s, %s: %d training images; %s%n", d.bundle().format(), data,
                    d.train().numExamples(), builder.name());
            SparkTrainer.Result r = new SparkTrainer(spark, options).fit(net, d, data, new TrainingProgress() {
                @Override
                public void epoch(EpochResult e) {
                    String validation = Double.isNaN(e.validationAccuracy()) ? ""
                            : String.format(Locale.ROOT, ", validation accuracy %.4f", e.validationAccuracy());
                    System.err.printf(Locale.ROOT, "epoch %d/%d: loss %.4f%s, %d examples in %.1f s (%.0f examples/s on the "
                            + "cluster)%n", e.epoch() + 1, epochs, e.trainLoss(), validation, e.examples(), e.seconds(),
                            e.examples() / e.seconds());
                }
            });
            r.summary().forEach(System.err::println);
            ModelFiles.save(net, out, info);
            if (d.test() != null) {
                EvaluationReport test = Evaluator.evaluate(net, d.test(), d.labels());
                System.out.printf(Locale.ROOT, "test accuracy %.4f (%d examples)%n", test.accuracy(), d.test().numExamples());
            } else {
                System.out.printf(Locale.ROOT, "validation accuracy %.4f%n", r.training().last().validationAccuracy());
            }
            System.out.println("model saved to " + out);
        }
        return 0;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            if (a.equals("--batch-norm") || a.equals("--resume")) {
                o.put(a, "true");
            } else if (i + 1 < args.length) {
                o.put(a, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        return o;
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return v;
    }

    private static int integer(Map<String, String> o, String name, int fallback) {
        String v = o.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a whole number, got '" + v + "'");
        }
    }
}
