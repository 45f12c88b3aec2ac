package io.github.vgg4j.core.train;

import java.util.Locale;

/**
 * Stops training that cannot succeed, with the likely causes, instead of letting it run for hours:
 * <ul>
 *   <li>a NaN or infinite loss, at once;</li>
 *   <li>a loss that has not fallen from its start after {@code iterations} batches: the mean of the
 *       last {@code window} batch losses is not below {@code (1 - minDrop)} times the mean of the
 *       first {@code window} (the failure the VGG write-ups describe: a deep VGG without proper
 *       initialisation that sat at 10% accuracy for 20 epochs).</li>
 * </ul>
 * The comparison is with the run's own start, not with ln(classes), because the loss DL4J reports
 * includes the weight-decay penalty.
 */
public record DivergenceGuard(boolean enabled, int iterations, int window, double minDrop) {

    public DivergenceGuard {
        if (enabled && (iterations < 2 * window || window < 1)) {
            throw new IllegalArgumentException("the divergence guard needs iterations >= 2 * window >= 2, got iterations "
                    + iterations + ", window " + window);
        }
        if (!(minDrop >= 0 && minDrop < 1)) {
            throw new IllegalArgumentException("minimum loss drop must be in [0, 1), got " + minDrop);
        }
    }

    /** On: decide after 300 batches whether the loss fell by at least 1% (means of 50 batches). */
    public static DivergenceGuard standard() {
        return new DivergenceGuard(true, 300, 50, 0.01);
    }

    public static DivergenceGuard off() {
        return new DivergenceGuard(false, 0, 0, 0);
    }

    public DivergenceGuard afterIterations(int n) {
        return new DivergenceGuard(true, n, Math.max(1, Math.min(window, n / 2)), minDrop);
    }

    /** Thrown when the guard stops a run; the message names what happened and the likely causes. */
    public static final class TrainingDivergedException extends RuntimeException {
        public TrainingDivergedException(String message) {
            super(message);
        }
    }

    /** Watches the batch losses of one run. */
    final class Watch {
        private final double[] first = new double[Math.max(1, window)];
        private final double[] last = new double[Math.max(1, window)];
        private long seen;
        private boolean decided;

        /** What a checkpoint keeps, so a resumed run decides exactly as an uninterrupted one. */
        double[][] state() {
            return new double[][] {first.clone(), last.clone(), {seen, decided ? 1 : 0}};
        }

        void restore(double[][] state) {
            if (state == null || state.length != 3 || state[0].length != first.length || state[1].length != last.length) {
                decided = true; // a checkpoint from another guard setting: do not judge a run we did not watch
                return;
            }
            System.arraycopy(state[0], 0, first, 0, first.length);
            System.arraycopy(state[1], 0, last, 0, last.length);
            seen = (long) state[2][0];
            decided = state[2][1] != 0;
        }

        void observe(double loss, int epoch, int batch, double learningRate) {
            if (!enabled) {
                return;
            }
            if (Double.isNaN(loss) || Double.isInfinite(loss)) {
                throw new TrainingDivergedException(String.format(Locale.ROOT,
                        "training diverged: the loss became %s at epoch %d, batch %d. Likely causes: a learning rate too "
                                + "high for this network (%.3g; try 10x lower), inputs not normalised, or exploding activations "
                                + "in a deep network without batch norm (try --batch-norm).",
                        loss, epoch + 1, batch + 1, learningRate));
            }
            if (seen < window) {
                first[(int) seen] = loss;
            }
            last[(int) (seen % window)] = loss;
            seen++;
            if (!decided && seen >= iterations) {
                decided = true;
                double start = mean(first);
                double now = mean(last);
                if (!(now < (1 - minDrop) * start)) {
                    throw new TrainingDivergedException(String.format(Locale.ROOT,
                            "training stalled: after %d batches the loss (%.4f, mean of the last %d) has not fallen from its "
                                    + "start (%.4f): the network is learning nothing. Likely causes: weights initialised too small "
                                    + "for a deep network without batch norm (use He initialisation, the default, or --batch-norm), "
                                    + "a learning rate too low or too high (%.3g), or inputs not normalised. "
                                    + "Disable this check with --no-divergence-guard.",
                            seen, now, window, start, learningRate));
                }
            }
        }

        private static double mean(double[] values) {
            double s = 0;
            for (double v : values) {
                s += v;
            }
            return s / values.length;
        }
    }

    Watch watch() {
        return new Watch();
    }
}
