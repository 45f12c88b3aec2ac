package io.github.vgg4j.spark;

import io.github.vgg4j.core.Precision;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;

/**
 * DL4J's parameter averaging, one round at a time: the driver's parameters and updater state are
 * broadcast, each worker trains {@code averagingFrequency} minibatches of its share on vgg4j's
 * kernels ({@link KernelWorker}), and the driver's network gets the average of the workers'
 * parameters and updater states (DL4J's own aggregation). DL4J's {@code fit(RDD)} would count and
 * randomly split an RDD of ready batches; here the shares are planned by {@link RoundSteps}, so
 * that rounds are reproducible and a run can checkpoint and resume between any two.
 */
final class KernelAveragingMaster extends ParameterAveragingTrainingMaster {
    private static final long serialVersionUID = 1L;

    private final Precision precision;

    /** {@code precision}: what the workers' kernels compute in, the driver network's (FP32 or BF16). */
    KernelAveragingMaster(int workers, int batchPerWorker, int averagingFrequency, Precision precision) {
        super(true, workers, batchPerWorker, batchPerWorker, averagingFrequency, 2, 0, Repartition.Never,
                RepartitionStrategy.Balanced, null, false);
        this.precision = precision;
    }

    /** Trains one round of {@code shares} (one per worker, one per partition) into {@code net}'s network. */
    void round(SparkDl4jMultiLayer net, JavaRDD<RoundFunction.Share> shares, DataRecipe recipe, int epoch, long runSeed,
               int round, int rounds) {
        MultiLayerNetwork n = net.getNetwork();
        Broadcast<NetBroadcastTuple> broadcast = net.getSparkContext().broadcast(
                new NetBroadcastTuple(n.getLayerWiseConfigurations(), n.params(), n.getUpdater().getStateViewArray()));
        try {
            WorkerConfiguration configuration = new WorkerConfiguration(false, rddDataSetNumExamples, batchSizePerWorker,
                    averagingFrequency, prefetchNumBatches, collectTrainingStats);
            KernelWorker worker = new KernelWorker(broadcast, configuration, trainingHookList, precision);
            JavaRDD<ParameterAveragingTrainingResult> results =
                    shares.mapPartitions(new RoundFunction(worker, recipe, epoch, runSeed));
            processResults(net, null, results, round + 1, rounds);
        } finally {
            broadcast.destroy();
        }
    }
}
