package io.github.vgg4j.transfer;

import io.github.vgg4j.core.ConvBlock;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision (and timm) VGG weights onto a {@link VGGBuilder} network that computes the same
 * function as torchvision's model.
 *
 * <p>torchvision's {@code features} is a flat Sequential: per convolution {@code Conv2d} (+
 * {@code BatchNorm2d}) + {@code ReLU}, per block a {@code MaxPool2d}, so tensor indices are
 * positions in that list ({@code features.0}, {@code features.3}, ...). Its {@code classifier} is
 * {@code Linear(25088, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096, N)}
 * ({@code classifier.0|3|6}) after {@code AdaptiveAvgPool2d(7x7)}. timm names the same tensors
 * {@code pre_logits.fc1} (a 7x7 convolution), {@code pre_logits.fc2} (1x1) and {@code head.fc}.
 *
 * <p>The mapping: convolution weights keep their layout ({@code [out, in, kh, kw]} in both);
 * linear weights are transposed ({@code [out, in]} in torch, {@code [in, out]} in DL4J); batch
 * norm's running variance becomes DL4J's {@code log10(stdev)} parameter. The adaptive average pool
 * is the identity at 224x224 (7x7 maps); at any other size it is a fixed linear map, folded into
 * {@code fc1}'s weights, so the imported network still computes torchvision's function.
 */
final class TorchvisionImport {
    private static final Pattern FEATURE = Pattern.compile("features\\.(\\d+)\\.(weight|bias|running_mean|running_var|num_batches_tracked)");
    private static final int POOLED = 7;

    private TorchvisionImport() {
    }

