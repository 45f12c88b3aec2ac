package io.github.vgg4j.transfer;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds layers by name. Networks built or imported by vgg4j, DL4J's pretrained VGG16/19 and Keras
 * all use the stable names ({@code block5_pool}, {@code fc2}); for a network named otherwise
 * (DL4J's VGGFace graph, Caffe-style names) {@code block{b}_pool} and {@code fc{n}} still mean the
 * b-th pooling layer and the n-th hidden fully connected layer, so the same freeze point works on
 * every VGG.
 */
final class LayerNames {
    static final String DEFAULT_FREEZE = "block5_pool";
    private static final Pattern POOL = Pattern.compile("block(\\d+)_pool");
    private static final Pattern FC = Pattern.compile("fc(\\d+)");

    private LayerNames() {
    }

    /** The index of the layer called {@code name}, or an error listing the valid names. */
    static int resolve(Chain chain, String name, String network) {
        int i = chain.indexOf(name);
        if (i >= 0) {
            return i;
        }
        Matcher pool = POOL.matcher(name);
        if (pool.matches()) {
            i = nth(chain, SubsamplingLayer.class, Integer.parseInt(pool.group(1)));
        }
        Matcher fc = FC.matcher(name);
        if (fc.matches()) {
            i = nth(chain, DenseLayer.class, Integer.parseInt(fc.group(1)));
        }
        if (i >= 0) {
            return i;
        }
        throw new IllegalArgumentException("no layer '" + name + "' in " + network + "; its layers are "
                + String.join(", ", chain.names()));
    }

    /** block5_pool, or the last pooling layer of a network named otherwise. */
    static int defaultFreeze(Chain chain) {
        int i = chain.indexOf(DEFAULT_FREEZE);
        if (i >= 0) {
            return i;
        }
        for (int j = chain.size() - 1; j >= 0; j--) {
            if (chain.steps().get(j).conf().getLayer() instanceof SubsamplingLayer) {
                return j;
            }
        }
        throw new IllegalArgumentException("the network has no pooling layer to freeze through; give a layer: "
                + String.join(", ", chain.names()));
    }

    /** The pooling layer before the one at {@code index} (the block before), or -1 when there is none. */
    static int previousPool(Chain chain, int index) {
        for (int j = Math.min(index, chain.size()) - 1; j >= 0; j--) {
            if (chain.steps().get(j).conf().getLayer() instanceof SubsamplingLayer) {
                return j;
            }
        }
        return -1;
    }

    /** Index of the first layer of the classifier: the first fully connected layer after the last convolution. */
    static int classifierStart(Chain chain) {
        int lastConv = -1;
        for (int j = 0; j < chain.size(); j++) {
            Layer l = chain.steps().get(j).conf().getLayer();
            if (l instanceof ConvolutionLayer || l instanceof SubsamplingLayer) {
                lastConv = j;
            }
        }
        for (int j = lastConv + 1; j < chain.size(); j++) {
            if (chain.steps().get(j).conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer) {
                return j;
            }
        }
        return chain.size(); // no classifier: a convolutions-only network
    }

    private static int nth(Chain chain, Class<? extends Layer> type, int n) {
        int seen = 0;
        for (int j = 0; j < chain.size(); j++) {
            Layer l = chain.steps().get(j).conf().getLayer();
            if (type.isInstance(l) && !(l instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer) && ++seen == n) {
                return j;
            }
        }
        return -1;
    }
}
