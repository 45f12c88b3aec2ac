package io.github.vgg4j.spark;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.TrainingData;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Trains a vgg4j network data-parallel on Apache Spark: DL4J's parameter averaging, with every
 * worker's network on vgg4j's kernels and every executor reading its share of the data from the
 * data's location (a path all machines can read, or an hdfs:// / s3a:// URI). The run is vgg-core's
 * {@link Trainer} with one averaging round per step, so that the learning-rate schedule, evaluation
 * after every epoch, checkpoints, the divergence guard and {@code resume} behave as in
 * {@code vgg train}. The driver's network holds the result: save it with {@code ModelFiles.save}.
 *
 * <pre>{@code
 * try (TrainingData data = TrainingData.from(DataSources.open(path, null)).batchSize(64).build()) {
 *     MultiLayerNetwork net = VGGBuilder.vgg11().batchNorm(true)...buildNetwork();
 *     SparkTrainer.Result r = new SparkTrainer(SparkTraining.on("spark://host:7077"), TrainingOptions.epochs(10))
 *             .fit(net, data, path.toString(), TrainingProgress.NONE);
 *     ModelFiles.save(net, out, data.modelInfo("vgg11_bn", Map.of()));
 * }
 * }</pre>
 */
public final class SparkTrainer {
    /** Training accuracy is measured after each epoch on this many training examples, as in {@code vgg train}. */
    private static final int TRAIN_ACCURACY_SAMPLE = 2000;

    private final SparkTraining spark;
    private final TrainingOptions options;
    private final List<TrainingHook> hooks = new ArrayList<>();

    public SparkTrainer(SparkTraining spark, TrainingOptions options) {
        this.spark = spark;
        this.options = options;
    }

    /**
     * Where this machine reads a data location: a plain path (or file: URI) as it is; an hdfs://,
     * s3a:// or other Hadoop file-system URI copied once per machine and file version (what the
     * driver opens before {@link #fit}; the executors do the same with the location).
     */
    public static Path dataPath(String location) throws IOException {
        return RemoteData.local(location);
    }

    /** Runs {@code hook} around every minibatch on the workers too (tests inject executor faults with it). */
    SparkTrainer withHook(TrainingHook hook) {
        hooks.add(hook);
        return this;
    }

    /**
     * The run's history, how it was spread, and what the executors saw: one line per task saying
     * what its network ran on, and the mean time of one minibatch's fit on an executor.
     */
    public record Result(Trainer.TrainingResult training, int workers, int batchPerWorker, int averagingFrequency,
                         List<String> workerNetworks, double executorSecondsPerBatch) {

        /**
         * What a run reports after training ({@code vgg train --spark}, {@code SparkTrainMain}): how it
         * was spread, one minibatch's fit on the executors, and what the workers' networks ran on.
         */
        public List<String> summary() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "%d workers x batch %d, averaging every %d; %.1f ms per minibatch on the "
                    + "executors", workers, batchPerWorker, averagingFrequency, executorSecondsPerBatch * 1e3));
            new LinkedHashSet<>(workerNetworks).forEach(line -> lines.add("worker network: " + line));
            return lines;
        }
    }

    /** Starts a Spark context on {@link SparkTraining#master()} (spark-submit's when null), trains, stops it. */
    public Result fit(MultiLayerNetwork net, TrainingData data, String location, TrainingProgress progress) {
        JavaSparkContext sc = SparkContexts.create(spark.master());
        try {
            return fit(sc, net, data, location, progress);
        } finally {
            sc.stop();
        }
    }

    /**
     * Trains on an existing context. {@code location} is where executors read the data {@code data}
     * was opened from (its path, or the URI it was copied from).
     */
    public Result fit(JavaSparkContext sc, MultiLayerNetwork net, TrainingData data, String location,
                      TrainingProgress progress) {
        int workers = spark.workers() > 0 ? spark.workers() : sc.defaultParallelism();
        int batch = spark.batchPerWorker() > 0 ? spark.batchPerWorker() : Math.max(1, data.train().batch() / workers);
        DoubleAccumulator loss = sc.sc().doubleAccumulator("vgg4j loss");
        LongAccumulator batches = sc.sc().longAccumulator("vgg4j batches");
        DoubleAccumulator fitSeconds = sc.sc().doubleAccumulator("vgg4j fit seconds");
        CollectionAccumulator<String> networks = sc.sc().collectionAccumulator("vgg4j worker networks");

        KernelAveragingMaster master = new KernelAveragingMaster(workers, batch, spark.averagingFrequency(), FastPath.precision(net));
        master.addHook(new WorkerHook(loss, batches, fitSeconds, networks));
        hooks.forEach(master::addHook);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, master);
        DataRecipe recipe = DataRecipe.of(location, data.bundle().format(), data.train(), batch);
        RoundSteps steps = new RoundSteps(sparkNet, master, data.train(), recipe, options.seed(), workers, batch,
                spark.averagingFrequency(), loss, batches);
        Trainer.TrainingResult result = new Trainer(options).fit(net, steps, data.validation(),
                data.trainSample(TRAIN_ACCURACY_SAMPLE), data.labels(), progress);
        long n = batches.count();
        return new Result(result, workers, batch, spark.averagingFrequency(), List.copyOf(networks.value()),
                n == 0 ? Double.NaN : fitSeconds.sum() / n);
    }
}
