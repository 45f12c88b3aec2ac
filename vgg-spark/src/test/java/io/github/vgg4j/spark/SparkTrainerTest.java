package io.github.vgg4j.spark;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Precision;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import io.github.vgg4j.datavec.DataSources;
import io.github.vgg4j.datavec.TrainingData;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Local-mode runs of {@link SparkTrainer} on a small dataset: exactness, kernels on the workers, faults. */
class SparkTrainerTest {
    @TempDir
    Path dir;

    private TrainingData data(Path folder, int batch) throws IOException {
        return TrainingData.from(DataSources.open(folder, null)).inputShape(1, 32, 32).batchSize(batch).seed(42)
                .validationFraction(0.1).build();
    }

    @Test
    void oneWorkerAveragingAfterEveryBatchIsTheSingleProcessRun() throws IOException {
        Path folder = SmallData.write(dir.resolve("data"), 320, 64);
        TrainingOptions options = TrainingOptions.epochs(2).withSeed(42);
        MultiLayerNetwork single = SmallData.tinyVgg(4, 0.5).buildNetwork();
        MultiLayerNetwork spark = SmallData.tinyVgg(4, 0.5).buildNetwork();
        assertEquals(single.params(), spark.params());

        // The kernels choose convolution algorithms by timing, once per process, while the process's first
        // network trains: a warm-up run makes the choices, which both runs below then share.
        try (TrainingData d = data(folder, 32)) {
            new Trainer(TrainingOptions.epochs(1)).fit(SmallData.tinyVgg(4, 0.5).buildNetwork(), d.train(), null, d.labels(),
                    TrainingProgress.NONE);
        }
        Trainer.TrainingResult local;
        try (TrainingData d = data(folder, 32)) {
            local = new Trainer(options).fit(single, d.train(), d.validation(), d.trainSample(2000), d.labels(),
                    TrainingProgress.NONE);
        }
        SparkTrainer.Result onSpark;
        try (TrainingData d = data(folder, 32)) {
            onSpark = new SparkTrainer(new SparkTraining("local[1]", 1, 32, 1), options).fit(spark, d, folder.toString(),
                    TrainingProgress.NONE);
        }
        // the same batches, augmentation, dropout draws and kernels: the same run
        double maxDiff = single.params().sub(spark.params()).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-4, "parameters differ by up to " + maxDiff);
        assertEquals(local.last().validationAccuracy(), onSpark.training().last().validationAccuracy(), 1e-9);
        assertEquals(9, onSpark.training().last().examples() / 32, "rounds of one batch");
        assertTrue(local.last().validationAccuracy() > 0.5, "the small data is learnable: " + local.last());

