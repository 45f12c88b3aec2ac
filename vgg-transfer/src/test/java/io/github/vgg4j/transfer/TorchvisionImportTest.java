package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageFolder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The torchvision mapping, proven numerically: torchvision builds the model (Debian's
 * python3-torchvision, random weights and batch-norm statistics), exports it as safetensors with a
 * PNG image and torchvision's probabilities for it, and vgg4j must give the same numbers for the
 * same PNG read through its own pipeline with the preprocessing the import attached.
 */
class TorchvisionImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLASSES = 10;

    @TempDir
    Path dir;

    @Test
    void vgg11At224GivesTorchvisionsProbabilitiesUnderTorchvisionAndTimmNames() throws Exception {
        Python.assumeModules("torch", "torchvision");
        Python.run("torchvision_vgg.py", dir, "vgg11", 224, CLASSES, 7, "timm");
        PretrainedModel tv = Pretrained.torchvision(dir.resolve("model.safetensors"), VggConfiguration.A, false);
        assertEquals("vgg11", tv.info().architecture());
        assertTrue(maxDifference(tv, 224) < 1e-4);
        // timm's layout (fc1 as a 7x7 convolution), configuration and batch norm inferred from the file
        PretrainedModel timm = Pretrained.torchvision(dir.resolve("model-timm.safetensors"), null, null, 224, 224, null);
        assertEquals("vgg11", timm.info().architecture());
        assertTrue(maxDifference(timm, 224) < 1e-4);
    }

    @Test
    void vgg11BnAt64MapsBatchNormAndFoldsTheAdaptivePoolIntoFc1() throws Exception {
        Python.assumeModules("torch", "torchvision");
        Python.run("torchvision_vgg.py", dir, "vgg11_bn", 64, CLASSES, 11);
        PretrainedModel m = Pretrained.torchvision(dir.resolve("model.safetensors"), VggConfiguration.A, true, 64, 64, CLASSES);
        assertEquals("vgg11_bn", m.info().architecture());
        assertTrue(maxDifference(m, 64) < 1e-4);
    }

    /** The maximum absolute difference between torchvision's probabilities and vgg4j's; also checks log-probabilities. */
    private double maxDifference(PretrainedModel m, int size) throws Exception {
        assertEquals(Preprocessing.torchvisionImagenet(), m.preprocessing());
        assertArrayEquals(new int[] {3, size, size}, m.inputShape());
        INDArray x;
        try (ImageBatches batches = ImageBatches.builder(ImageFolder.unlabeled(dir.resolve("image")))
                .fit(Fit.eval(3, size, size, 1.0)).preprocessing(m.preprocessing()).batchSize(1).build()) {
            x = batches.next().getFeatures();
        }
        INDArray p = ((MultiLayerNetwork) m.network()).output(x, false);
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        double maxProb = 0;
        double maxLog = 0;
        double top = 0;
        for (int c = 0; c < CLASSES; c++) {
            double e = expected.get("probabilities").get(c).asDouble();
            top = Math.max(top, e);
            maxProb = Math.max(maxProb, Math.abs(p.getDouble(0, c) - e));
            double logE = expected.get("logProbabilities").get(c).asDouble();
            if (logE > -20) {
                maxLog = Math.max(maxLog, Math.abs(Math.log(p.getDouble(0, c)) - logE));
            }
        }
        System.out.printf("%s at %dx%d: top probability %.3f, max |p - p_torchvision| = %.3g, max |log p - log p_torchvision| = %.3g%n",
                m.info().properties().get("source"), size, size, top, maxProb, maxLog);
        assertTrue(top > 0.3, "the test needs a peaked softmax to mean anything, top probability " + top);
        assertTrue(maxLog < 1e-3, "log-probabilities differ by up to " + maxLog);
        return maxProb;
    }
}
