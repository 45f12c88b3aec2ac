package io.github.vgg4j.core.train;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.InitScheme;
import io.github.vgg4j.core.ShapesTask;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.spi.KernelProvider;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    @TempDir
    Path dir;

    private static final DataSet TRAIN = ShapesTask.generate(256, 1, 32, 1);
    private static final DataSet VAL = ShapesTask.generate(64, 1, 32, 2);
    private static final List<String> LABELS = List.of("h", "v", "box", "disc");

    private static VGGBuilder narrow() {
        // dropout on: the network's own randomness must be reproduced on resume too
        return VGGBuilder.vgg11().batchNorm(true).inputShape(1, 32, 32).numClasses(4).head(Head.cifar())
                .widthMultiplier(0.0625).dropout(0.5).seed(3);
    }

    private ModelInfo info() {
        return new ModelInfo("vgg11_bn", new int[] {1, 32, 32}, LABELS, Preprocessing.unitScale());
    }

    private static ListDataSetIterator<DataSet> val() {
        return new ListDataSetIterator<>(VAL.asList(), 32);
    }

    @Test
    void aRunInterruptedMidEpochAndResumedEndsWhereAnUninterruptedOneDoes() {
        TrainingOptions options = TrainingOptions.epochs(3).withSeed(11).withGuard(DivergenceGuard.off());
        // The convolutions' algorithms are chosen by timing in the first calls of a process, which run the
        // candidates in turn: a warm-up run decides, so that every run below computes with the same ones.
        new Trainer(TrainingOptions.epochs(1).withGuard(DivergenceGuard.off()))
                .fit(narrow().buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE);
        MultiLayerNetwork uninterrupted = narrow().buildNetwork();
        Trainer.TrainingResult reference = new Trainer(options)
                .fit(uninterrupted, new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE);

        // A checkpoint after every batch; the "crash" comes after batch 5 of epoch 2 is trained, before it is saved.
        TrainingOptions checkpointed = options.withCheckpoints(dir, 1e-9, info());
        MultiLayerNetwork first = narrow().buildNetwork();
        RuntimeException crash = assertThrows(RuntimeException.class, () -> new Trainer(checkpointed)
                .fit(first, new SeededBatches(TRAIN, 32, 5), val(), LABELS, new TrainingProgress() {
                    @Override
                    public void batch(int epoch, int batch, int batches, double loss) {
                        if (epoch == 1 && batch == 5) {
                            throw new IllegalStateException("kill -9");
                        }
                    }
                }));
        assertEquals("kill -9", crash.getMessage());
        assertTrue(Files.exists(dir.resolve("checkpoint.zip")));

        // The resumed run is as if in a new process on a machine whose timings chose the other convolution
        // algorithm everywhere (they round differently; training amplifies it): the checkpoint's choices must win.
        // (Without kernels, on DL4J's own layers, nothing is chosen by timing and this part is empty; vgg-onednn
        // runs this test class again on its kernels.)
        Map<String, String> chosen = FastPath.kernels().map(KernelProvider::choices).orElse(Map.of());
        Map<String, String> flipped = new TreeMap<>();
        chosen.forEach((what, alg) -> flipped.put(what, alg.contains("winograd") ? alg.replace("winograd", "direct")
                : alg.replace("direct", "winograd")));
        FastPath.kernels().ifPresent(k -> {
            k.forgetChoices();
            k.adoptChoices(flipped);
        });
        MultiLayerNetwork resumed = narrow().seed(99).buildNetwork(); // other initial weights: all must come from the checkpoint
        Trainer.TrainingResult result = new Trainer(checkpointed.resuming(true))
                .fit(resumed, new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE);
        assertTrue(result.resumed());
        assertEquals(3, result.epochs().size());
        assertEquals(chosen, FastPath.kernels().map(KernelProvider::choices).orElse(Map.of()));
        // Multithreaded float sums may not be bit-reproducible from run to run under load (DL4J's own batch
        // norm reduces with OpenMP): a second uninterrupted run measures that noise, and resuming may add
        // nothing beyond it (usually both are 0; a resume bug moves parameters by orders more).
        MultiLayerNetwork again = narrow().buildNetwork();
        Trainer.TrainingResult second = new Trainer(options)
                .fit(again, new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE);
        double noise = uninterrupted.params().sub(again.params()).amaxNumber().doubleValue();
        double maxDiff = uninterrupted.params().sub(resumed.params()).amaxNumber().doubleValue();
        double tolerance = Math.max(1e-5, 3 * noise);
        System.out.println("resume: max parameter difference " + maxDiff + ", run-to-run " + noise);
        assertTrue(maxDiff < tolerance, "parameters differ by " + maxDiff + " (run-to-run noise " + noise + ")");
        for (int e = 0; e < 3; e++) {
            double accNoise = Math.abs(reference.epochs().get(e).validationAccuracy() - second.epochs().get(e).validationAccuracy());
            assertEquals(reference.epochs().get(e).validationAccuracy(), result.epochs().get(e).validationAccuracy(),
                    noise < 1e-5 ? 1e-9 : Math.max(3 * accNoise, 1.0 / 64 + 1e-9));
            assertEquals(reference.epochs().get(e).trainLoss(), result.epochs().get(e).trainLoss(), noise < 1e-5 ? 1e-4 : 0.05);
        }
        assertEquals(uninterrupted.getLayerWiseConfigurations().getIterationCount(),
                resumed.getLayerWiseConfigurations().getIterationCount());
    }

    @Test
    void epochDrivenSchedulesSetEachEpochsRateAlsoAfterAResume() {
        TrainingOptions cosine = TrainingOptions.epochs(3).withGuard(DivergenceGuard.off())
                .withSchedule(LearningRateSchedule.parse("cosine:0.001"));
        Trainer.TrainingResult r = new Trainer(cosine).fit(narrow().learningRate(0.05).buildNetwork(),
                new SeededBatches(TRAIN, 64, 5), null, LABELS, TrainingProgress.NONE);
        assertEquals(0.05, r.epochs().get(0).learningRate(), 1e-12);
        assertEquals(0.001 + 0.049 * 0.75, r.epochs().get(1).learningRate(), 1e-12); // cos(pi/3) = 1/2
        assertEquals(0.001 + 0.049 * 0.25, r.epochs().get(2).learningRate(), 1e-12); // no epoch at the minimum

        TrainingOptions steps = TrainingOptions.epochs(3).withGuard(DivergenceGuard.off())
                .withSchedule(LearningRateSchedule.parse("step:0.1:2,3")).withCheckpoints(dir, 0, info());
        assertThrows(IllegalStateException.class, () -> new Trainer(steps).fit(narrow().learningRate(0.05).buildNetwork(),
                new SeededBatches(TRAIN, 64, 5), null, LABELS, new TrainingProgress() {
                    @Override
                    public void batch(int epoch, int batch, int batches, double loss) {
                        if (epoch == 1 && batch == 2) {
                            throw new IllegalStateException("kill -9");
                        }
                    }
                }));
        Trainer.TrainingResult resumed = new Trainer(steps.resuming(true)).fit(narrow().learningRate(0.05).buildNetwork(),
                new SeededBatches(TRAIN, 64, 5), null, LABELS, TrainingProgress.NONE);
        assertEquals(0.05, resumed.epochs().get(0).learningRate(), 1e-12);
        assertEquals(0.005, resumed.epochs().get(1).learningRate(), 1e-12);
        assertEquals(0.0005, resumed.epochs().get(2).learningRate(), 1e-12);
    }

    @Test
    void schedulesParseTheCommandLineFormAndNameWhatIsWrong() {
        assertEquals(new LearningRateSchedule.Plateau(0.1, 2), LearningRateSchedule.parse("plateau"));
        assertEquals(new LearningRateSchedule.Plateau(0.5, 3), LearningRateSchedule.parse("plateau:0.5:3"));
        assertEquals(new LearningRateSchedule.Steps(0.1, List.of(30, 60)), LearningRateSchedule.parse("step:0.1:30,60"));
        assertEquals(new LearningRateSchedule.Cosine(0), LearningRateSchedule.parse("cosine"));
        for (String bad : new String[] {"linear", "step:0.1", "step:0.1:60,30", "cosine:x", "plateau:2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse(bad));
            assertTrue(e.getMessage().contains("got") || e.getMessage().contains("expected"), bad + ": " + e.getMessage());
        }
    }

    @Test
    void aFinishedRunResumedDoesNothingMoreAndTheBestModelIsKept() throws IOException {
        TrainingOptions options = TrainingOptions.epochs(2).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        MultiLayerNetwork net = narrow().buildNetwork();
        new Trainer(options).fit(net, new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE);
        assertEquals(LABELS, ModelFiles.readInfo(dir.resolve("best-model.zip")).labels());
        MultiLayerNetwork again = narrow().buildNetwork();
        Trainer.TrainingResult r = new Trainer(options.resuming(true)).fit(again, new SeededBatches(TRAIN, 32, 5), val(), LABELS,
                new TrainingProgress() {
                    @Override
                    public void batch(int epoch, int batch, int batches, double loss) {
                        fail("nothing is left to train");
                    }
                });
        assertEquals(2, r.epochs().size());
        assertEquals(net.params(), again.params());
    }

    @Test
    void resumingWithAnotherClassCountOrNetworkIsRefused() {
        TrainingOptions options = TrainingOptions.epochs(1).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        new Trainer(options).fit(narrow().buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE);
        UncheckedIOException classes = assertThrows(UncheckedIOException.class, () -> new Trainer(options.resuming(true))
                .fit(narrow().numClasses(5).buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE));
        assertTrue(classes.getMessage().contains("'predictions'") && classes.getMessage().contains("different number of classes"),
                classes.getMessage());
        UncheckedIOException other = assertThrows(UncheckedIOException.class, () -> new Trainer(options.resuming(true))
                .fit(VGGBuilder.vgg13().inputShape(1, 32, 32).numClasses(4).head(Head.cifar()).widthMultiplier(0.0625).buildNetwork(),
                        new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE));
        assertTrue(other.getMessage().contains("another network"), other.getMessage());
    }

    @Test
    void resumingFromAFolderWithoutACheckpointSaysSo() {
        TrainingOptions options = TrainingOptions.epochs(1).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new Trainer(options.resuming(true))
                .fit(narrow().buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE));
        assertTrue(e.getMessage().contains("nothing to resume") && e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void resumingIfCheckpointedStartsOnAnEmptyFolderAndResumesOnceACheckpointIsThere() {
        TrainingOptions options = TrainingOptions.epochs(1).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        assertFalse(options.resumingIfCheckpointed().resume());
        new Trainer(options.resumingIfCheckpointed()).fit(narrow().buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS,
                TrainingProgress.NONE);
        assertTrue(options.resumingIfCheckpointed().resume());
        assertThrows(IllegalArgumentException.class, () -> TrainingOptions.epochs(1).resumingIfCheckpointed());
    }

    @Test
    void resumingWithOtherOptionsIsRefusedNamingBothValues() {
        TrainingOptions options = TrainingOptions.epochs(2).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        assertThrows(IllegalStateException.class, () -> new Trainer(options).fit(narrow().learningRate(0.01).buildNetwork(),
                new SeededBatches(TRAIN, 32, 5), val(), LABELS, new TrainingProgress() {
                    @Override
                    public void batch(int epoch, int batch, int batches, double loss) {
                        if (epoch == 1) {
                            throw new IllegalStateException("kill -9");
                        }
                    }
                }));
        UncheckedIOException lr = assertThrows(UncheckedIOException.class, () -> new Trainer(options.resuming(true))
                .fit(narrow().learningRate(0.5).buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE));
        assertTrue(lr.getMessage().contains("learning rate 0.01 there, 0.5 here") && lr.getMessage().contains("checkpoint.zip"),
                lr.getMessage());
        UncheckedIOException seed = assertThrows(UncheckedIOException.class, () -> new Trainer(options.withSeed(7).resuming(true))
                .fit(narrow().learningRate(0.01).buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE));
        assertTrue(seed.getMessage().contains("seed 42 there, 7 here"), seed.getMessage());
        UncheckedIOException batch = assertThrows(UncheckedIOException.class, () -> new Trainer(options.resuming(true))
                .fit(narrow().learningRate(0.01).buildNetwork(), new SeededBatches(TRAIN, 64, 5), val(), LABELS, TrainingProgress.NONE));
        assertTrue(batch.getMessage().contains("batch size 32 there, 64 here"), batch.getMessage());
        // the same options resume (and more epochs are allowed: a run may be extended)
        Trainer.TrainingResult r = new Trainer(TrainingOptions.epochs(3).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info())
                .resuming(true)).fit(narrow().learningRate(0.01).buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS,
                TrainingProgress.NONE);
        assertTrue(r.resumed());
        assertEquals(3, r.epochs().size());
    }

    @Test
    void aCheckpointThatCannotBeWrittenAfterTheFinalEpochDoesNotCostTheTrainedNetwork() throws IOException {
        TrainingOptions options = TrainingOptions.epochs(2).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        MultiLayerNetwork net = narrow().buildNetwork();
        // during the final epoch the checkpoint's place becomes unwritable (a folder now stands there)
        Trainer.TrainingResult r = new Trainer(options).fit(net, new SeededBatches(TRAIN, 32, 5), val(), LABELS, new TrainingProgress() {
            @Override
            public void batch(int epoch, int batch, int batches, double loss) {
                if (epoch == 1 && batch == 1) {
                    try {
                        Files.delete(dir.resolve("checkpoint.zip"));
                        Files.createDirectories(dir.resolve("checkpoint.zip").resolve("in-the-way"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        });
        assertEquals(2, r.epochs().size(), "training finished");
        assertTrue(r.checkpointProblem().contains("checkpoint.zip") && r.checkpointProblem().contains("it is a folder"),
                r.checkpointProblem());
        Path out = dir.resolve("out.zip");
        ModelFiles.save(net, out, info()); // the caller saves the trained network
        assertEquals(net.params(), ModelFiles.load(out).network().params());
    }

    @Test
    void aCheckpointThatCannotBeWrittenBeforeTheFinalEpochStopsTraining() throws IOException {
        Files.createDirectories(dir.resolve("checkpoint.zip").resolve("in-the-way"));
        TrainingOptions options = TrainingOptions.epochs(2).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new Trainer(options)
                .fit(narrow().buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, TrainingProgress.NONE));
        assertTrue(e.getMessage().contains("checkpoint.zip") && e.getMessage().contains("it is a folder"), e.getMessage());
    }

    @Test
    void partialCheckpointsOfAKilledRunAreRemovedWhenTheNextRunStarts() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path partial = Files.write(dir.resolve(".checkpoint.zip." + gone.pid() + ".5eed.tmp"), new byte[1 << 16]);
        Path partialBest = Files.write(dir.resolve(".best-model.zip." + gone.pid() + ".5eed.tmp"), new byte[1 << 16]);
        TrainingOptions options = TrainingOptions.epochs(1).withGuard(DivergenceGuard.off()).withCheckpoints(dir, 0, info());
        new Trainer(options).fit(narrow().buildNetwork(), new SeededBatches(TRAIN, 32, 5), val(), LABELS, new TrainingProgress() {
            @Override
            public void batch(int epoch, int batch, int batches, double loss) {
                assertFalse(Files.exists(partial) || Files.exists(partialBest), "removed before training");
            }
        });
    }

    @Test
    void aBatchThatCannotFitIsRefusedBeforeTheFirstStep() {
        // 2048x2048 inputs at batch 2: activations of tens of GB, more than the test JVM's off-heap limit. The
        // global-pooling head keeps the parameters small (9M), so that only the batch is refused, whatever memory
        // the JVM already holds (the CIFAR head's fc1 would take 1.1G parameters at this size).
        MultiLayerNetwork net = VGGBuilder.vgg11().inputShape(1, 2048, 2048).numClasses(4).head(Head.globalAveragePooling())
                .widthMultiplier(1).buildNetwork();
        DataSet huge = new DataSet(org.nd4j.linalg.factory.Nd4j.zeros(2, 1, 2048, 2048), org.nd4j.linalg.factory.Nd4j.eye(4).getRows(0, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Trainer(TrainingOptions.epochs(1)
                .withGuard(DivergenceGuard.off())).fit(net, new ListDataSetIterator<>(huge.asList(), 2), null, LABELS,
                TrainingProgress.NONE));
        assertTrue(e.getMessage().contains("batches of 2 at 1x2048x2048") && e.getMessage().contains("maxbytes"), e.getMessage());
    }

    @Test
    void theGuardStopsAStalledDeepNetWithTheLikelyCauses() {
        MultiLayerNetwork stalled = VGGBuilder.vgg16().init(InitScheme.PAPER_NORMAL).learningRate(0.005).dropout(0).inputShape(1, 32, 32)
                .numClasses(4).head(Head.cifar()).widthMultiplier(0.125).buildNetwork();
        DivergenceGuard.TrainingDivergedException e = assertThrows(DivergenceGuard.TrainingDivergedException.class,
                () -> new Trainer(TrainingOptions.epochs(20).withGuard(DivergenceGuard.standard().afterIterations(60)))
                        .fit(stalled, new SeededBatches(TRAIN, 16, 5), null, LABELS, TrainingProgress.NONE));
        assertTrue(e.getMessage().contains("stalled") && e.getMessage().contains("He initialisation"), e.getMessage());
    }

    @Test
    void theGuardStopsANanLossAtOnce() {
        MultiLayerNetwork exploding = narrow().batchNorm(false).learningRate(50).momentum(0.99).buildNetwork();
        DivergenceGuard.TrainingDivergedException e = assertThrows(DivergenceGuard.TrainingDivergedException.class,
                () -> new Trainer(TrainingOptions.epochs(20)).fit(exploding, new SeededBatches(TRAIN, 32, 5), null, LABELS,
                        TrainingProgress.NONE));
        assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("learning rate"), e.getMessage());
    }

    @Test
    void theGuardLetsAHealthyRunTrain() {
        // The same deep net with He initialisation: no false alarm. Without dropout, so that the decision at batch
        // 100 sees the learning and not dropout's noise: with dropout 0.5 the loss fell by 0.97% at batch 100 on
        // DL4J's own layers (the guard wants 1%) and by a little more on the kernels, a coin toss either way;
        // without, it falls by ~10% (1.73 -> 1.56 by epoch 3, 0.89 by epoch 6).
        MultiLayerNetwork healthy = VGGBuilder.vgg16().learningRate(0.005).dropout(0).inputShape(1, 32, 32).numClasses(4)
                .head(Head.cifar()).widthMultiplier(0.125).buildNetwork();
        Trainer.TrainingResult r = new Trainer(TrainingOptions.epochs(8).withGuard(DivergenceGuard.standard().afterIterations(100)))
                .fit(healthy, new SeededBatches(TRAIN, 16, 5), null, LABELS, TrainingProgress.NONE);
        assertEquals(8, r.epochs().size());
    }
}
