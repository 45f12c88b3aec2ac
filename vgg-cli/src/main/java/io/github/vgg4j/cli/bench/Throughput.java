package io.github.vgg4j.cli.bench;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Training and inference throughput of a network on synthetic input, measured the way the
 * benchmarks compare it with PyTorch: the same random batch every step (no data loading), a few
 * untimed warm-up steps, then each timed step recorded on its own.
 *
 * <pre>{@code
 * Throughput.Measurement m = Throughput.measure(net, Throughput.Phase.TRAIN, new long[] {3, 32, 32}, 64, 2, 5, i -> {});
 * System.out.println(m.imagesPerSecond());
 * }</pre>
 * A training step is {@code fit} on one batch (forward, loss, backward, update); an inference step
 * is {@code output} in test mode.
 */
public final class Throughput {

    private Throughput() {
    }

    public enum Phase { TRAIN, INFERENCE }

    /** The seconds of each timed step. */
    public record Measurement(Phase phase, int batch, double[] secondsPerIteration) {
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

    /**
     * Times {@code iterations} steps after {@code warmup} untimed ones.
     *
     * @param inputShape  {channels, height, width}
     * @param onIteration called after each step (warm-up steps count), with the step's index from 1
     */
    public static Measurement measure(MultiLayerNetwork net, Phase phase, long[] inputShape, int batch, int warmup,
                                      int iterations, IntConsumer onIteration) {
        if (batch < 1 || warmup < 0 || iterations < 1) {
            throw new IllegalArgumentException("need batch >= 1, warmup >= 0, iterations >= 1; got batch " + batch
                    + ", warmup " + warmup + ", iterations " + iterations);
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, inputShape[0], inputShape[1], inputShape[2]);
        INDArray y = oneHot(batch, classes(net));
        Runnable step = phase == Phase.TRAIN ? () -> net.fit(x, y) : () -> net.output(x, false);
        double[] seconds = new double[iterations];
        for (int i = 0; i < warmup + iterations; i++) {
            long t0 = System.nanoTime();
            step.run();
            if (i >= warmup) {
                seconds[i - warmup] = (System.nanoTime() - t0) / 1e9;
            }
            onIteration.accept(i + 1);
        }
        return new Measurement(phase, batch, seconds);
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
        if (candidates.length == 0) {
            throw new IllegalArgumentException("no candidate batch sizes");
        }
        Map<Integer, Double> tried = new LinkedHashMap<>();
        int best = -1;
        for (int b : Arrays.stream(candidates).sorted().distinct().toArray()) {
            double ips = measure(net, Phase.TRAIN, inputShape, b, warmup, iterations, i -> { }).imagesPerSecond();
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