    /**
     * @param configuration null to infer it from the file (convolution count and kernel sizes)
     * @param batchNorm     null to infer it (running statistics present)
     */
    static PretrainedModel load(Path file, VggConfiguration configuration, Boolean batchNorm, int height, int width,
                                Integer numClasses) throws IOException {
        try (Safetensors st = Safetensors.open(file)) {
            Map<String, Safetensors.Tensor> tensors = st.tensors();
            boolean bn = batchNorm != null ? batchNorm : tensors.keySet().stream().anyMatch(k -> k.endsWith(".running_mean"));
            VggConfiguration config = configuration != null ? configuration : infer(file, tensors);
            boolean timm = tensors.containsKey("pre_logits.fc1.weight");
            String fc1 = timm ? "pre_logits.fc1.weight" : "classifier.0.weight";
            String fc2 = timm ? "pre_logits.fc2.weight" : "classifier.3.weight";
            String out = timm ? "head.fc.weight" : "classifier.6.weight";
            boolean top = tensors.containsKey(fc1) || tensors.containsKey(out);
            int classes = 1000;
            if (top) {
                Safetensors.Tensor o = require(file, tensors, out, "the classifier's last layer");
                classes = (int) o.shape()[0];
                if (numClasses != null && numClasses != classes) {
                    throw new WeightsFileException(file + ": tensor " + out + " has shape " + o.shapeText() + " ("
                            + classes + " classes) but " + numClasses + " classes were asked for");
                }
            } else if (numClasses != null) {
                classes = numClasses;
            }
            if (classes < 2) {
                throw new WeightsFileException(file + ": tensor " + out + " has " + classes + " output(s); a classifier needs at least 2");
            }
            VGGBuilder builder = VGGBuilder.of(config).batchNorm(bn).inputShape(3, height, width).numClasses(classes)
                    .head(Head.imagenet());
            MultiLayerNetwork net = top ? Networks.uninitialised(builder.build()) : convolutionsOnly(builder);
            Set<String> used = new LinkedHashSet<>();
            int k = 0;
            for (int b = 1; b <= config.blocks().size(); b++) {
                ConvBlock block = config.blocks().get(b - 1);
                for (int i = 1; i <= block.numConvs(); i++) {
                    String conv = "features." + k;
                    Params.assign(file, st, tensors, conv + ".weight", net.getLayer("block" + b + "_conv" + i), "W", false, used);
                    Params.assign(file, st, tensors, conv + ".bias", net.getLayer("block" + b + "_conv" + i), "b", false, used);
                    k++;
                    if (bn) {
                        assignBatchNorm(file, st, tensors, "features." + k, net.getLayer("block" + b + "_bn" + i), used);
                        k++;
                    }
                    k++; // ReLU
                }
                k++; // MaxPool2d
            }
            if (top) {
                assignFc1(file, st, tensors, fc1, net, used, timm);
                Params.assign(file, st, tensors, fc1.replace(".weight", ".bias"), net.getLayer("fc1"), "b", false, used);
                Params.assign(file, st, tensors, fc2, net.getLayer("fc2"), "W", true, used);
                Params.assign(file, st, tensors, fc2.replace(".weight", ".bias"), net.getLayer("fc2"), "b", false, used);
                Params.assign(file, st, tensors, out, net.getLayer("predictions"), "W", true, used);
                Params.assign(file, st, tensors, out.replace(".weight", ".bias"), net.getLayer("predictions"), "b", false, used);
            }
            for (String name : tensors.keySet()) {
                if (!used.contains(name) && !name.endsWith("num_batches_tracked")) {
                    throw new WeightsFileException(file + ": unexpected tensor " + name + " " + tensors.get(name).shapeText()
                            + " for torchvision's " + builder.name() + " (configuration " + config.paperName()
                            + (bn ? " with" : " without") + " batch norm): is it another configuration?");
                }
            }
            List<String> labels = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                labels.add("class" + c);
            }
            Map<String, String> props = new LinkedHashMap<>();
            props.put("source", (timm ? "timm" : "torchvision") + " safetensors " + file.getFileName());
            props.putAll(st.metadata().entrySet().stream().limit(8)
                    .collect(LinkedHashMap::new, (m, e) -> m.put("safetensors." + e.getKey(), e.getValue()), Map::putAll));
            ModelInfo info = new ModelInfo(builder.name() + (top ? "" : "-notop"), new int[] {3, height, width},
                    top ? labels : List.of(), Preprocessing.torchvisionImagenet(), props);
            return new PretrainedModel(net, info);
        }
    }

    /** The configuration whose convolutions (count and kernel sizes) match the file's. */
    static VggConfiguration infer(Path file, Map<String, Safetensors.Tensor> tensors) throws WeightsFileException {
        List<Integer> kernels = new ArrayList<>();
        for (Map.Entry<String, Safetensors.Tensor> e : tensors.entrySet()) {
            Matcher m = FEATURE.matcher(e.getKey());
            if (m.matches() && m.group(2).equals("weight") && e.getValue().shape().length == 4) {
                kernels.add((int) e.getValue().shape()[2]);
            }
        }
        for (VggConfiguration c : VggConfiguration.values()) {
            List<Integer> expected = new ArrayList<>();
            c.blocks().forEach(b -> Arrays.stream(b.kernels()).forEach(expected::add));
            if (!c.lrn() && expected.equals(kernels)) {
                return c;
            }
        }
        throw new WeightsFileException(file + " has " + kernels.size() + " convolution weights (features.N.weight) with kernels "
                + kernels + ", which match none of the VGG configurations A, B, C, D, E (8, 10, 13 or 16 convolutions)");
    }

    private static void assignBatchNorm(Path file, Safetensors st, Map<String, Safetensors.Tensor> tensors, String prefix,
                                        Layer layer, Set<String> used) throws IOException {
        Params.assign(file, st, tensors, prefix + ".weight", layer, "gamma", false, used);
        Params.assign(file, st, tensors, prefix + ".bias", layer, "beta", false, used);
        Params.assign(file, st, tensors, prefix + ".running_mean", layer, "mean", false, used);
        Safetensors.Tensor var = require(file, tensors, prefix + ".running_var", "batch norm " + layer.conf().getLayer().getLayerName());
        float[] v = st.floats(var);
        INDArray target = layer.getParam("log10stdev");
        if (target == null) {
            throw new IllegalStateException("VGGBuilder's batch norm is expected to store log10(stdev)");
        }
        Params.checkShape(file, var, target.length(), new long[] {target.length()}, layer, "log10stdev");
        float[] log10std = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0)) {
                throw new WeightsFileException(file + ": tensor " + var.name() + " holds a negative or NaN variance (" + v[i]
                        + " at " + i + ")");
            }
            log10std[i] = (float) (0.5 * Math.log10(v[i]));
        }
        target.assign(Nd4j.create(log10std, target.shape()));
        used.add(var.name());
    }

    /**
     * fc1 follows the adaptive 7x7 average pool; its weights are folded with that pool for the
     * network's actual feature-map size (identity at 7x7).
     */
    private static void assignFc1(Path file, Safetensors st, Map<String, Safetensors.Tensor> tensors, String name,
                                  MultiLayerNetwork net, Set<String> used, boolean timm) throws IOException {
        Safetensors.Tensor t = require(file, tensors, name, "fc1");
        int index = Chain.of(net).indexOf("fc1");
        Layer fc1 = net.getLayer(index);
        CnnToFeedForwardPreProcessor flatten = (CnnToFeedForwardPreProcessor) net.getLayerWiseConfigurations().getInputPreProcess(index);
        int h = (int) flatten.getInputHeight();
        int w = (int) flatten.getInputWidth();
        long channels = flatten.getNumChannels();
        INDArray target = fc1.getParam("W"); // [channels * h * w, out]
        long nIn = target.size(0);
        long nOut = target.size(1);
        long[] s = t.shape();
        long[] expected = timm ? new long[] {nOut, channels, POOLED, POOLED} : new long[] {nOut, channels * POOLED * POOLED};
        if (!Arrays.equals(s, expected)) {
            throw new WeightsFileException(file + ": tensor " + name + " has shape " + t.shapeText() + " but fc1 expects "
                    + Arrays.toString(expected));
        }
        if (timm && (h != POOLED || w != POOLED)) {
            throw new WeightsFileException(file + ": timm's pre_logits.fc1 is a 7x7 convolution that fits a 7x7 feature map, "
                    + "i.e. a 224x224 input; this network's last feature map is " + h + "x" + w);
        }
        // torch: [out][c][r][q] with r, q the pooled 7x7 position; DL4J: [c][y][x][out]. The pool is linear,
        // so folding it in is one product with the [49, h*w] pooling matrix (the identity at 7x7).
        INDArray torch = Nd4j.create(st.floats(t), new long[] {nOut * channels, POOLED * POOLED}, 'c');
        INDArray folded = torch.mmul(poolMatrix(h, w)); // [out * c, h * w]
        target.assign(folded.reshape('c', nOut, nIn).transpose());
        used.add(name);
    }

    /**
     * PyTorch's adaptive average pool from an {@code h x w} map to 7x7 as a {@code [49, h*w]}
     * matrix: output cell (r, q) averages input rows [floor(r*h/7), ceil((r+1)*h/7)) and the
     * matching columns.
     */
    static INDArray poolMatrix(int h, int w) {
        float[][] rows = bins(h);
        float[][] cols = bins(w);
        float[] m = new float[POOLED * POOLED * h * w];
        for (int r = 0; r < POOLED; r++) {
            for (int q = 0; q < POOLED; q++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        m[((r * POOLED + q) * h + y) * w + x] = rows[r][y] * cols[q][x];
                    }
                }
            }
        }
        return Nd4j.create(m, new long[] {POOLED * POOLED, (long) h * w}, 'c');
    }

    /** {@code b[r][i]}: the weight of input index i in pooled index r. */
    private static float[][] bins(int in) {
        float[][] b = new float[POOLED][in];
        for (int r = 0; r < POOLED; r++) {
            int start = (int) Math.floor(r * (double) in / POOLED);
            int end = (int) Math.ceil((r + 1) * (double) in / POOLED);
            for (int i = start; i < end; i++) {
                b[r][i] = 1f / (end - start);
            }
        }
        return b;
    }

    /** The network up to and including its last pooling layer (weights files without a classifier). */
    static MultiLayerNetwork convolutionsOnly(VGGBuilder builder) {
        MultiLayerNetwork full = Networks.uninitialised(builder.copy().head(Head.globalAveragePooling()).build());
        Chain chain = Chain.of(full);
        return chain.slice(0, chain.indexOf("avg_pool") - 1, null);
    }

    static Safetensors.Tensor require(Path file, Map<String, Safetensors.Tensor> tensors, String name, String what)
            throws WeightsFileException {
        Safetensors.Tensor t = tensors.get(name);
        if (t == null) {
            throw new WeightsFileException(file + " has no tensor " + name + " (" + what + "); it has "
                    + Params.sample(tensors.keySet()));
        }
        return t;
    }
}
