package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.ConvBlock;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.bytedeco.hdf5.global.hdf5;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras applications' VGG16/VGG19 (or any Keras VGG of the same shape) through DL4J's Keras import,
 * then onto the matching {@link VGGBuilder} network.
 *
 * <p>Two kinds of file: a whole model ({@code model.save}: {@code model_config} plus
 * {@code model_weights}) is imported as it is; a weights file ({@code save_weights}, the
 * applications' downloadable {@code vgg16_weights_tf_dim_ordering_tf_kernels[_notop].h5}) carries
 * no configuration, so the Keras configuration is written for it from its layer names and tensor
 * shapes ({@link KerasConfig}) and handed to the same importer.
 *
 * <p>Why not keep DL4J's imported graph: Keras is channels-last, and DL4J imports it as NHWC
 * layers, which oneDNN trains with wrong gradients in M2.1 (see the performance notes); the
 * imported graph also has Keras' flatten order (h, w, c). The weights are therefore copied onto a
 * NCHW VGGBuilder network with the stable names, with fc1's rows reordered from (h, w, c) to
 * (c, h, w); the result computes Keras' function.
 */
final class KerasImport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KerasImport() {
    }

    static PretrainedModel load(Path h5) throws IOException {
        if (!Files.isRegularFile(h5)) {
            throw new NoSuchFileException(h5.toString(), null, "Keras file not found");
        }
        requireHdf5(h5);
        String modelConfig = null;
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            quietHdf5();
            Hdf5Archive archive;
            try {
                archive = new Hdf5Archive(h5.toString());
            } catch (RuntimeException e) {
                throw new WeightsFileException(h5 + " cannot be opened as HDF5 (damaged or truncated?): " + oneLine(e), e);
            }
            try {
                if (archive.hasAttribute("model_config")) {
                    modelConfig = archive.readAttributeAsJson("model_config");
                }
            } catch (UnsupportedKerasConfigurationException | RuntimeException e) {
                throw new WeightsFileException(h5 + ": cannot read its model_config attribute (" + oneLine(e) + ")", e);
            } finally {
                archive.close();
            }
        }
        Model imported;
        try {
            quietHdf5();
            if (modelConfig != null) {
                String className = JSON.readTree(modelConfig.trim()).path("class_name").asText();
                imported = className.equals("Sequential")
                        ? KerasModelImport.importKerasSequentialModelAndWeights(h5.toString(), false)
                        : KerasModelImport.importKerasModelAndWeights(h5.toString(), false);
            } else {
                KerasConfig config = KerasConfig.forWeightsFile(h5);
                imported = new KerasModel().modelBuilder().modelJson(config.json()).weightsHdf5FilenameNoRoot(h5.toString())
                        .enforceTrainingConfig(false).buildModel().getComputationGraph();
            }
        } catch (InvalidKerasConfigurationException | UnsupportedKerasConfigurationException | RuntimeException e) {
            throw new WeightsFileException(h5 + ": DL4J's Keras import failed: " + oneLine(e), e);
        }
        return toVggBuilder(h5, imported);
    }

    /** The imported network's weights on a VGGBuilder network of the same shape. */
    static PretrainedModel toVggBuilder(Path h5, Model imported) throws WeightsFileException {
        Chain chain = Chain.of(imported);
        List<List<Chain.Step>> blocks = new ArrayList<>();
        List<Chain.Step> current = new ArrayList<>();
        List<Chain.Step> dense = new ArrayList<>();
        for (Chain.Step s : chain.steps()) {
            var l = s.conf().getLayer();
            if (l instanceof ConvolutionLayer) {
                if (!dense.isEmpty()) {
                    throw notVgg(h5, "convolution '" + s.name() + "' after a fully connected layer");
                }
                current.add(s);
            } else if (l instanceof SubsamplingLayer) {
                if (current.isEmpty()) {
                    throw notVgg(h5, "pooling layer '" + s.name() + "' without a convolution before it");
                }
                blocks.add(current);
                current = new ArrayList<>();
            } else if (l instanceof FeedForwardLayer) {
                dense.add(s);
            }
        }
        if (!current.isEmpty() || blocks.isEmpty()) {
            throw notVgg(h5, "its convolutions do not end in pooling layers");
        }
        if (!dense.isEmpty() && dense.size() != 3) {
            throw notVgg(h5, "it has " + dense.size() + " fully connected layers; a VGG top has fc1, fc2 and predictions");
        }
        int[][] table = new int[blocks.size()][];
        for (int b = 0; b < blocks.size(); b++) {
            table[b] = new int[] {blocks.get(b).size(), (int) ((ConvolutionLayer) blocks.get(b).get(0).conf().getLayer()).getNOut()};
            for (Chain.Step s : blocks.get(b)) {
                ConvolutionLayer c = (ConvolutionLayer) s.conf().getLayer();
                if (c.getNOut() != table[b][1] || c.getKernelSize()[0] != 3 || c.getKernelSize()[1] != 3) {
                    throw notVgg(h5, "convolution '" + s.name() + "' is " + c.getKernelSize()[0] + "x" + c.getKernelSize()[1]
                            + " with " + c.getNOut() + " channels where its block has 3x3 with " + table[b][1]);
                }
            }
        }
        ConvolutionLayer first = (ConvolutionLayer) blocks.get(0).get(0).conf().getLayer();
        boolean nhwc = first.getCnn2dDataFormat() == CNN2DFormat.NHWC;
        int channels = (int) first.getNIn();
        int side = 224;
        int classes = 2;
        Head head = Head.fullyConnected();
        if (!dense.isEmpty()) {
            long fc1In = ((FeedForwardLayer) dense.get(0).conf().getLayer()).getNIn();
            long lastChannels = table[table.length - 1][1];
            int map = (int) Math.round(Math.sqrt(fc1In / (double) lastChannels));
            if ((long) map * map * lastChannels != fc1In) {
                throw notVgg(h5, "fc1 takes " + fc1In + " inputs, not a square map of " + lastChannels + " channels");
            }
            side = map << blocks.size();
            head = Head.fullyConnected((int) ((FeedForwardLayer) dense.get(0).conf().getLayer()).getNOut(),
                    (int) ((FeedForwardLayer) dense.get(1).conf().getLayer()).getNOut());
            classes = (int) ((FeedForwardLayer) dense.get(2).conf().getLayer()).getNOut();
        }
        VGGBuilder builder = builderFor(table).batchNorm(false).inputShape(channels, side, side)
                .numClasses(Math.max(2, classes)).head(head);
        MultiLayerNetwork net = dense.isEmpty() ? TorchvisionImport.convolutionsOnly(builder)
                : Networks.uninitialised(builder.build());
        for (int b = 0; b < blocks.size(); b++) {
            for (int i = 0; i < blocks.get(b).size(); i++) {
                copy(h5, blocks.get(b).get(i), net, "block" + (b + 1) + "_conv" + (i + 1), false, 0, 0);
            }
        }
        if (!dense.isEmpty()) {
            int map = side >> blocks.size();
            copy(h5, dense.get(0), net, "fc1", nhwc, map, table[table.length - 1][1]);
            copy(h5, dense.get(1), net, "fc2", false, 0, 0);
            copy(h5, dense.get(2), net, "predictions", false, 0, 0);
        }
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes && !dense.isEmpty(); c++) {
            labels.add("class" + c);
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("source", "keras h5 " + h5.getFileName());
        ModelInfo info = new ModelInfo(builder.name() + (dense.isEmpty() ? "-notop" : ""), new int[] {channels, side, side},
                labels, Preprocessing.caffeImagenet(), props);
        return new PretrainedModel(net, info);
    }

    /** The paper's configuration when the table is one of them (stable model names), else a custom table. */
    private static VGGBuilder builderFor(int[][] table) {
        for (VggConfiguration c : VggConfiguration.values()) {
            List<ConvBlock> blocks = c.blocks();
            if (!c.lrn() && blocks.size() == table.length) {
                boolean same = true;
                for (int b = 0; b < table.length; b++) {
                    same &= blocks.get(b).equals(ConvBlock.of(table[b][0], table[b][1]));
                }
                if (same) {
                    return VGGBuilder.of(c);
                }
            }
        }
        return new VGGBuilder().blocks(table);
    }

    /**
     * Copies W and b; for fc1 after a channels-last flatten, rows (h, w, c) become (c, h, w).
     */
    private static void copy(Path h5, Chain.Step from, MultiLayerNetwork to, String name, boolean hwcRows, int map,
                             int channels) throws WeightsFileException {
        org.deeplearning4j.nn.api.Layer target = to.getLayer(name);
        for (String p : List.of("W", "b")) {
            INDArray src = from.layer().getParam(p);
            INDArray dst = target.getParam(p);
            if (src == null || src.length() != dst.length()) {
                throw new WeightsFileException(h5 + ": layer " + from.name() + " (" + p + ") has shape "
                        + (src == null ? "none" : Arrays.toString(src.shape())) + " but " + name + " expects "
                        + Arrays.toString(dst.shape()));
            }
            if (hwcRows && p.equals("W")) {
                long out = src.size(1);
                src = src.reshape('c', map, map, channels, out).permute(2, 0, 1, 3).reshape('c', (long) channels * map * map, out);
            }
            dst.assign(src.reshape(dst.shape()));
        }
    }

    /**
     * HDF5 prints its whole error stack to stderr by default (dozens of "HDF5-DIAG" lines for one
     * damaged file, with no file name); vgg4j reports the error itself, in one line naming the
     * file. Per thread in thread-safe builds of the library: called before each use.
     */
    static void quietHdf5() {
        hdf5.H5Eset_auto2(hdf5.H5E_DEFAULT, null, null);
    }

    private static void requireHdf5(Path file) throws IOException {
        byte[] magic = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(magic, 0, 8) != 8 || !Arrays.equals(magic, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'})) {
                throw new WeightsFileException(file + " is not an HDF5 file (a Keras .h5 starts with the HDF5 signature)");
            }
        }
    }

    private static WeightsFileException notVgg(Path h5, String why) {
        return new WeightsFileException(h5 + " is not a VGG: " + why);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }
}
