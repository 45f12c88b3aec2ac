package io.github.vgg4j.datavec;

import io.github.vgg4j.core.internal.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Kaggle dogs-vs-cats submission: {@code id,label} rows sorted by numeric id, where label is the
 * probability of "dog" (of the positive class, for other binary tasks: {@link #rows}). Log loss punishes confident mistakes without bound, so probabilities can be
 * clipped to [clip, 1 - clip] (0.005 is common; 0 disables). Written atomically.
 */
public final class KaggleSubmission {

    private KaggleSubmission() {
    }

    /** One image: its id (the file's base name, e.g. "1234") and P(dog). */
    public record Row(String id, double probability) {
    }

    /** The id Kaggle expects for an image file: its base name without the extension ({@code test1/1234.jpg} -> 1234). */
    public static String id(String file) {
        String name = Path.of(file).getFileName().toString();
        return name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
    }

    /**
     * The rows of a submission: each image's probability of the positive class.
     *
     * @param labels        the model's classes, in the order of the predictions' probabilities
     * @param positiveClass the class whose probability is written; null only for a two-class model
     *                      (then "dog" if it has that class, else its second). A model of more
     *                      classes is refused without one: the probability of one class out of ten
     *                      is not a binary prediction (a 10-class model gave 0.005 on every row).
     * @throws IllegalArgumentException naming the classes, when the positive class is missing or unknown
     */
    public static List<Row> rows(List<String> labels, List<Predictor.Prediction> predictions, String positiveClass) {
        int positive;
        if (positiveClass != null) {
            positive = labels.indexOf(positiveClass);
            if (positive < 0) {
                throw new IllegalArgumentException("positive class '" + positiveClass + "' is not one of the model's classes " + labels);
            }
        } else if (labels.size() == 2) {
            positive = labels.contains("dog") ? labels.indexOf("dog") : 1;
        } else {
            throw new IllegalArgumentException("a probability file is for a binary model, and this one has " + labels.size()
                    + " classes " + abbreviated(labels) + ": name the positive class whose probability to write");
        }
        List<Row> rows = new ArrayList<>(predictions.size());
        for (Predictor.Prediction p : predictions) {
            rows.add(new Row(id(p.file()), p.probabilities()[positive]));
        }
        return rows;
    }

    private static String abbreviated(List<String> labels) {
        return labels.size() <= 12 ? labels.toString() : labels.subList(0, 12) + " (and " + (labels.size() - 12) + " more)";
    }

    /** Refuses a clip outside [0, 0.5) (at 0.5 every row would read 0.5). */
    public static double checkClip(double clip) {
        if (!(clip >= 0 && clip < 0.5)) {
            throw new IllegalArgumentException("clip must be in [0, 0.5), got " + clip);
        }
        return clip;
    }

    public static void write(Path file, List<Row> rows, double clip) throws IOException {
        checkClip(clip);
        List<Row> sorted = new ArrayList<>(rows);
        for (Row r : sorted) {
            if (!r.id().matches("\\d+")) {
                throw new IllegalArgumentException("Kaggle ids are numbers (test1/1234.jpg -> 1234), got '" + r.id() + "'");
            }
            if (!(r.probability() >= 0 && r.probability() <= 1)) {
                throw new IllegalArgumentException("probability of id " + r.id() + " is " + r.probability() + ", not in [0, 1]");
            }
        }
        sorted.sort(Comparator.comparingLong(r -> Long.parseLong(r.id())));
        StringBuilder csv = new StringBuilder("id,label\n");
        for (Row r : sorted) {
            double p = Math.min(1 - clip, Math.max(clip, r.probability()));
            csv.append(r.id()).append(',').append(String.format(Locale.ROOT, "%.6f", p)).append('\n');
        }
        AtomicFiles.writeString(file, csv.toString());
    }
}
