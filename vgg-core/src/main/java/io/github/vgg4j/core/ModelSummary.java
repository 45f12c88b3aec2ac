package io.github.vgg4j.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-layer summary of a network, like torchsummary / Keras' {@code model.summary()}: name, type,
 * output shape, parameters (trainable vs total: batch-norm running statistics and frozen layers
 * are not trainable), multiply-adds and forward activation memory per image; totals.
 * Computed from the configuration alone, so summarising VGG19 allocates no weights.
 *
 * <pre>{@code System.out.println(VGGBuilder.vgg16().summary().toText());}</pre>
 */
public final class ModelSummary {

    /** One layer. {@code outputShape} excludes the batch dimension ([C, H, W] or [features]). */
    public record Row(String name, String type, long[] outputShape, long params, long trainableParams,
                      long multiplyAdds, long activationBytes) {
    }

    private final String model;
    private final long[] inputShape;
    private final List<Row> rows;

    private ModelSummary(String model, long[] inputShape, List<Row> rows) {
        this.model = model;
        this.inputShape = inputShape;
        this.rows = List.copyOf(rows);
    }

    public static ModelSummary of(MultiLayerConfiguration conf, InputType input, String modelName) {
        List<InputType> outputs = conf.getLayerActivationTypes(input);
        int bytes = bytesPer(conf.getDataType());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String name = layer.getLayerName() != null ? layer.getLayerName() : String.valueOf(i);
            rows.add(row(name, layer, outputs.get(i), bytes));
        }
        return new ModelSummary(modelName, input.getShape(false), rows);
    }

    public static ModelSummary of(ComputationGraphConfiguration conf, InputType input, String modelName) {
        Map<String, InputType> outputs = conf.getLayerActivationTypes(input);
        int bytes = bytesPer(conf.getDataType());
        List<String> order = conf.getTopologicalOrderStr() != null ? conf.getTopologicalOrderStr()
                : new ArrayList<>(conf.getVertices().keySet());
        List<Row> rows = new ArrayList<>();
        for (String name : order) {
            GraphVertex v = conf.getVertices().get(name);
            if (v == null) {
                continue; // a network input
            }
            InputType out = outputs.get(name);
            if (v instanceof LayerVertex lv) {
                rows.add(row(name, lv.getLayerConf().getLayer(), out, bytes));
            } else {
                rows.add(new Row(name, v.getClass().getSimpleName(), out == null ? new long[0] : out.getShape(false),
                        0, 0, 0, out == null ? 0 : out.arrayElementsPerExample() * bytes));
            }
        }
        return new ModelSummary(modelName, input.getShape(false), rows);
    }

    /** Summary of an initialised or loaded network, given the input it takes. */
    public static ModelSummary of(Model model, InputType input, String modelName) {
        if (model instanceof MultiLayerNetwork mln) {
            return of(mln.getLayerWiseConfigurations(), input, modelName);
        }
        if (model instanceof ComputationGraph cg) {
            return of(cg.getConfiguration(), input, modelName);
        }
        throw new IllegalArgumentException("cannot summarise a " + model.getClass().getName()
                + ": expected a MultiLayerNetwork or a ComputationGraph");
    }

    private static Row row(String name, Layer layer, InputType out, int bytes) {
        boolean frozen = false;
        Layer inner = layer;
        if (inner instanceof FrozenLayer f) {
            inner = f.getLayer();
            frozen = true;
        } else if (inner instanceof FrozenLayerWithBackprop f) {
            inner = f.getUnderlying();
            frozen = true;
        }
        long params = layer.initializer().numParams(layer);
        long trainable = frozen ? 0 : params - nonTrainable(inner);
        long[] shape = out.getShape(false);
        return new Row(name, inner.getClass().getSimpleName(), shape, params, trainable,
                multiplyAdds(inner, out), out.arrayElementsPerExample() * bytes);
    }

    /** Running statistics of batch norm are updated by averaging, not by gradients. */
    private static long nonTrainable(Layer layer) {
        if (layer instanceof BatchNormalization bn) {
            long stats = bn.initializer().paramKeys(bn).stream()
                    .filter(k -> k.equals(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                            || k.equals(BatchNormalizationParamInitializer.GLOBAL_VAR)
                            || k.equals(BatchNormalizationParamInitializer.GLOBAL_LOG_STD))
                    .count();
            return stats * bn.getNOut();
        }
        return 0;
    }

    private static long multiplyAdds(Layer layer, InputType out) {
        if (layer instanceof ConvolutionLayer conv && out instanceof InputType.InputTypeConvolutional c) {
            long[] k = Arrays.stream(conv.getKernelSize()).asLongStream().toArray();
            return c.getHeight() * c.getWidth() * c.getChannels() * conv.getNIn() * k[0] * k[1];
        }
        if (layer instanceof DenseLayer || layer instanceof BaseOutputLayer) {
            var ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
            return ff.getNIn() * ff.getNOut();
        }
        return 0;
    }

    private static int bytesPer(DataType type) {
        return type == null ? 4 : type.width();
    }

    public String model() {
        return model;
    }

    /** The input shape without the batch dimension, e.g. [3, 224, 224]. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    public List<Row> layers() {
        return rows;
    }

    public Row layer(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer '" + name + "' in " + model));
    }

    public long totalParams() {
        return rows.stream().mapToLong(Row::params).sum();
    }

    public long trainableParams() {
        return rows.stream().mapToLong(Row::trainableParams).sum();
    }

    public long multiplyAdds() {
        return rows.stream().mapToLong(Row::multiplyAdds).sum();
    }

    /** Bytes of all layer outputs for one image in a forward pass (training keeps about twice that). */
    public long activationBytesPerImage() {
        return rows.stream().mapToLong(Row::activationBytes).sum();
    }

    /** A torchsummary-style table. */
    public String toText() {
        String format = "%-22s %-20s %-18s %15s %17s %12s%n";
        String rule = "-".repeat(109) + System.lineSeparator();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s, input %s%n", model, dims(inputShape)));
        s.append(rule);
        s.append(String.format(Locale.ROOT, format, "Layer", "Type", "Output shape", "Params", "Mult-adds", "Memory"));
        s.append("=".repeat(109)).append(System.lineSeparator());
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, format, r.name(), r.type(), Arrays.toString(r.outputShape()),
                    commas(r.params()), commas(r.multiplyAdds()), bytes(r.activationBytes())));
        }
        s.append("=".repeat(109)).append(System.lineSeparator());
        long total = totalParams();
        long trainable = trainableParams();
        s.append(String.format(Locale.ROOT, "Total params: %s%n", commas(total)));
        s.append(String.format(Locale.ROOT, "Trainable params: %s%n", commas(trainable)));
        s.append(String.format(Locale.ROOT, "Non-trainable params: %s%n", commas(total - trainable)));
        s.append(String.format(Locale.ROOT, "Mult-adds per image: %s (%.2f G)%n", commas(multiplyAdds()), multiplyAdds() / 1e9));
        s.append(String.format(Locale.ROOT, "Activation memory per image (forward): %s%n", bytes(activationBytesPerImage())));
        s.append(String.format(Locale.ROOT, "Parameter memory: %s%n", bytes(total * 4)));
        s.append(rule);
        return s.toString();
    }

    /** JSON with {@code totalParams}, {@code trainableParams} and {@code layers} (the CLI contract). */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model);
        ArrayNode in = root.putArray("inputShape");
        for (long d : inputShape) {
            in.add(d);
        }
        root.put("totalParams", totalParams());
        root.put("trainableParams", trainableParams());
        root.put("nonTrainableParams", totalParams() - trainableParams());
        root.put("multiplyAdds", multiplyAdds());
        root.put("activationBytesPerImage", activationBytesPerImage());
        ArrayNode layers = root.putArray("layers");
        for (Row r : rows) {
            ObjectNode l = layers.addObject();
            l.put("name", r.name());
            l.put("type", r.type());
            ArrayNode shape = l.putArray("outputShape");
            for (long d : r.outputShape()) {
                shape.add(d);
            }
            l.put("params", r.params());
            l.put("trainableParams", r.trainableParams());
            l.put("multiplyAdds", r.multiplyAdds());
            l.put("activationBytes", r.activationBytes());
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return toText();
    }

    private static String dims(long[] shape) {
        StringBuilder s = new StringBuilder();
        for (long d : shape) {
            s.append(s.length() == 0 ? "" : "x").append(d);
        }
        return s.toString();
    }

    private static String commas(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String bytes(long b) {
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.2f MiB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.2f KiB", b / 1024.0);
    }
}
