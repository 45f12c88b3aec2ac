package io.github.vgg4j.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the learning rate moves from epoch to epoch. {@link Plateau} is the paper's (divide by 10
 * when validation accuracy stops improving; needs validation data); {@link Steps} and
 * {@link Cosine} depend only on the epoch, which suits a fixed budget of epochs (the CIFAR-10
 * recipes) and makes a resumed run recompute the same rate.
 */
public sealed interface LearningRateSchedule {

    /** Multiply by {@code factor} after {@code patience} epochs without a better validation accuracy. */
    record Plateau(double factor, int patience) implements LearningRateSchedule {
        public Plateau {
            if (!(factor > 0 && factor <= 1)) {
                throw new IllegalArgumentException("plateau factor must be in (0, 1], got " + factor);
            }
            if (patience < 1) {
                throw new IllegalArgumentException("plateau patience must be >= 1 epoch, got " + patience);
            }
        }
    }

    /** Multiply by {@code factor} at the start of each epoch listed (1-based, ascending). */
    record Steps(double factor, List<Integer> epochs) implements LearningRateSchedule {
        public Steps {
            if (!(factor > 0 && factor <= 1)) {
                throw new IllegalArgumentException("step factor must be in (0, 1], got " + factor);
            }
            epochs = List.copyOf(epochs);
            for (int i = 0; i < epochs.size(); i++) {
                if (epochs.get(i) < 2 || (i > 0 && epochs.get(i) <= epochs.get(i - 1))) {
                    throw new IllegalArgumentException("step epochs must be ascending and >= 2 (1-based: the first epoch"
                            + " that runs at the lower rate), got " + epochs);
                }
            }
        }
    }

    /**
     * Half a cosine from the base rate (first epoch) towards {@code minRate}, reached at the end of
     * the last epoch (epoch e of E runs at min + (base - min)(1 + cos(pi e / E)) / 2, as PyTorch's
     * CosineAnnealingLR stepped per epoch): no epoch is spent at the minimum.
     */
    record Cosine(double minRate) implements LearningRateSchedule {
        public Cosine {
            if (!(minRate >= 0)) {
                throw new IllegalArgumentException("cosine minimum rate must be >= 0, got " + minRate);
            }
        }
    }

    /** The paper's: /10 after 2 epochs without improvement. */
    static LearningRateSchedule paper() {
        return new Plateau(0.1, 2);
    }

    /**
     * The rate of 0-based {@code epoch} out of {@code epochs} for the epoch-driven schedules;
     * {@link Plateau} has no fixed rate per epoch and returns {@code current}.
     */
    default double rateAt(int epoch, int epochs, double base, double current) {
        if (this instanceof Steps s) {
            double r = base;
            for (int e : s.epochs()) {
                if (epoch + 1 >= e) {
                    r *= s.factor();
                }
            }
            return r;
        }
        if (this instanceof Cosine c) {
            double t = (double) epoch / epochs;
            return c.minRate() + (base - c.minRate()) * 0.5 * (1 + Math.cos(Math.PI * t));
        }
        return current;
    }

    /**
     * Parses the command-line form: {@code plateau[:FACTOR[:PATIENCE]]},
     * {@code step:FACTOR:E1,E2,...} or {@code cosine[:MIN]}.
     */
    static LearningRateSchedule parse(String spec) {
        String[] p = spec.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            switch (p[0]) {
                case "plateau":
                    return new Plateau(p.length > 1 ? Double.parseDouble(p[1]) : 0.1, p.length > 2 ? Integer.parseInt(p[2]) : 2);
                case "step":
                    if (p.length != 3) {
                        break;
                    }
                    List<Integer> at = new ArrayList<>();
                    for (String e : p[2].split(",")) {
                        at.add(Integer.parseInt(e.trim()));
                    }
                    return new Steps(Double.parseDouble(p[1]), at);
                case "cosine":
                    return new Cosine(p.length > 1 ? Double.parseDouble(p[1]) : 0);
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("learning-rate schedule '" + spec + "': " + e.getMessage()
                    + "; expected plateau[:FACTOR[:PATIENCE]], step:FACTOR:E1,E2,... or cosine[:MIN]", e);
        }
        throw new IllegalArgumentException("learning-rate schedule '" + spec
                + "': expected plateau[:FACTOR[:PATIENCE]], step:FACTOR:E1,E2,... (e.g. step:0.1:30,60) or cosine[:MIN]");
    }
}
