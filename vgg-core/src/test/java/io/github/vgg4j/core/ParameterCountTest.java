package io.github.vgg4j.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ImageNet head, 3x224x224, 1000 classes: the published parameter counts (torchvision / Keras). */
class ParameterCountTest {

    @ParameterizedTest(name = "{0} batchNorm={1}: {2} trainable")
    @CsvSource({
            "A,     false, 132863336",
            "A-LRN, false, 132863336", // LRN has no parameters
            "B,     false, 133047848",
            "C,     false, 133638952", // D minus 8 of the 9 weights of each 1x1 conv: 138357544 - 8*(256*256 + 2*512*512)
            "D,     false, 138357544",
            "E,     false, 143667240",
            "A,     true,  132868840",
            "B,     true,  133053736",
            "D,     true,  138365992",
            "E,     true,  143678248",
    })
    void trainableParametersMatchTheReference(String configuration, boolean batchNorm, long expected) {
        ModelSummary summary = new VGGBuilder().configuration(configuration).batchNorm(batchNorm).summary();
        assertEquals(expected, summary.trainableParams());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"A, 2752", "B, 2944", "D, 4224", "E, 5504"})
    void batchNormRunningStatisticsAreCountedButNotTrainable(String configuration, long convChannels) {
        ModelSummary plain = new VGGBuilder().configuration(configuration).summary();
        ModelSummary bn = new VGGBuilder().configuration(configuration).batchNorm(true).summary();
        // gamma and beta are trained; the running mean and variance are averaged, not trained.
        assertEquals(plain.trainableParams() + 2 * convChannels, bn.trainableParams());
        assertEquals(plain.totalParams() + 4 * convChannels, bn.totalParams());
        assertEquals(plain.totalParams(), plain.trainableParams());
    }
}
