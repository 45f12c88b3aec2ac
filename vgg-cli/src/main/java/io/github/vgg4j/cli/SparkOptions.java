package io.github.vgg4j.cli;

import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.TrainingData;
import io.github.vgg4j.spark.SparkTrainer;
import io.github.vgg4j.spark.SparkTraining;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Mixin: {@code vgg train --spark MASTER}: the same run (data, network, schedule, augmentation,
 * seeds, evaluation, checkpoints, resume, report) trained data-parallel on Apache Spark by
 * vgg-spark's {@link SparkTrainer} in place of the single-process trainer.
 */
final class SparkOptions {

    /** Options of {@code vgg train} that do not apply to a run on Spark, and why. */
    private static final List<String[]> NOT_ON_SPARK = List.of(
            new String[] {"--ui", "DL4J's training UI listens to the driver's network, which the executors train, not it"},
            new String[] {"--ui-port", "DL4J's training UI listens to the driver's network, which the executors train, not it"});

    /** Set by ./vgg with --spark: the command line's jar and classpath (not Spark's). */
    static final String CLASSPATH_PROPERTY = "vgg4j.cli.classpath";

    @Option(names = "--spark", paramLabel = "MASTER", converter = Converters.SparkMaster.class,
            description = {"Train data-parallel on Apache Spark (parameter averaging; docs/spark.md): local[N] (N worker "
                    + "threads in this JVM), spark://HOST:PORT (a standalone cluster), yarn or k8s://.... --data must be "
                    + "readable by every executor: a shared path, or an hdfs:// or s3a:// URI."})
    String master;

    @Option(names = "--spark-mode", paramLabel = "averaging|sharing", converter = Converters.SparkMode.class,
            description = "With --spark: how workers combine their work. averaging (the default) only: gradient sharing "
                    + "is refused (docs/spark.md says why).")
    String mode;

    @Option(names = "--spark-workers", paramLabel = "N", converter = Converters.SparkWorkers.class,
            description = "With --spark: workers that train at once, one Spark task each. Default: the cluster's cores.")
    Integer workers;

    @Option(names = "--spark-batch-per-worker", paramLabel = "B", converter = Converters.SparkBatchPerWorker.class,
            description = "With --spark: examples per minibatch on each worker. Default: --batch divided by the workers "
                    + "(one averaging round = one step of the single-process run).")
    Integer batchPerWorker;

    @Option(names = "--spark-averaging", paramLabel = "F", converter = Converters.SparkAveraging.class,
            description = "With --spark: minibatches each worker trains between two averages. Default: "
                    + SparkTraining.DEFAULT_AVERAGING_FREQUENCY + " (higher: less traffic, less gain per epoch).")
    Integer averaging;

    boolean on() {
        return master != null;
    }

    /** Usage errors: a --spark-* option without --spark, or an option of train that does not apply on Spark. */
    void check(CommandSpec spec) {
        if (!on()) {
            for (String name : List.of("--spark-mode", "--spark-workers", "--spark-batch-per-worker", "--spark-averaging")) {
                if (Usage.given(spec, name)) {
                    throw Usage.error(spec, name + " needs --spark MASTER (it sets how a run on Spark is spread)");
                }
            }
            return;
        }
        for (String[] option : NOT_ON_SPARK) {
            if (Usage.given(spec, option[0])) {
                throw Usage.error(spec, option[0] + " does not apply with --spark: " + option[1]);
            }
        }
    }

    SparkTraining training() {
        SparkTraining t = SparkTraining.on(master);
        return t.withWorkers(workers == null ? 0 : workers).withBatchPerWorker(batchPerWorker == null ? 0 : batchPerWorker)
                .withAveragingFrequency(averaging == null ? SparkTraining.DEFAULT_AVERAGING_FREQUENCY : averaging);
    }

    /**
     * The data as the driver opens it. {@code --data} as typed is the location the executors read:
     * an hdfs:// or s3a:// URI is copied once per machine (vgg-spark), so it is not read as a path.
     */
    DataBundle open(CommandSpec spec, DataOptions data) throws IOException {
        return DataSources.open(SparkTrainer.dataPath(location(spec, data)), data.format);
    }

    private static String location(CommandSpec spec, DataOptions data) {
        List<String> typed = spec.findOption("--data").originalStringValues();
        return typed.isEmpty() ? data.data.toString() : typed.get(typed.size() - 1);
    }

    /** Trains on the cluster; prints how the run was spread and what the executors ran on. */
    Trainer.TrainingResult fit(CommandSpec spec, DataOptions dataOptions, MultiLayerNetwork net, TrainingData data,
                               TrainingOptions options, TrainingProgress progress, PrintWriter err) {
        shipJars(err);
        SparkTrainer.Result r = new SparkTrainer(training(), options).fit(net, data, location(spec, dataOptions), progress);
        r.summary().forEach(err::println);
        err.flush();
        return r.training();
    }

    /**
     * Executors on other JVMs (a cluster, not local[N]) need vgg4j's classes, DL4J and ND4J with its
     * natives: unless the user gives {@code -Dspark.jars=...} (e.g. the spark-submit jar), the jars of
     * the command line's own classpath are shipped, which ./vgg names in {@code vgg4j.cli.classpath}
     * (without Spark's, which the cluster has). Spark reads spark.* system properties into its conf.
     */
    private void shipJars(PrintWriter err) {
        String classpath = System.getProperty(CLASSPATH_PROPERTY);
        if (master.trim().toLowerCase(Locale.ROOT).startsWith("local") || System.getProperty("spark.jars") != null
                || classpath == null) {
            return;
        }
        List<String> jars = java.util.Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(j -> j.endsWith(".jar") && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(j))).toList();
        System.setProperty("spark.jars", String.join(",", jars));
        err.printf(Locale.ROOT, "vgg train: shipping the command line's %d jars to the executors (spark.jars; "
                + "-Dspark.jars=... in VGG_JAVA_OPTS to ship others)%n", jars.size());
        err.flush();
    }

    /** The epoch line's tail: the cluster's throughput. */
    static String throughput(EpochResult e) {
        return String.format(Locale.ROOT, "  %.0f examples/s on the cluster", e.examples() / e.seconds());
    }
}
