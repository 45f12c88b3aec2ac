package io.github.vgg4j.onednn;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * vgg4j's networks used the way DL4J's own VGG16 transfer examples use DL4J's zoo graph: after
 * {@code VGGBuilder}, only DL4J's API (and the one documented {@link FastPath#apply} call on a
 * network DL4J made).
 */
class Dl4jUserTest {
    @TempDir
    Path dir;

    private static VGGBuilder small() {
        return VGGBuilder.vgg16().inputShape(3, 32, 32).numClasses(10).head(Head.cifar()).widthMultiplier(0.0625)
                .dropout(0).seed(12);
    }

    @Test
    void theGraphFormHasTheStableNamesAndEqualsTheMultiLayerForm() {
        MultiLayerNetwork net = small().buildNetwork();
        ComputationGraph graph = small().buildGraph();
        for (String name : new String[] {"block1_conv1", "block3_conv3", "block5_pool", "fc1", "fc2", "predictions"}) {
            assertNotNull(graph.getVertex(name), name);
            assertNotNull(graph.getLayer(name), name);
        }
        assertEquals(net.params(), graph.params(), "same parameters for the same seed");
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(new int[] {4, 3, 32, 32});
        assertEquals(0, net.output(x, false).sub(graph.outputSingle(false, x)).amaxNumber().doubleValue(), 1e-6);
        assertFalse(FastPath.implementations(graph).isEmpty(), "the graph runs vgg4j's kernels");
    }

    @Test
    void dl4jsTransferLearningGraphBuilderWorksByNameAndTheResultTrainsSavesAndLoads() throws IOException {
        ComputationGraph vgg = small().buildGraph();
        INDArray frozenBefore = vgg.getLayer("block5_conv3").params().dup();

        // As in DL4J's VGG16 transfer-learning example: freeze the convolutions, a new 2-class output layer.
        FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder().updater(new Nesterovs(1e-2, 0.9)).seed(3).build();
        ComputationGraph transfer = new TransferLearning.GraphBuilder(vgg)
                .fineTuneConfiguration(fineTune)
                .setFeatureExtractor("block5_pool")
                .removeVertexKeepConnections("predictions")
                .addLayer("predictions", new OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                        .nIn(32).nOut(2).weightInit(WeightInit.XAVIER).activation(Activation.SOFTMAX).build(), "fc2")
                .build();
        FastPath.apply(transfer); // DL4J made the layers anew: the one call that puts vgg4j's kernels back
        assertFalse(FastPath.implementations(transfer).isEmpty());

        DataSet batch = twoClasses(16, 7);
        double before = transfer.score(batch);
        for (int i = 0; i < 20; i++) {
            transfer.fit(batch);
        }
        double after = transfer.score(batch);
        assertTrue(after < before, "the new head learns: loss " + before + " -> " + after);
        assertEquals(frozenBefore, transfer.getLayer("block5_conv3").params(), "frozen layers do not change");

        File file = dir.resolve("transfer.zip").toFile();
        ModelSerializer.writeModel(transfer, file, true);
        ComputationGraph restored = FastPath.apply(ModelSerializer.restoreComputationGraph(file, true));
        assertEquals(transfer.params(), restored.params());
        assertEquals(0, transfer.outputSingle(false, batch.getFeatures()).sub(restored.outputSingle(false, batch.getFeatures()))
                .amaxNumber().doubleValue(), 1e-6);
        Map<String, INDArray> table = restored.paramTable();
        INDArray headBefore = table.get("predictions_W").dup();
        restored.fit(batch);
        assertNotEquals(headBefore, restored.getLayer("predictions").getParam("W"), "the restored model trains");
        assertEquals(frozenBefore, restored.getLayer("block5_conv3").params(), "and its frozen layers stay frozen");
    }

    private static DataSet twoClasses(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(new int[] {n, 3, 32, 32});
        INDArray y = Nd4j.zeros(n, 2);
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            if (c == 1) {
                x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).addi(1.0); // brighter images are class 1
            }
            y.putScalar(i, c, 1);
        }
        return new DataSet(x, y);
    }
}
