package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_GROUP;

/**
 * The Keras model configuration of a weights-only VGG file ({@code save_weights}, the Keras
 * applications' downloads), which carries layer groups and tensors but no {@code model_config}.
 * The layers are recognised by Keras applications' names ({@code block{b}_conv{i}},
 * {@code block{b}_pool}, {@code fc1}, {@code fc2}, {@code predictions}) and sized from the tensor
 * shapes (kernels {@code [3, 3, in, out]}, dense kernels {@code [in, out]}), so DL4J's importer can
 * read the file as if Keras had saved the whole model.
 */
final class KerasConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONV = Pattern.compile("block(\\d+)_conv(\\d+)");

    private final String json;

    private KerasConfig(String json) {
        this.json = json;
    }

    String json() {
        return json;
    }

    static KerasConfig forWeightsFile(Path h5) throws WeightsFileException {
        Map<String, long[]> shapes = shapes(h5);
        // conv kernels per block, in order: block -> conv index -> kernel shape
        TreeMap<Integer, TreeMap<Integer, long[]>> blocks = new TreeMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String[] parts = e.getKey().split("/");
            Matcher m = CONV.matcher(parts[0]);
            if (m.matches() && e.getValue().length == 4 && parts[parts.length - 1].startsWith("kernel")) {
                blocks.computeIfAbsent(Integer.parseInt(m.group(1)), b -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), e.getValue());
            }
        }
        if (blocks.isEmpty()) {
            throw new WeightsFileException(h5 + " has neither a model_config nor Keras applications' VGG layers (block1_conv1/kernel:0, ...): "
                    + "its tensors are " + Params.sample(shapes.keySet()));
        }
        long[] fc1 = kernel(shapes, "fc1");
        long[] fc2 = kernel(shapes, "fc2");
        long[] predictions = kernel(shapes, "predictions");
        boolean top = fc1 != null || fc2 != null || predictions != null;
        if (top && (fc1 == null || fc2 == null || predictions == null)) {
            throw new WeightsFileException(h5 + " has only part of a VGG top (fc1, fc2 and predictions kernels): " + Params.sample(shapes.keySet()));
        }
        long[] firstKernel = blocks.firstEntry().getValue().firstEntry().getValue();
        long channels = firstKernel[2];
        long lastChannels = blocks.lastEntry().getValue().lastEntry().getValue()[3];
        long side = 224;
        if (top) {
            long map = Math.round(Math.sqrt(fc1[0] / (double) lastChannels));
            if (map * map * lastChannels != fc1[0]) {
                throw new WeightsFileException(h5 + ": fc1's kernel has " + fc1[0] + " rows, which is not a square map of "
                        + lastChannels + " channels");
            }
            side = map << blocks.size();
        }

        ArrayNode layers = JSON.createArrayNode();
        ObjectNode input = layer(layers, "InputLayer", "input_1", null);
        // A convolutions-only network takes any size; DL4J needs one: the applications' default, 224.
        input.with("config").putArray("batch_input_shape").addNull().add(side).add(side).add(channels);
        input.with("config").put("dtype", "float32").put("sparse", false);
        String prev = "input_1";
        for (Map.Entry<Integer, TreeMap<Integer, long[]>> b : blocks.entrySet()) {
            for (Map.Entry<Integer, long[]> c : b.getValue().entrySet()) {
                String name = "block" + b.getKey() + "_conv" + c.getKey();
                ObjectNode conf = layer(layers, "Conv2D", name, prev).with("config");
                conf.put("filters", c.getValue()[3]);
                conf.putArray("kernel_size").add(c.getValue()[0]).add(c.getValue()[1]);
                conf.putArray("strides").add(1).add(1);
                conf.put("padding", "same").put("data_format", "channels_last");
                conf.putArray("dilation_rate").add(1).add(1);
                conf.put("activation", "relu").put("use_bias", true);
                initialisers(conf);
                prev = name;
            }
            String pool = "block" + b.getKey() + "_pool";
            ObjectNode conf = layer(layers, "MaxPooling2D", pool, prev).with("config");
            conf.putArray("pool_size").add(2).add(2);
            conf.put("padding", "valid");
            conf.putArray("strides").add(2).add(2);
            conf.put("data_format", "channels_last");
            prev = pool;
        }
        if (top) {
            layer(layers, "Flatten", "flatten", prev).with("config").put("data_format", "channels_last");
            prev = "flatten";
            for (Object[] d : List.of(new Object[] {"fc1", fc1, "relu"}, new Object[] {"fc2", fc2, "relu"},
                    new Object[] {"predictions", predictions, "softmax"})) {
                ObjectNode conf = layer(layers, "Dense", (String) d[0], prev).with("config");
                conf.put("units", ((long[]) d[1])[1]).put("activation", (String) d[2]).put("use_bias", true);
                initialisers(conf);
                prev = (String) d[0];
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("class_name", "Model");
        ObjectNode config = root.putObject("config");
        config.put("name", "vgg");
        config.set("layers", layers);
        config.putArray("input_layers").addArray().add("input_1").add(0).add(0);
        config.putArray("output_layers").addArray().add(prev).add(0).add(0);
        root.put("keras_version", "2.2.4");
        root.put("backend", "tensorflow");
        return new KerasConfig(root.toString());
    }

    private static ObjectNode layer(ArrayNode layers, String className, String name, String inbound) {
        ObjectNode l = layers.addObject();
        l.put("class_name", className);
        l.put("name", name);
        ObjectNode conf = l.putObject("config");
        conf.put("name", name).put("trainable", true);
        ArrayNode nodes = l.putArray("inbound_nodes");
        if (inbound != null) {
            ArrayNode n = nodes.addArray().addArray();
            n.add(inbound).add(0).add(0).addObject();
        }
        return l;
    }

    private static void initialisers(ObjectNode conf) {
        ObjectNode init = conf.putObject("kernel_initializer");
        init.put("class_name", "VarianceScaling");
        init.putObject("config").put("scale", 1.0).put("mode", "fan_avg").put("distribution", "uniform").putNull("seed");
        conf.putObject("bias_initializer").put("class_name", "Zeros").putObject("config");
        for (String k : new String[] {"kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                "bias_constraint"}) {
            conf.putNull(k);
        }
    }

    /** A layer's kernel shape, wherever Keras nested it ({@code fc1/fc1/kernel:0}), or null. */
    private static long[] kernel(Map<String, long[]> shapes, String layer) {
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String[] parts = e.getKey().split("/");
            if (parts[0].equals(layer) && parts[parts.length - 1].startsWith("kernel") && e.getValue().length == 2) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Every data set of the file by path, with its dimensions; read from the metadata only. */
    static Map<String, long[]> shapes(Path h5) throws WeightsFileException {
        Map<String, long[]> out = new LinkedHashMap<>();
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            KerasImport.quietHdf5();
            H5File file;
            try {
                file = new H5File(h5.toString(), H5F_ACC_RDONLY());
            } catch (RuntimeException e) {
                throw new WeightsFileException(h5 + " cannot be opened as HDF5: " + KerasImport.oneLine(e), e);
            }
            try {
                walk(file, "", out, 0);
            } catch (RuntimeException e) {
                throw new WeightsFileException(h5 + " cannot be read as HDF5: " + KerasImport.oneLine(e), e);
            } finally {
                file.deallocate();
            }
        }
        return out;
    }

    private static void walk(Group g, String prefix, Map<String, long[]> out, int depth) {
        if (depth > 8) {
            return; // Keras nests at most three levels; deeper means a file that is not Keras'
        }
        List<String> groups = new ArrayList<>();
        for (long i = 0; i < g.getNumObjs(); i++) {
            var name = g.getObjnameByIdx(i);
            int type = g.childObjType(name);
            String n = name.getString();
            if (type == H5O_TYPE_DATASET) {
                DataSet ds = g.openDataSet(n);
                DataSpace space = ds.getSpace();
                long[] dims = new long[space.getSimpleExtentNdims()];
                space.getSimpleExtentDims(dims);
                out.put(prefix + n, dims);
                space.deallocate();
                ds.deallocate();
            } else if (type == H5O_TYPE_GROUP) {
                groups.add(n);
            }
        }
        for (String n : groups) {
            Group child = g.openGroup(n);
            try {
                walk(child, prefix + n + "/", out, depth + 1);
            } finally {
                child.deallocate();
            }
        }
    }
}
