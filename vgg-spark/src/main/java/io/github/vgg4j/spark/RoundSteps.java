package io.github.vgg4j.spark;

import io.github.vgg4j.core.train.TrainingSteps;
import io.github.vgg4j.datavec.ImageBatches;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An epoch on the cluster as the {@link io.github.vgg4j.core.train.Trainer}'s steps: one step is
 * one averaging round. The epoch's order is the single-process iterator's ({@link
 * ImageBatches#order}); round {@code r} takes the next {@code workers x batchPerWorker x
 * averagingFrequency} examples, worker {@code w} a contiguous share of them, so that the run is
 * the same for the same seed and a checkpoint between two rounds resumes exactly. With one worker
 * and averaging after every batch, a round is one batch of the single-process run.
 */
final class RoundSteps implements TrainingSteps {
    private final SparkDl4jMultiLayer sparkNet;
    private final KernelAveragingMaster master;
    private final ImageBatches train;
    private final DataRecipe recipe;
    private final long runSeed;
    private final int workers;
    private final int batchPerWorker;
    private final int averagingFrequency;
    private final DoubleAccumulator loss;
    private final LongAccumulator batches;

    private int epoch;
    private int[] order = new int[0];
    private int round;

    RoundSteps(SparkDl4jMultiLayer sparkNet, KernelAveragingMaster master, ImageBatches train, DataRecipe recipe, long runSeed,
               int workers, int batchPerWorker, int averagingFrequency, DoubleAccumulator loss, LongAccumulator batches) {
        this.sparkNet = sparkNet;
        this.master = master;
        this.train = train;
        this.recipe = recipe;
        this.runSeed = runSeed;
        this.workers = workers;
        this.batchPerWorker = batchPerWorker;
        this.averagingFrequency = averagingFrequency;
        this.loss = loss;
        this.batches = batches;
    }

    private int perRound() {
        return workers * batchPerWorker * averagingFrequency;
    }

    @Override
    public void startEpoch(int e, int fromStep) {
        epoch = e;
        order = train.order(e);
        round = fromStep;
    }

    @Override
    public boolean hasNext() {
        return (long) round * perRound() < order.length;
    }

    /** A resumed run must split its epochs the same way: workers x batch x averaging frequency. */
    @Override
    public int batchSize() {
        return perRound();
    }

    @Override
    public int steps() {
        return (order.length + perRound() - 1) / perRound();
    }

    @Override
    public Step next(MultiLayerNetwork net, int e, int step) {
        if (net != sparkNet.getNetwork()) {
            throw new IllegalArgumentException("the trainer's network is not the one the cluster trains");
        }
        int from = round * perRound();
        int to = Math.min(order.length, from + perRound());
        int perWorker = batchPerWorker * averagingFrequency;
        List<RoundFunction.Share> shares = new ArrayList<>(workers);
        for (int w = 0; w < workers && from + w * perWorker < to; w++) {
            int a = from + w * perWorker;
            shares.add(new RoundFunction.Share(Arrays.copyOfRange(order, a, Math.min(to, a + perWorker)),
                    (round * workers + w) * averagingFrequency));
        }
        double lossBefore = loss.sum();
        long batchesBefore = batches.count();
        JavaSparkContext sc = sparkNet.getSparkContext();
        try {
            master.round(sparkNet, sc.parallelize(shares, shares.size()), recipe, epoch, runSeed, round, steps());
        } catch (Exception ex) { // Spark's SparkException is checked, and undeclared
            throw SparkFailures.explain(ex, "round " + (round + 1) + " of epoch " + (epoch + 1));
        }
        round++;
        long n = batches.count() - batchesBefore;
        return new Step(n == 0 ? Double.NaN : (loss.sum() - lossBefore) / n, to - from);
    }
}
