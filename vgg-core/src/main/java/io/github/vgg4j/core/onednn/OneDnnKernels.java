package io.github.vgg4j.core.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * Internal: puts vgg4j's oneDNN kernels into a network's layers. Users call
 * {@code FastPath.apply(model)} (or get it from the builder, the zoo and the model loader).
 *
 * <p>DL4J creates layer helpers from fixed class names, so the kernels are attached after the
 * layers exist: convolutions get a helper in the field where DL4J keeps its helper; pooling layers,
 * whose forward pass never asks a helper in M2.1, are replaced by a subclass built from the same
 * configuration object (they have no parameters). Only DL4J's plain 2-D convolution and pooling
 * layers are touched (not 1-D, depthwise, separable, deconvolution); layers inside frozen wrappers
 * (transfer learning) are included.
 */
public final class OneDnnKernels {

    private OneDnnKernels() {
    }

    /** True when oneDNN loaded and the kernels can be attached. */
    public static boolean available() {
        return Dnnl.available();
    }

    /** e.g. {@code oneDNN 2.5.2}, or why the kernels are off. */
    public static String describe() {
        return available() ? "oneDNN " + Dnnl.version() : "off: " + Dnnl.unavailableReason();
    }

    /** Attaches the kernels to every plain convolution and pooling layer of the model; returns how many. */
    public static int install(Model model) {
        if (!available()) {
            return 0;
        }
        int n = 0;
        Layer[] layers = layers(model);
        for (int i = 0; i < layers.length; i++) {
            Layer inner = unwrap(layers[i]);
            if (inner.getClass() == SubsamplingLayer.class) {
                OneDnnSubsamplingLayer replacement = new OneDnnSubsamplingLayer(inner.conf(), Layers.dataType(inner));
                replacement.setIndex(inner.getIndex());
                replacement.setListeners(inner.getListeners());
                replacement.setCacheMode(CacheMode.NONE);
                Layers.replace(model, i, layers[i], inner, replacement);
                n++;
                continue;
            }
            if (inner.getClass() == ConvolutionLayer.class && !(inner.getHelper() instanceof OneDnnConvHelper)) {
                Layers.setHelper(inner, ConvolutionLayer.class, new OneDnnConvHelper((ConvolutionLayer) inner));
                // The helper keeps the layer's output for backprop itself (no copy): DL4J's own cache off.
                inner.setCacheMode(CacheMode.NONE);
                n++;
            }
        }
        return n;
    }

    /** What each layer with vgg4j's kernels runs, one line per layer (after its first calls). */
    public static List<String> implementations(Model model) {
        List<String> lines = new ArrayList<>();
        for (Layer l : layers(model)) {
            LayerHelper h = unwrap(l).getHelper();
            if (h instanceof OneDnnConvHelper c) {
                lines.add(l.conf().getLayer().getLayerName() + ": " + c.describe());
            } else if (unwrap(l) instanceof OneDnnSubsamplingLayer p) {
                lines.add(l.conf().getLayer().getLayerName() + ": max pool " + p.describe());
            }
        }
        return lines;
    }

    private static Layer[] layers(Model model) {
        if (model instanceof MultiLayerNetwork m) {
            return m.getLayers();
        }
        if (model instanceof ComputationGraph g) {
            return g.getLayers();
        }
        throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, got "
                + (model == null ? "null" : model.getClass().getName()));
    }

    private static Layer unwrap(Layer l) {
        while (l instanceof BaseWrapperLayer w) {
            l = w.getUnderlying();
        }
        return l;
    }

}
