package io.github.vgg4j.core.io;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a saved model carries besides its weights, as plain JSON (never Java serialisation):
 * the architecture name, the input shape it was built for (C, H, W), the label names in output
 * order, and the preprocessing its weights expect. Label order is part of the model, so a reader
 * that lists classes differently at test time cannot silently permute them.
 */
public record ModelInfo(String architecture, int[] inputShape, List<String> labels, Preprocessing preprocessing,
                        Map<String, String> properties) {

    public ModelInfo {
        if (inputShape == null || inputShape.length != 3) {
            throw new IllegalArgumentException("inputShape must be {channels, height, width}, got "
                    + Arrays.toString(inputShape));
        }
        inputShape = inputShape.clone();
        labels = labels == null ? List.of() : List.copyOf(labels);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public ModelInfo(String architecture, int[] inputShape, List<String> labels, Preprocessing preprocessing) {
        this(architecture, inputShape, labels, preprocessing, Map.of());
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    public ModelInfo withLabels(List<String> newLabels) {
        return new ModelInfo(architecture, inputShape, newLabels, preprocessing, properties);
    }

    public ModelInfo withPreprocessing(Preprocessing p) {
        return new ModelInfo(architecture, inputShape, labels, p, properties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelInfo m && m.architecture.equals(architecture) && Arrays.equals(m.inputShape, inputShape)
                && m.labels.equals(labels) && java.util.Objects.equals(m.preprocessing, preprocessing)
                && m.properties.equals(properties);
    }

    @Override
    public int hashCode() {
        return architecture.hashCode() * 31 + Arrays.hashCode(inputShape) + labels.hashCode();
    }
}
