package io.github.vgg4j.arbiter;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The values of one candidate, by name ({@link #LEARNING_RATE}, {@link #MOMENTUM}, ...), in the
 * order of the search space. Only the hyperparameters the space sets are present; the others keep
 * the template's values.
 *
 * <pre>{@code
 * double lr = candidate.hyperparameters().number(Hyperparameters.LEARNING_RATE);
 * }</pre>
 */
public final class Hyperparameters implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String LEARNING_RATE = "lr";
    public static final String MOMENTUM = "momentum";
    public static final String WEIGHT_DECAY = "weightDecay";
    public static final String DROPOUT = "dropout";
    public static final String BATCH_SIZE = "batchSize";
    public static final String BATCH_NORM = "batchNorm";
    public static final String WIDTH = "width";

    /** Double, Integer or Boolean values; a LinkedHashMap so that Arbiter can serialise candidates. */
    private final LinkedHashMap<String, Object> values;

    Hyperparameters(Map<String, ?> values) {
        this.values = new LinkedHashMap<>(values);
    }

    /** Name to value (Double, Integer or Boolean), in the space's order. */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    /** Puts every value into {@code node} as a JSON number or boolean under its name. */
    public void putInto(ObjectNode node) {
        values.forEach((k, v) -> {
            if (v instanceof Double d) {
                node.put(k, d);
            } else if (v instanceof Integer i) {
                node.put(k, i);
            } else {
                node.put(k, (Boolean) v);
            }
        });
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A numeric value ({@code lr}, {@code momentum}, {@code batchSize}, ...). */
    public double number(String name) {
        return ((Number) require(name)).doubleValue();
    }

    /** A yes/no value ({@code batchNorm}). */
    public boolean flag(String name) {
        return (Boolean) require(name);
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no hyperparameter '" + name + "' in this search, only " + values.keySet());
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hyperparameters h && h.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** 4 significant digits, without trailing zeros after the point: 0.003162, 0.0005, 1e-05, 1000. */
    static String format(double v) {
        String s = String.format(Locale.ROOT, "%.4g", v);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return mantissa + (e < 0 ? "" : s.substring(e));
    }

    /** e.g. {@code lr=0.003162 momentum=0.9}. */
    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(" ");
        values.forEach((k, v) -> s.add(k + "=" + (v instanceof Double d ? format(d) : v)));
        return s.toString();
    }
}
