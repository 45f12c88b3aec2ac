package io.github.vgg4j.cli.bench;

import io.github.vgg4j.core.FastPath;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Training and inference throughput of a network on synthetic input, measured the way the
 * benchmarks compare it with PyTorch: the same random batch every step (no data loading), untimed
 * warm-up steps, then each timed step recorded on its own.
 *
 * <pre>{@code
 * Throughput.Measurement m = Throughput.measure(net, Throughput.Phase.TRAIN, new long[] {3, 32, 32}, 64,
 *         Throughput.untilChosen(net), 2, 5, (step, kind) -> {});
 * System.out.println(m.imagesPerSecond() + " after " + m.warmupSteps() + " warm-up steps");
 * }</pre>
 * A training step is {@code fit} on one batch (forward, loss, backward, update); an inference step
 * is {@code output} in test mode.
 *
 * <p>Why the warm-up waits for the kernels: vgg4j's convolutions choose their algorithm by timing
 * the candidates in turn over their first calls (six per direction with two candidates), and those
 * steps are slower than the steady state; a fixed two-step warm-up timed them (1.03x PyTorch where
 * the steady state was 1.27x). So the warm-up runs until no kernel is choosing any more, then a few
 * steps more (the scratch buffers regrow to the chosen kernels' needs, the allocator settles).
 */
public final class Throughput {

    private Throughput() {
    }

    public enum Phase { TRAIN, INFERENCE }

    /** At most this many steps wait for the kernels to choose (they need 6 per direction: a safety net). */
    public static final int MAX_CHOOSING_STEPS = 50;

    /**
     * The seconds of each timed step, and the untimed steps before them: {@code warmupSteps} in all,
     * of which the first {@code choosingSteps} ran until the kernels had chosen their algorithms
     * (at least 1: the first step is never timed).
     */
    public record Measurement(Phase phase, int batch, double[] secondsPerIteration, int warmupSteps, int choosingSteps) {
        public Measurement {
            secondsPerIteration = secondsPerIteration.clone();
        }

        @Override
        public double[] secondsPerIteration() {
            return secondsPerIteration.clone();
        }

        /** Images over the total time of the timed steps. */
        public double imagesPerSecond() {
            return batch * secondsPerIteration.length / Arrays.stream(secondsPerIteration).sum();
        }
    }

    /** Told after each step: its number from 1, and whether it ran until the kernels had chosen, after, or timed. */
    public interface Progress {
        void step(int number, Kind kind);
    }

    public enum Kind { CHOOSING, WARMUP, TIMED }

    /** True while some of the network's kernels are still choosing their algorithms by timing (vgg4j's FastPath). */
    public static BooleanSupplier untilChosen(MultiLayerNetwork net) {
        return () -> FastPath.kernels().map(k -> k.measuring(net)).orElse(false);
    }

    /**
     * Times {@code iterations} steps after the untimed ones: the first step and then steps while
     * {@code choosing} says some kernel is still choosing (at most {@value #MAX_CHOOSING_STEPS} in
     * all), then {@code warmup} more.
     *
     * @param inputShape {channels, height, width}
     * @param choosing   asked after each step; {@code () -> false} for a fixed warm-up of {@code warmup} steps
     */
    public static Measurement measure(MultiLayerNetwork net, Phase phase, long[] inputShape, int batch,
                                      BooleanSupplier choosing, int warmup, int iterations, Progress progress) {
        if (batch < 1 || warmup < 0 || iterations < 1) {
            throw new IllegalArgumentException("need batch >= 1, warmup >= 0, iterations >= 1; got batch " + batch
                    + ", warmup " + warmup + ", iterations " + iterations);
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, inputShape[0], inputShape[1], inputShape[2]);
        INDArray y = oneHot(batch, classes(net));
        Runnable step = phase == Phase.TRAIN ? () -> net.fit(x, y) : () -> net.output(x, false);
        int done = 0;
        int choosingSteps = 0;
        // The first step is never timed (first-call setup); a kernel starts choosing at its first call.
        do {
            step.run();
            choosingSteps++;
            progress.step(++done, Kind.CHOOSING);
        } while (choosingSteps < MAX_CHOOSING_STEPS && choosing.getAsBoolean());
        for (int i = 0; i < warmup; i++) {
            step.run();
            progress.step(++done, Kind.WARMUP);
        }
        double[] seconds = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            step.run();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
            progress.step(++done, Kind.TIMED);
        }
        return new Measurement(phase, batch, seconds, choosingSteps + warmup, choosingSteps);
    }

    /** The candidate batch sizes tried and the one with the most training images per second. */
    public record BatchChoice(int batch, Map<Integer, Double> imagesPerSecond) {
        public BatchChoice {
            imagesPerSecond = Collections.unmodifiableMap(new LinkedHashMap<>(imagesPerSecond));
        }
    }

    /**
     * Tries training batches in increasing order, a few steps each, and returns the fastest in
     * images per second. Stops early when a batch is more than 3% slower than the best so far
     * (throughput rises with the batch until the machine saturates, then falls as the working set
     * outgrows the caches). ND4J's workspaces keep the size of the largest batch tried.
     */
    public static BatchChoice fastestTrainingBatch(MultiLayerNetwork net, long[] inputShape, int[] candidates,
                                                   int warmup, int iterations) {
        BooleanSupplier choosing = untilChosen(net);
        if (candidates.length == 0) {
            throw new IllegalArgumentException("no candidate batch sizes");
        }
        Map<Integer, Double> tried = new LinkedHashMap<>();
        int best = -1;
        for (int b : Arrays.stream(candidates).sorted().distinct().toArray()) {
            double ips = measure(net, Phase.TRAIN, inputShape, b, choosing, warmup, iterations, (i, k) -> { }).imagesPerSecond();
            tried.put(b, ips);
            if (best < 0 || ips > tried.get(best)) {
                best = b;
            } else if (ips < 0.97 * tried.get(best)) {
                break;
            }
        }
        return new BatchChoice(best, tried);
    }

    private static int classes(MultiLayerNetwork net) {
        var last = net.getLayer(net.getnLayers() - 1).conf().getLayer();
        if (last instanceof BaseOutputLayer out) {
            return (int) out.getNOut();
        }
        throw new IllegalArgumentException("the network's last layer is a " + last.getClass().getSimpleName()
                + ", not an output layer: nothing to train against");
    }

    private static INDArray oneHot(int batch, int classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, classes);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % classes, 1);
        }
        return y;
    }
}
