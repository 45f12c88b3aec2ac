package io.github.vgg4j.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1h30m}, or ISO-8601 ({@code PT30M}). */
final class DurationSpec implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)([hms])");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return positive(text, Duration.parse(t.toUpperCase(Locale.ROOT)));
            }
        } catch (DateTimeParseException e) {
            throw invalid(text);
        }
        Matcher m = PART.matcher(t);
        int end = 0;
        double seconds = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            seconds += v * switch (m.group(2)) {
                case "h" -> 3600;
                case "m" -> 60;
                default -> 1;
            };
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw invalid(text);
        }
        return positive(text, Duration.ofMillis(Math.round(seconds * 1000)));
    }

    private static Duration positive(String text, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new TypeConversionException("'" + text + "' must be longer than 0");
        }
        return d;
    }

    private static TypeConversionException invalid(String text) {
        return new TypeConversionException("'" + text + "' is not a duration; expected e.g. 90s, 30m, 2h, 1h30m or PT45M");
    }
}
