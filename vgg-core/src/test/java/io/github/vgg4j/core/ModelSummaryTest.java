package io.github.vgg4j.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ModelSummaryTest {

    @Test
    void vgg16At224HasThePublishedCostAndShapes() {
        ModelSummary s = VGGBuilder.vgg16().summary();
        assertEquals(138_357_544L, s.totalParams());
        // 15.47 G multiply-adds per image: the figure torchvision publishes for vgg16
        assertEquals(15_470_264_320L, s.multiplyAdds());
        assertArrayEquals(new long[] {64, 224, 224}, s.layer("block1_conv1").outputShape());
        assertEquals(224L * 224 * 64 * 3 * 9, s.layer("block1_conv1").multiplyAdds());
        assertEquals(224L * 224 * 64 * 4, s.layer("block1_conv1").activationBytes());
        assertArrayEquals(new long[] {512, 7, 7}, s.layer("block5_pool").outputShape());
        assertEquals(25088L * 4096, s.layer("fc1").multiplyAdds());
        assertEquals(0, s.layer("block1_pool").params());
        assertEquals("ConvolutionLayer", s.layer("block1_conv1").type());
        assertArrayEquals(new long[] {3, 224, 224}, s.inputShape());
        assertEquals(57.58, s.activationBytesPerImage() / (double) (1 << 20), 0.01);
    }

    @Test
    void textTableListsEveryLayerAndTheTotals() {
        String text = VGGBuilder.vgg16().summary().toText();
        assertTrue(text.contains("Total params: 138,357,544"), text);
        assertTrue(text.contains("Trainable params: 138,357,544"), text);
        assertTrue(text.contains("Non-trainable params: 0"), text);
        assertTrue(text.contains("block5_conv3"), text);
        assertTrue(text.contains("[512, 7, 7]"), text);
        assertTrue(text.contains("15.47 G"), text);
    }

    @Test
    void jsonHasTheCommandLineContractFields() throws Exception {
        JsonNode json = new ObjectMapper().readTree(VGGBuilder.vgg16().batchNorm(true).summary().toJson());
        assertEquals(138_374_440L, json.get("totalParams").asLong());
        assertEquals(138_365_992L, json.get("trainableParams").asLong());
        JsonNode first = json.get("layers").get(0);
        assertEquals("block1_conv1", first.get("name").asText());
        assertEquals("ConvolutionLayer", first.get("type").asText());
        assertEquals(64, first.get("outputShape").get(0).asInt());
        assertEquals(1792, first.get("params").asLong());
        JsonNode bn = json.get("layers").get(1);
        assertEquals("block1_bn1", bn.get("name").asText());
        assertEquals(256, bn.get("params").asLong());
        assertEquals(128, bn.get("trainableParams").asLong());
    }

    @Test
    void frozenLayersAreNotTrainableAndGraphsAreSummarisedToo() {
        MultiLayerNetwork net = VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(4).head(Head.cifar())
                .widthMultiplier(0.125).buildNetwork();
        MultiLayerNetwork frozen = new TransferLearning.Builder(net)
                .setFeatureExtractor(net.getLayer("block5_pool").getIndex()).build();
        InputType in = InputType.convolutional(32, 32, 3);
        ModelSummary s = ModelSummary.of(frozen, in, "frozen");
        long head = s.layer("fc1").params() + s.layer("fc2").params() + s.layer("predictions").params();
        assertEquals(head, s.trainableParams());
        assertEquals(ModelSummary.of(net, in, "net").totalParams(), s.totalParams());

        ComputationGraph graph = net.toComputationGraph(); // DL4J names the vertices by layer index
        ModelSummary g = ModelSummary.of(graph, in, "graph");
        assertEquals(ModelSummary.of(net, in, "net").totalParams(), g.totalParams());
        assertEquals(net.getnLayers(), g.layers().size());
        String pool5 = String.valueOf(net.getLayer("block5_pool").getIndex());
        assertArrayEquals(new long[] {64, 1, 1}, g.layer(pool5).outputShape());
    }
}
