package io.github.vgg4j.transfer;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support: small networks shaped like the real pretrained ones, so tests run in seconds and
 * without downloads. The graph mirrors DL4J's published VGG16 ComputationGraph: an input vertex
 * {@code input_1}, {@code block{b}_conv{i}} and {@code block{b}_pool} layers, a {@code flatten}
 * preprocessor vertex, dense {@code fc1}, {@code fc2} and a dense (not output) {@code predictions};
 * with {@code caffeNames} it uses DL4J's VGGFace names instead ({@code conv1_1}, {@code pool1},
 * {@code fc6}, {@code fc7}, {@code fc8}).
 */
final class StandIns {
    static final int SIZE = 32;

    private StandIns() {
    }

    /** VGG11-BN at 1/8 width on 3x32x32, a CIFAR-style head, 4 classes, as a vgg4j-built network. */
    static PretrainedModel multiLayer(boolean batchNorm) {
        MultiLayerNetwork net = VGGBuilder.vgg11().batchNorm(batchNorm).inputShape(3, SIZE, SIZE).numClasses(4)
                .head(Head.fullyConnected(32, 32)).widthMultiplier(0.125).seed(3).buildNetwork();
        return new PretrainedModel(net, new ModelInfo("vgg11" + (batchNorm ? "_bn" : ""), new int[] {3, SIZE, SIZE},
                List.of("a", "b", "c", "d"), Preprocessing.unitScale()));
    }

    static ComputationGraph zooGraph(boolean caffeNames) {
        int[] convs = {2, 2, 3, 3, 3};
        int[] widths = {4, 8, 8, 16, 16};
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(5)
                .updater(new Nesterovs(0.01, 0.9)).graphBuilder().addInputs("input_1");
        String prev = "input_1";
        long in = 3;
        for (int b = 1; b <= 5; b++) {
            for (int i = 1; i <= convs[b - 1]; i++) {
                String name = caffeNames ? "conv" + b + "_" + i : "block" + b + "_conv" + i;
                g.addLayer(name, new ConvolutionLayer.Builder(3, 3).padding(1, 1).nIn(in).nOut(widths[b - 1])
                        .activation(Activation.RELU).build(), prev);
                prev = name;
                in = widths[b - 1];
            }
            String pool = caffeNames ? "pool" + b : "block" + b + "_pool";
            g.addLayer(pool, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), prev);
            prev = pool;
        }
        g.addVertex("flatten", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(1, 1, in)), prev);
        String[] dense = caffeNames ? new String[] {"fc6", "fc7", "fc8"} : new String[] {"fc1", "fc2", "predictions"};
        g.addLayer(dense[0], new DenseLayer.Builder().nIn(in).nOut(24).activation(Activation.RELU).build(), "flatten");
        g.addLayer(dense[1], new DenseLayer.Builder().nIn(24).nOut(24).activation(Activation.RELU).build(), dense[0]);
        g.addLayer(dense[2], new DenseLayer.Builder().nIn(24).nOut(10).activation(Activation.SOFTMAX).build(), dense[1]);
        g.setOutputs(dense[2]).setInputTypes(InputType.convolutional(SIZE, SIZE, 3));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    static PretrainedModel graph(boolean caffeNames) {
        return new PretrainedModel(zooGraph(caffeNames), new ModelInfo("vgg16-standin", new int[] {3, SIZE, SIZE}, List.of(),
                Preprocessing.caffeImagenet()));
    }

    /** A bit-exact copy of every layer's parameters, by layer name. */
    static Map<String, float[]> parameters(org.deeplearning4j.nn.api.Model net) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Chain.Step s : Chain.of(net).steps()) {
            INDArray p = s.layer().params();
            if (p != null && p.length() > 0) {
                out.put(s.name(), p.dup().toFloatVector());
            }
        }
        return out;
    }

    /** The names of the layers whose parameters differ (bit for bit) between two snapshots. */
    static List<String> changed(Map<String, float[]> before, Map<String, float[]> after) {
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, float[]> e : before.entrySet()) {
            float[] a = e.getValue();
            float[] b = after.get(e.getKey());
            boolean same = b != null && a.length == b.length;
            for (int i = 0; same && i < a.length; i++) {
                same = Float.floatToRawIntBits(a[i]) == Float.floatToRawIntBits(b[i]);
            }
            if (!same) {
                changed.add(e.getKey());
            }
        }
        return changed;
    }
}
