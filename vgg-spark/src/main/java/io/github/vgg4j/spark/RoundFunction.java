package io.github.vgg4j.spark;

import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.datavec.ImageBatches;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.deeplearning4j.spark.api.worker.ExecuteWorkerFlatMap;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * One worker's part of a round, on an executor: reads its share of the epoch (decoding and
 * augmenting there, from the data's location) and trains DL4J's worker on it.
 */
final class RoundFunction implements FlatMapFunction<Iterator<RoundFunction.Share>, ParameterAveragingTrainingResult> {
    private static final long serialVersionUID = 1L;

    /**
     * The examples one worker trains on in a round, and the epoch's number of its first batch. A class,
     * not a record: RDD elements go through Kryo 4, which cannot build records.
     */
    static final class Share implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private int[] examples;
        private int firstBatch;

        Share() { // for Kryo
        }

        Share(int[] examples, int firstBatch) {
            this.examples = examples;
            this.firstBatch = firstBatch;
        }

        int[] examples() {
            return examples;
        }

        int firstBatch() {
            return firstBatch;
        }
    }

    private final KernelWorker worker;
    private final DataRecipe recipe;
    private final int epoch;
    private final long runSeed;

    RoundFunction(KernelWorker worker, DataRecipe recipe, int epoch, long runSeed) {
        this.worker = worker;
        this.recipe = recipe;
        this.epoch = epoch;
        this.runSeed = runSeed;
    }

    @Override
    public Iterator<ParameterAveragingTrainingResult> call(Iterator<Share> shares) throws Exception {
        if (!shares.hasNext()) {
            return new ExecuteWorkerFlatMap<>(worker).call(java.util.Collections.emptyIterator());
        }
        Share share = shares.next();
        ImageBatches batches = ExecutorData.batches(recipe, share.examples(), epoch);
        try {
            return new ExecuteWorkerFlatMap<>(worker).call(new Iterator<DataSet>() {
                int batch = share.firstBatch();

                @Override
                public boolean hasNext() {
                    return batches.hasNext();
                }

                @Override
                public DataSet next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    DataSet ds = batches.next();
                    WorkerHook.expect(ds, Trainer.mix(runSeed, epoch, batch++));
                    return ds;
                }
            });
        } finally {
            batches.close();
            WorkerHook.forgetExpected();
        }
    }
}
