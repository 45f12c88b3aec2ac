package io.github.vgg4j.arbiter;

import java.util.ArrayList;
import java.util.List;

/**
 * The values one hyperparameter may take in a search: a continuous interval sampled uniformly or
 * log-uniformly (learning rates, weight decay), or a list of values (batch sizes, batch norm on
 * or off). A list of one value fixes the hyperparameter.
 *
 * <pre>{@code
 * Range<Double> lr = Range.logUniform(1e-4, 1e-1);     // as likely in [1e-4, 1e-3] as in [1e-2, 1e-1]
 * Range<Double> momentum = Range.uniform(0.5, 0.99);
 * Range<Integer> batch = Range.of(32, 64, 128);
 * Range<Boolean> batchNorm = Range.of(true, false);
 * }</pre>
 *
 * <p>A grid search takes every value of a list and {@code points} values of an interval, from its
 * minimum to its maximum, evenly spaced (log-spaced for {@link LogUniform}).
 */
public sealed interface Range<T> {

    /** Uniform in log space over [min, max], {@code 0 < min < max}. */
    record LogUniform(double min, double max) implements Range<Double> {
        public LogUniform {
            if (!(min > 0) || !(max > min) || Double.isInfinite(max)) {
                throw new IllegalArgumentException("a log-uniform range needs 0 < min < max (finite), got min " + format(min)
                        + ", max " + format(max));
            }
        }

        @Override
        public String toString() {
            return "logUniform(" + format(min) + ", " + format(max) + ")";
        }
    }

    /** Uniform over [min, max], {@code min < max}. */
    record Uniform(double min, double max) implements Range<Double> {
        public Uniform {
            if (!(max > min) || Double.isInfinite(min) || Double.isInfinite(max)) {
                throw new IllegalArgumentException("a uniform range needs min < max (finite), got min " + format(min)
                        + ", max " + format(max));
            }
        }

        @Override
        public String toString() {
            return "uniform(" + format(min) + ", " + format(max) + ")";
        }
    }

    /** One of the values listed (one value: fixed). */
    record Choice<T>(List<T> values) implements Range<T> {
        public Choice {
            if (values == null || values.isEmpty()) {
                throw new IllegalArgumentException("a list of values needs at least one value");
            }
            for (T v : values) {
                if (v == null) {
                    throw new IllegalArgumentException("a list of values cannot hold null, got " + values);
                }
            }
            values = List.copyOf(values);
        }

        @Override
        public String toString() {
            List<String> s = new ArrayList<>();
            for (T v : values) {
                s.add(v instanceof Double d ? format(d) : String.valueOf(v));
            }
            return values.size() == 1 ? s.get(0) : "of(" + String.join(", ", s) + ")";
        }
    }

    static Range<Double> logUniform(double min, double max) {
        return new LogUniform(min, max);
    }

    static Range<Double> uniform(double min, double max) {
        return new Uniform(min, max);
    }

    @SafeVarargs
    static <T> Range<T> of(T... values) {
        if (values == null) {
            return new Choice<>(null);
        }
        List<T> list = new ArrayList<>();
        for (T v : values) {
            list.add(v);
        }
        return new Choice<>(list);
    }

    /** The values a search may reach at the edges: min and max of an interval, every value of a list. */
    default List<T> extremes() {
        if (this instanceof Choice<T> c) {
            return c.values();
        }
        @SuppressWarnings("unchecked")
        List<T> ends = (List<T>) (this instanceof LogUniform l ? List.of(l.min(), l.max()) : List.of(((Uniform) this).min(),
                ((Uniform) this).max()));
        return ends;
    }

    /** A fixed value: a list of one. */
    default boolean isFixed() {
        return this instanceof Choice<T> c && c.values().size() == 1;
    }

    private static String format(double v) {
        return Hyperparameters.format(v);
    }
}
