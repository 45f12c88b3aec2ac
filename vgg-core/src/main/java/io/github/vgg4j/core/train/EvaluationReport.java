package io.github.vgg4j.core.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy, per-class accuracy (recall) and the confusion matrix ({@code confusion[actual][predicted]})
 * of a classifier on a labelled set, with the mean cross-entropy loss.
 */
public record EvaluationReport(List<String> labels, long examples, double accuracy, double loss, int[][] confusion) {

    public EvaluationReport {
        labels = List.copyOf(labels);
    }

    /** Accuracy within each actual class; NaN for a class with no example. */
    public Map<String, Double> perClassAccuracy() {
        Map<String, Double> per = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            long total = 0;
            for (int p = 0; p < labels.size(); p++) {
                total += confusion[c][p];
            }
            per.put(labels.get(c), total == 0 ? Double.NaN : confusion[c][c] / (double) total);
        }
        return per;
    }

    /** JSON fields: accuracy, perClassAccuracy (label -> value), confusion, labels, examples, loss. */
    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("accuracy", accuracy);
        root.put("loss", loss);
        root.put("examples", examples);
        ObjectNode per = root.putObject("perClassAccuracy");
        perClassAccuracy().forEach((k, v) -> {
            if (v.isNaN()) {
                per.putNull(k);
            } else {
                per.put(k, v);
            }
        });
        ArrayNode names = root.putArray("labels");
        labels.forEach(names::add);
        ArrayNode matrix = root.putArray("confusion");
        for (int[] row : confusion) {
            ArrayNode r = matrix.addArray();
            for (int v : row) {
                r.add(v);
            }
        }
        return root;
    }

    /** A readable report: accuracy, per-class accuracy, confusion matrix with class names. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "accuracy %.4f (%d examples), loss %.4f%n", accuracy, examples, loss));
        int w = Math.max(8, labels.stream().mapToInt(String::length).max().orElse(8));
        s.append(String.format(Locale.ROOT, "%-" + w + "s  %s%n", "class", "accuracy"));
        perClassAccuracy().forEach((k, v) -> s.append(String.format(Locale.ROOT, "%-" + w + "s  %.4f%n", k, v)));
        s.append("confusion matrix (rows: actual, columns: predicted)").append(System.lineSeparator());
        s.append(" ".repeat(w + 1));
        for (int p = 0; p < labels.size(); p++) {
            s.append(String.format(Locale.ROOT, "%6d", p));
        }
        s.append(System.lineSeparator());
        for (int a = 0; a < labels.size(); a++) {
            s.append(String.format(Locale.ROOT, "%-" + w + "s ", labels.get(a)));
            for (int p = 0; p < labels.size(); p++) {
                s.append(String.format(Locale.ROOT, "%6d", confusion[a][p]));
            }
            s.append(System.lineSeparator());
        }
        return s.toString();
    }
}
