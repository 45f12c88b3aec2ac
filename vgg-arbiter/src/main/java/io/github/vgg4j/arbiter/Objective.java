package io.github.vgg4j.arbiter;

import io.github.vgg4j.core.train.EpochResult;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * What a search optimises, measured on the validation split after every epoch. A candidate's score
 * is its best epoch's value.
 */
public enum Objective {
    /** Share of validation images classified correctly; higher is better. */
    VALIDATION_ACCURACY("validationAccuracy", "validation accuracy"),
    /**
     * Mean cross-entropy on the validation images; lower is better. Without the weight-decay
     * penalty, so that candidates with different weight decays compare fairly.
     */
    VALIDATION_LOSS("validationLoss", "validation loss");

    private final String key;
    private final String text;

    Objective(String key, String text) {
        this.key = key;
        this.text = text;
    }

    /** The name in results files: {@code validationAccuracy} or {@code validationLoss}. */
    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return text;
    }

    /** Parses {@code accuracy}, {@code loss} (the command line) or a {@link #key()}. */
    public static Objective parse(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "accuracy", "validationaccuracy", "validation_accuracy" -> VALIDATION_ACCURACY;
            case "loss", "validationloss", "validation_loss" -> VALIDATION_LOSS;
            default -> throw new IllegalArgumentException("unknown objective '" + name + "': expected accuracy or loss");
        };
    }

    /** Whether score {@code a} is better than {@code b}; NaN is never better, anything beats NaN. */
    public boolean better(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        if (Double.isNaN(b)) {
            return true;
        }
        return this == VALIDATION_ACCURACY ? a > b : a < b;
    }

    /** This objective after an epoch of {@code net}'s training. */
    double of(EpochResult epoch, MultiLayerNetwork net) {
        return this == VALIDATION_ACCURACY ? epoch.validationAccuracy()
                : epoch.validationLoss() - net.calcRegularizationScore(true);
    }
}
