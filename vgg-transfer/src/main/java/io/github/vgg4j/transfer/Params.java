package io.github.vgg4j.transfer;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** Copies a tensor from a weights file into one parameter of a layer, checking its shape first. */
final class Params {

    private Params() {
    }

    /**
     * @param transpose torch's linear {@code [out, in]} into DL4J's dense {@code [in, out]}
     */
    static void assign(Path file, Safetensors st, Map<String, Safetensors.Tensor> tensors, String name, Layer layer,
                       String param, boolean transpose, Set<String> used) throws IOException {
        Safetensors.Tensor t = TorchvisionImport.require(file, tensors, name, layerName(layer) + " " + param);
        INDArray target = layer.getParam(param);
        long[] want = target.shape();
        // DL4J may keep vectors (biases, batch-norm statistics) as [1, n]; torch keeps them as [n].
        boolean vector = target.rank() == 1 || target.rank() == 2 && want[0] == 1 && !transpose;
        long[] expected = transpose ? new long[] {want[1], want[0]} : vector ? new long[] {target.length()} : want;
        // timm keeps fc2 as a 1x1 convolution: [out, in, 1, 1] is the same linear map.
        boolean conv1x1 = transpose && t.shape().length == 4 && t.shape()[2] == 1 && t.shape()[3] == 1;
        checkShape(file, t, target.length(), conv1x1 ? new long[] {expected[0], expected[1], 1, 1} : expected, layer, param);
        float[] values = st.floats(t);
        INDArray source = Nd4j.create(values, transpose ? new long[] {want[1], want[0]} : want, 'c');
        target.assign(transpose ? source.transpose() : source);
        used.add(name);
    }

    static void checkShape(Path file, Safetensors.Tensor t, long length, long[] expected, Layer layer, String param)
            throws WeightsFileException {
        if (!Arrays.equals(t.shape(), expected) || t.elements() != length) {
            throw new WeightsFileException(file + ": tensor " + t.name() + " has shape " + t.shapeText() + " but "
                    + layerName(layer) + " (" + param + ") expects " + Arrays.toString(expected));
        }
    }

    static String layerName(Layer layer) {
        return "layer " + layer.conf().getLayer().getLayerName();
    }

    /** A few names of a collection, for messages. */
    static String sample(Collection<String> names) {
        return names.size() <= 6 ? String.valueOf(names)
                : names.stream().limit(6).toList() + " and " + (names.size() - 6) + " more";
    }
}