        // every task's network ran vgg4j's kernels
        assertFalse(onSpark.workerNetworks().isEmpty());
        for (String line : onSpark.workerNetworks()) {
            assertTrue(line.contains("layers on vgg4j's kernels"), line);
        }
        assertTrue(onSpark.executorSecondsPerBatch() > 0);
    }

    @Test
    void twoWorkersTrainOnTheKernelsAndLearn() throws IOException {
        Path folder = SmallData.write(dir.resolve("data"), 640, 64);
        MultiLayerNetwork net = SmallData.tinyVgg(4, 0).buildNetwork();
        SparkTrainer.Result r;
        try (TrainingData d = data(folder, 32)) {
            r = new SparkTrainer(SparkTraining.on("local[2]").withAveragingFrequency(2), TrainingOptions.epochs(2))
                    .fit(net, d, folder.toString(), TrainingProgress.NONE);
        }
        assertEquals(2, r.workers());
        assertEquals(16, r.batchPerWorker(), "the batch divided by the workers");
        assertTrue(r.workerNetworks().size() >= 2, "a line per task: " + r.workerNetworks());
        r.workerNetworks().forEach(line -> assertTrue(line.contains("layers on vgg4j's kernels"), line));
        assertFalse(FastPath.implementations(net).isEmpty(), "the driver's network evaluates on the kernels too");
        assertTrue(r.training().last().validationAccuracy() > 0.5, r.training().last().toString());
    }

    @Test
    void theWorkersComputeInTheDriverNetworksPrecision() throws IOException {
        Assumptions.assumeTrue(FastPath.resolve(Precision.AUTO) == Precision.BF16,
                "needs a CPU that computes bfloat16 natively (AVX-512 BF16 or AMX): " + FastPath.status().detail());
        Path folder = SmallData.write(dir.resolve("data"), 256, 64);
        MultiLayerNetwork net = SmallData.tinyVgg(4, 0).precision(Precision.BF16).buildNetwork();
        SparkTrainer.Result r;
        try (TrainingData d = data(folder, 32)) {
            r = new SparkTrainer(SparkTraining.on("local[2]"), TrainingOptions.epochs(1)).fit(net, d, folder.toString(),
                    TrainingProgress.NONE);
        }
        r.workerNetworks().forEach(line -> assertTrue(line.contains("layers on vgg4j's kernels in bf16"), line));
    }

    @Test
    void dataAnExecutorCannotReadIsNamed() throws IOException {
        Path folder = SmallData.write(dir.resolve("data"), 128, 32);
        MultiLayerNetwork net = SmallData.tinyVgg(4, 0).buildNetwork();
        try (TrainingData d = data(folder, 32)) {
            String elsewhere = dir.resolve("not-on-the-executors").toString(); // the driver read `folder`; executors look here
            SparkTrainingException e = assertThrows(SparkTrainingException.class, () -> new SparkTrainer(
                    SparkTraining.on("local[1]"), TrainingOptions.epochs(1)).fit(net, d, elsewhere, TrainingProgress.NONE));
            assertTrue(e.getMessage().contains("cannot read the training data at " + elsewhere), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    /** Fails a task: once (the first attempt of the task that reaches the given minibatch), or every attempt from it on. */
    static final class Failing implements TrainingHook {
        static final AtomicInteger MINIBATCHES = new AtomicInteger();
        static volatile int failAt = Integer.MAX_VALUE;
        static volatile boolean always;
        /** Set by the driver when an epoch ends (local mode: one JVM). */
        static volatile boolean failAll;

        @Override
        public void preUpdate(DataSet minibatch, Model model) {
            int n = MINIBATCHES.incrementAndGet();
            if (failAll || n >= failAt && (always || TaskContext.get().attemptNumber() == 0 && n == failAt)) {
                throw new IllegalStateException("injected executor failure at minibatch " + n);
            }
        }

        @Override
        public void postUpdate(DataSet minibatch, Model model) {
        }

        @Override
        public void preUpdate(MultiDataSet minibatch, Model model) {
        }

        @Override
        public void postUpdate(MultiDataSet minibatch, Model model) {
        }
    }

    @Test
    void aFailedTaskIsRetriedAndAFailedRunResumesFromItsLastCheckpoint() throws IOException {
        Path folder = SmallData.write(dir.resolve("data"), 256, 32);
        Path checkpoints = dir.resolve("run");
        ModelInfo info;
        try (TrainingData d = data(folder, 32)) {
            info = d.modelInfo("vgg11_bn", Map.of());
        }
        TrainingOptions options = TrainingOptions.epochs(2).withCheckpoints(checkpoints, 0, info);
        SparkTraining spark = new SparkTraining("local[2,2]", 2, 16, 2); // two tries per task

        // a task lost in epoch 1 is run again: the run finishes
        Failing.MINIBATCHES.set(0);
        Failing.always = false;
        Failing.failAt = 5;
        MultiLayerNetwork net = SmallData.tinyVgg(4, 0).buildNetwork();
        try (TrainingData d = data(folder, 32)) {
            SparkTrainer.Result r = new SparkTrainer(spark, options).withHook(new Failing())
                    .fit(net, d, folder.toString(), TrainingProgress.NONE);
            assertEquals(2, r.training().epochs().size());
        }

        // a task that fails on every try in epoch 2: the run stops with one line; epoch 1's checkpoint is intact
        Files.delete(checkpoints.resolve("checkpoint.zip"));
        Failing.failAt = Integer.MAX_VALUE;
        TrainingProgress failFromEpoch2 = new TrainingProgress() {
            @Override
            public void epoch(io.github.vgg4j.core.train.EpochResult result) {
                Failing.failAll = true;
            }
        };
        MultiLayerNetwork failing = SmallData.tinyVgg(4, 0).buildNetwork();
        try (TrainingData d = data(folder, 32)) {
            SparkTrainingException e = assertThrows(SparkTrainingException.class, () -> new SparkTrainer(spark, options)
                    .withHook(new Failing()).fit(failing, d, folder.toString(), failFromEpoch2));
            assertTrue(e.getMessage().contains("epoch 2") && e.getMessage().contains("injected executor failure"), e.getMessage());
        }
        ModelFiles.LoadedModel saved = ModelFiles.load(checkpoints.resolve("checkpoint.zip"));
        assertEquals(1, saved.multiLayerNetwork().getEpochCount(), "the checkpoint written after epoch 1");

        Failing.failAll = false;
        MultiLayerNetwork resumed = SmallData.tinyVgg(4, 0).buildNetwork();
        try (TrainingData d = data(folder, 32)) {
            SparkTrainer.Result r = new SparkTrainer(spark, options.resuming(true)).fit(resumed, d, folder.toString(),
                    TrainingProgress.NONE);
            assertTrue(r.training().resumed());
            assertEquals(2, r.training().epochs().size());
        }
    }
}
