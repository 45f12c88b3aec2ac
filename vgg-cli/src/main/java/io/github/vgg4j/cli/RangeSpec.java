package io.github.vgg4j.cli;

import io.github.vgg4j.arbiter.Range;
import picocli.CommandLine.TypeConversionException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ranges on the command line: {@code MIN:MAX} (an interval: log-uniform for rates and weight decay,
 * uniform for momentum and dropout), {@code A,B,C} (those values) or one value (fixed).
 * {@link Converters} checks them against the search space as they are parsed.
 */
final class RangeSpec {

    private RangeSpec() {
    }

    /** Batch sizes: {@code 32,64} or one value. */
    static Range<Integer> integers(String text) {
        try {
            List<Integer> values = new ArrayList<>();
            for (String v : text.trim().split(",")) {
                values.add(Integer.parseInt(v.trim()));
            }
            return new Range.Choice<>(values);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + text + "' is not a list of whole numbers; expected e.g. 64 or 32,64,128");
        }
    }

    /** A range of doubles; {@code logScale} picks log-uniform for intervals. */
    static Range<Double> doubles(String text, boolean logScale) {
        String t = text.trim();
        try {
            if (t.contains(":")) {
                String[] p = t.split(":", -1);
                if (p.length != 2) {
                    throw new IllegalArgumentException("expected MIN:MAX");
                }
                double min = Double.parseDouble(p[0].trim());
                double max = Double.parseDouble(p[1].trim());
                return logScale ? Range.logUniform(min, max) : Range.uniform(min, max);
            }
            List<Double> values = new ArrayList<>();
            for (String v : t.split(",")) {
                values.add(Double.parseDouble(v.trim()));
            }
            return new Range.Choice<>(values);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + text + "' is not a range (" + message(e) + "); expected MIN:MAX"
                    + (logScale ? " (log-uniform, e.g. 1e-4:1e-1)" : " (e.g. 0.5:0.99)") + ", a list A,B,C or one value");
        }
    }

    private static String message(IllegalArgumentException e) {
        return e instanceof NumberFormatException ? "not a number: " + e.getMessage().replace("For input string: ", "")
                .toLowerCase(Locale.ROOT) : e.getMessage();
    }
}
