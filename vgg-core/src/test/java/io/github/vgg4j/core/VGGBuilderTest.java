package io.github.vgg4j.core;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.deeplearning4j.nn.weights.WeightInitRelu;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VGGBuilderTest {

    private static List<String> names(MultiLayerConfiguration conf) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            names.add(conf.getConf(i).getLayer().getLayerName());
        }
        return names;
    }

    @Test
    void vgg16HasTheKerasLayerNames() {
        List<String> names = names(VGGBuilder.vgg16().build());
        assertEquals(List.of(
                "block1_conv1", "block1_conv2", "block1_pool",
                "block2_conv1", "block2_conv2", "block2_pool",
                "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool",
                "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool",
                "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool",
                "fc1", "fc1_dropout", "fc2", "fc2_dropout", "predictions"), names);
    }

    @Test
    void batchNormAddsNamedBnAndReluLayersAfterEveryConvolution() {
        List<String> names = names(VGGBuilder.vgg11().batchNorm(true).build());
        assertEquals(List.of("block1_conv1", "block1_bn1", "block1_relu1", "block1_pool"), names.subList(0, 4));
        assertEquals(8 * 3 + 5 + 5, names.size()); // 8 convs x (conv, bn, relu), 5 pools, fc1/dropout/fc2/dropout/predictions
    }

    @Test
    void aLrnPutsLocalResponseNormalisationAfterTheFirstConvolutionOnly() {
        MultiLayerConfiguration conf = VGGBuilder.of(VggConfiguration.A_LRN).build();
        assertEquals(List.of("block1_conv1", "block1_lrn", "block1_pool", "block2_conv1"), names(conf).subList(0, 4));
        long lrn = conf.getConfs().stream().filter(c -> c.getLayer() instanceof LocalResponseNormalization).count();
        assertEquals(1, lrn);
    }

    @Test
    void configurationCUsesOneByOneConvolutionsAsTheThirdConvOfBlocks3To5() {
        MultiLayerConfiguration conf = VGGBuilder.of(VggConfiguration.C).build();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer l = conf.getConf(i).getLayer();
            if (l instanceof ConvolutionLayer c) {
                boolean oneByOne = l.getLayerName().matches("block[345]_conv3");
                assertArrayEquals(oneByOne ? new int[] {1, 1} : new int[] {3, 3}, c.getKernelSize(), l.getLayerName());
                assertArrayEquals(oneByOne ? new int[] {0, 0} : new int[] {1, 1}, c.getPadding(), l.getLayerName());
            }
        }
    }

    @Test
    void everyConfigurationHasThePapersWeightLayerCount() {
        int[] expected = {11, 11, 13, 16, 16, 19};
        VggConfiguration[] all = VggConfiguration.values();
        for (int i = 0; i < all.length; i++) {
            MultiLayerConfiguration conf = VGGBuilder.of(all[i]).build();
            long weightLayers = conf.getConfs().stream().filter(c -> c.getLayer().initializer().numParams(c.getLayer()) > 0).count();
            assertEquals(expected[i], weightLayers, all[i].paperName());
            assertEquals(expected[i], all[i].weightLayers());
        }
    }

    @Test
    void headsShapeTheClassifier() {
        ModelSummary cifar = VGGBuilder.vgg16().inputShape(3, 32, 32).numClasses(10).head(Head.cifar()).summary();
        assertArrayEquals(new long[] {512, 1, 1}, cifar.layer("block5_pool").outputShape());
        assertArrayEquals(new long[] {512}, cifar.layer("fc1").outputShape());
        assertEquals(512 * 512 + 512, cifar.layer("fc1").params());
        assertArrayEquals(new long[] {10}, cifar.layer("predictions").outputShape());

        ModelSummary gap = VGGBuilder.vgg16().inputShape(3, 96, 96).numClasses(7).head(Head.globalAveragePooling()).summary();
        assertArrayEquals(new long[] {512}, gap.layer("avg_pool").outputShape());
        assertEquals(512 * 7 + 7, gap.layer("predictions").params());
        assertFalse(gap.layers().stream().anyMatch(r -> r.name().startsWith("fc")));

        ModelSummary custom = VGGBuilder.vgg11().inputShape(3, 64, 64).numClasses(3).head(Head.fullyConnected(256, 128, 64)).summary();
        assertEquals(512 * 2 * 2 * 256 + 256, custom.layer("fc1").params());
        assertEquals(64 * 3 + 3, custom.layer("predictions").params());
        assertNotNull(custom.layer("fc3_dropout"));
    }

    @Test
    void widthMultiplierScalesChannelsAndFullyConnectedWidths() {
        ModelSummary s = VGGBuilder.vgg16().widthMultiplier(0.25).inputShape(1, 32, 32).numClasses(10).summary();
        assertArrayEquals(new long[] {16, 32, 32}, s.layer("block1_conv1").outputShape());
        assertArrayEquals(new long[] {128, 2, 2}, s.layer("block5_conv3").outputShape());
        assertArrayEquals(new long[] {1024}, s.layer("fc1").outputShape()); // 4096 / 4
        assertEquals(1 * 9 * 16 + 16, s.layer("block1_conv1").params()); // one grey channel in
    }

    @Test
    void anyInputSizeFromThirtyTwoUpAndAnyChannelCount() {
        ModelSummary s = VGGBuilder.vgg13().inputShape(5, 100, 37).numClasses(4).head(Head.cifar()).summary();
        // Pools floor odd sizes: 100 -> 50 -> 25 -> 12 -> 6 -> 3 and 37 -> 18 -> 9 -> 4 -> 2 -> 1.
        assertArrayEquals(new long[] {512, 3, 1}, s.layer("block5_pool").outputShape());
        assertEquals(512 * 3 * 1 * 512 + 512, s.layer("fc1").params());
        assertEquals(5 * 9 * 64 + 64, s.layer("block1_conv1").params());

        MultiLayerNetwork net = VGGBuilder.vgg11().inputShape(5, 100, 37).numClasses(4).head(Head.cifar())
                .widthMultiplier(0.0625).buildNetwork();
        INDArray out = net.output(Nd4j.rand(new int[] {2, 5, 100, 37}));
        assertArrayEquals(new long[] {2, 4}, out.shape());
        assertEquals(2.0, out.sumNumber().doubleValue(), 1e-4); // softmax rows
    }

    @Test
    void customBlockTables() {
        // d2l's narrow VGG-11: ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)) divided by 4, on 3 blocks here
        MultiLayerConfiguration conf = new VGGBuilder().blocks(new int[][] {{1, 16}, {2, 32}, {2, 64}})
                .inputShape(1, 8, 8).numClasses(10).head(Head.fullyConnected(32)).build();
        assertEquals(List.of("block1_conv1", "block1_pool", "block2_conv1", "block2_conv2", "block2_pool",
                "block3_conv1", "block3_conv2", "block3_pool", "fc1", "fc1_dropout", "predictions"), names(conf));
        assertEquals("vgg-custom", new VGGBuilder().blocks(List.of(ConvBlock.of(1, 8))).name());
    }

    @Test
    void trainingDefaultsFollowThePaper() {
        MultiLayerConfiguration conf = VGGBuilder.vgg16().build();
        ConvolutionLayer conv = (ConvolutionLayer) conf.getConf(0).getLayer();
        Nesterovs updater = (Nesterovs) conv.getIUpdater();
        assertEquals(0.01, updater.getLearningRate(), 1e-12);
        assertEquals(0.9, updater.getMomentum(), 1e-12);
        assertEquals(5e-4, ((L2Regularization) conv.getRegularization().get(0)).getL2().valueAt(0, 0), 1e-12);
        assertTrue(conv.getWeightInitFn() instanceof WeightInitRelu, "He init by default");
        assertEquals(CacheMode.DEVICE, conf.getCacheMode());
        DropoutLayer drop = (DropoutLayer) conf.getConf(names(conf).indexOf("fc1_dropout")).getLayer();
        assertEquals(0.5, ((org.deeplearning4j.nn.conf.dropout.Dropout) drop.getIDropout()).getP(), 1e-12); // keep 0.5

        ConvolutionLayer paper = (ConvolutionLayer) VGGBuilder.vgg16().init(InitScheme.PAPER_NORMAL).build().getConf(0).getLayer();
        assertTrue(paper.getWeightInitFn() instanceof WeightInitDistribution);
    }

    @Test
    void theSeedMakesNetworksReproducible() {
        VGGBuilder b = VGGBuilder.vgg11().widthMultiplier(0.0625).inputShape(3, 32, 32).numClasses(3).head(Head.cifar()).seed(5);
        assertEquals(b.buildNetwork().params(), b.buildNetwork().params());
        assertNotEquals(b.buildNetwork().params(), b.copy().seed(6).buildNetwork().params());
    }

    @Test
    void configurationJsonRoundTrips() {
        MultiLayerConfiguration conf = VGGBuilder.vgg13().batchNorm(true).inputShape(1, 48, 48).numClasses(7)
                .head(Head.globalAveragePooling(64)).widthMultiplier(0.125).build();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(names(conf), names(back));
        MultiLayerNetwork a = new MultiLayerNetwork(conf);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(back);
        b.init(a.params().dup(), false);
        INDArray x = Nd4j.rand(new int[] {2, 1, 48, 48});
        assertEquals(a.output(x), b.output(x));
    }

    // ---- bad input: one clear sentence naming the value and what is allowed ----

    @Test
    void inputBelowThirtyTwoIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VGGBuilder.vgg16().inputShape(1, 28, 28).build());
        assertTrue(e.getMessage().contains("28x28") && e.getMessage().contains("32x32"), e.getMessage());
    }

    @Test
    void badNumbersAreRefusedNamingTheValue() {
        assertMessage(() -> new VGGBuilder().numClasses(0), "numClasses", "got 0");
        assertMessage(() -> new VGGBuilder().numClasses(-3), "numClasses", "got -3");
        assertMessage(() -> new VGGBuilder().widthMultiplier(0), "widthMultiplier", "got 0.0");
        assertMessage(() -> new VGGBuilder().widthMultiplier(-0.5), "widthMultiplier", "got -0.5");
        assertMessage(() -> new VGGBuilder().widthMultiplier(Double.NaN), "widthMultiplier", "got NaN");
        assertMessage(() -> new VGGBuilder().inputShape(0, 32, 32), "channels", "got 0");
        assertMessage(() -> new VGGBuilder().dropout(1), "dropout", "got 1.0");
        assertMessage(() -> new VGGBuilder().learningRate(-1), "learningRate", "got -1.0");
        assertMessage(() -> new VGGBuilder().momentum(1.2), "momentum", "got 1.2");
        assertMessage(() -> new VGGBuilder().configuration("F"), "'F'", "A, A-LRN, B, C, D, E");
        assertMessage(() -> Head.parse("big"), "'big'", "imagenet, cifar, avgpool");
        assertMessage(() -> new VGGBuilder().blocks(new int[][] {{2}}), "{numConvs, channels}", "[2]");
    }

    @Test
    void configurationNamesParseLikeThePaperAndTheModelNames() {
        assertEquals(VggConfiguration.A_LRN, VggConfiguration.parse("a-lrn"));
        assertEquals(VggConfiguration.A_LRN, VggConfiguration.parse("A_LRN"));
        assertEquals(VggConfiguration.D, VggConfiguration.parse("VGG16"));
        assertEquals(VggConfiguration.E, VggConfiguration.parse("e"));
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention " + p);
        }
    }

    @Test
    void aNetworkWhoseParametersCannotFitIsRefusedBeforeAllocating() {
        // an input size inferred from data (4096x4096) makes fc1 of the ImageNet head 34 billion weights
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> VGGBuilder.vgg16().inputShape(3, 4096, 4096).buildNetwork());
        assertTrue(e.getMessage().contains("vgg16 at 3x4096x4096 (34,") && e.getMessage().contains("-Dorg.bytedeco.javacpp.maxbytes"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> VGGBuilder.vgg16().inputShape(3, 4096, 4096).buildGraph());
    }
}
