package io.github.vgg4j.core;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;

/**
 * Checks a batch against what a network takes, before DL4J sees it, and says in one sentence what
 * is wrong (DL4J reports the same problems as a stack trace from deep inside a layer).
 *
 * <pre>{@code InputCheck.check(net, features); // IllegalArgumentException if it cannot fit}</pre>
 */
public final class InputCheck {

    private InputCheck() {
    }

    public static void check(MultiLayerNetwork net, INDArray features) {
        check(net.getLayerWiseConfigurations(), features.shape());
    }

    /** @param shape the batch shape, NCHW */
    public static void check(MultiLayerConfiguration conf, long[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("input has shape " + Arrays.toString(shape)
                    + " but a VGG takes a rank-4 NCHW batch [N, channels, height, width]");
        }
        Layer first = conf.getConf(0).getLayer();
        if (first instanceof ConvolutionLayer conv && conv.getNIn() != shape[1]) {
            throw new IllegalArgumentException("input has " + shape[1] + " channel(s) (shape " + Arrays.toString(shape)
                    + ", NCHW) but layer '" + conv.getLayerName() + "' expects " + conv.getNIn()
                    + ": convert the images (grey to RGB repeats the channel) or build the network with inputShape("
                    + shape[1] + ", " + shape[2] + ", " + shape[3] + ")");
        }
        List<InputType> types;
        InputType input = InputType.convolutional(shape[2], shape[3], shape[1]);
        try {
            types = conf.getLayerActivationTypes(input);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("input " + shape[2] + "x" + shape[3] + " is too small for this network ("
                    + e.getMessage() + ")", e);
        }
        // The first fully connected layer after a flatten fixes the feature-map size, hence the input size.
        InputType previous = input;
        for (int i = 0; i < types.size(); i++) {
            InputPreProcessor pre = conf.getInputPreProcess(i);
            Layer layer = conf.getConf(i).getLayer();
            checkWindowFits(layer, previous, shape, conf);
            if (pre instanceof CnnToFeedForwardPreProcessor && layer instanceof FeedForwardLayer ff
                    && previous instanceof InputType.InputTypeConvolutional c) {
                long produced = c.getChannels() * c.getHeight() * c.getWidth();
                if (produced != ff.getNIn()) {
                    CnnToFeedForwardPreProcessor p = (CnnToFeedForwardPreProcessor) pre;
                    throw new IllegalArgumentException("input " + shape[2] + "x" + shape[3] + " gives a "
                            + c.getChannels() + "x" + c.getHeight() + "x" + c.getWidth() + " feature map at '"
                            + layer.getLayerName() + "', which expects " + p.getNumChannels() + "x"
                            + p.getInputHeight() + "x" + p.getInputWidth()
                            + ": resize the images to the size the network was built for");
                }
                return;
            }
            previous = types.get(i);
        }
    }

    /** DL4J's shape inference rounds a too-small map up to 1x1; the forward pass then fails. */
    private static void checkWindowFits(Layer layer, InputType in, long[] shape, MultiLayerConfiguration conf) {
        int[] kernel;
        int[] padding;
        if (layer instanceof ConvolutionLayer c) {
            kernel = c.getKernelSize();
            padding = c.getPadding();
        } else if (layer instanceof SubsamplingLayer s) {
            kernel = s.getKernelSize();
            padding = s.getPadding();
        } else {
            return;
        }
        if (in instanceof InputType.InputTypeConvolutional c
                && (c.getHeight() + 2L * padding[0] < kernel[0] || c.getWidth() + 2L * padding[1] < kernel[1])) {
            long pools = conf.getConfs().stream().filter(x -> x.getLayer() instanceof SubsamplingLayer).count();
            throw new IllegalArgumentException("input " + shape[2] + "x" + shape[3] + " is too small for this network: the "
                    + c.getHeight() + "x" + c.getWidth() + " feature map reaching '" + layer.getLayerName()
                    + "' is smaller than its " + kernel[0] + "x" + kernel[1] + " window (with " + pools
                    + " pooling layers it needs at least " + (1L << pools) + "x" + (1L << pools) + ")");
        }
    }
}
