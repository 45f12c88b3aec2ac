package io.github.vgg4j.core;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static io.github.vgg4j.core.VGGBuilderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

class InputCheckTest {
    private static final MultiLayerNetwork GREY32 = VGGBuilder.vgg11().inputShape(1, 32, 32).numClasses(3)
            .head(Head.cifar()).widthMultiplier(0.0625).buildNetwork();

    @Test
    void aMatchingBatchPasses() {
        assertDoesNotThrow(() -> InputCheck.check(GREY32, Nd4j.rand(new int[] {2, 1, 32, 32})));
        // 33..63 pools down to the same 1x1 map: accepted, as in torchvision
        assertDoesNotThrow(() -> InputCheck.check(GREY32, Nd4j.rand(new int[] {2, 1, 40, 40})));
    }

    @Test
    void channelMismatchIsNamed() {
        assertMessage(() -> InputCheck.check(GREY32, Nd4j.rand(new int[] {2, 3, 32, 32})),
                "3 channel(s)", "'block1_conv1' expects 1");
    }

    @Test
    void aSizeTheHeadCannotTakeIsNamed() {
        assertMessage(() -> InputCheck.check(GREY32, Nd4j.rand(new int[] {2, 1, 64, 64})),
                "64x64", "'fc1'", "expects 32x1x1");
    }

    @Test
    void tooSmallAndWrongRankAreNamed() {
        assertMessage(() -> InputCheck.check(GREY32, Nd4j.rand(new int[] {2, 1, 16, 16})), "16x16", "too small");
        assertMessage(() -> InputCheck.check(GREY32, Nd4j.rand(new int[] {2, 1024})), "[2, 1024]", "rank-4");
    }
}
