package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.GradientCheck;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageFolder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The torchvision mapping, proven numerically: torchvision builds the model (Debian's
 * python3-torchvision, random weights and batch-norm statistics), exports it as safetensors with a
 * PNG image and torchvision's probabilities for it, and vgg4j must give the same numbers for the
 * same PNG read through its own pipeline with the preprocessing the import attached. torchvision's
 * numbers are computed in float64 from the float32 weights: vgg4j must be within what float32
 * rounding allows of them ({@link GradientCheck#outputRow}: 16x the error of DL4J's plain float32
 * path on the same network and input, or of storing the values in float32). The former bound, 1e-4
 * against torch's own float32 result, was a fixed number between two rounded answers, each of
 * which depends on the CPU's kernels (oneDNN's Winograd, chosen by timing for 224x224 maps, rounds
 * several times more than direct convolution). A wrong mapping is off by O(1).
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
        assertMatchesFloat64(tv, 224);
        // timm's layout (fc1 as a 7x7 convolution), configuration and batch norm inferred from the file
        PretrainedModel timm = Pretrained.torchvision(dir.resolve("model-timm.safetensors"), null, null, 224, 224, null);
        assertEquals("vgg11", timm.info().architecture());
        assertMatchesFloat64(timm, 224);
    }

    @Test
    void vgg11BnAt64MapsBatchNormAndFoldsTheAdaptivePoolIntoFc1() throws Exception {
        Python.assumeModules("torch", "torchvision");
        Python.run("torchvision_vgg.py", dir, "vgg11_bn", 64, CLASSES, 11);
        PretrainedModel m = Pretrained.torchvision(dir.resolve("model.safetensors"), VggConfiguration.A, true, 64, 64, CLASSES);
        assertEquals("vgg11_bn", m.info().architecture());
        assertMatchesFloat64(m, 64);
    }

    /** vgg4j's probabilities and log-probabilities against torchvision's in float64. */
    private void assertMatchesFloat64(PretrainedModel m, int size) throws Exception {
        assertEquals(Preprocessing.torchvisionImagenet(), m.preprocessing());
        assertArrayEquals(new int[] {3, size, size}, m.inputShape());
        INDArray x;
        try (ImageBatches batches = ImageBatches.builder(ImageFolder.unlabeled(dir.resolve("image")))
                .fit(Fit.eval(3, size, size, 1.0)).preprocessing(m.preprocessing()).batchSize(1).build()) {
            x = batches.next().getFeatures();
        }
        INDArray p = ((MultiLayerNetwork) m.network()).output(x, false);
        INDArray plain = KerasImportTest.plainOutput(m, x);
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        INDArray e = Nd4j.create(KerasImportTest.doubles(expected.get("probabilities")), p.shape(), 'c');
        INDArray logE = Nd4j.create(KerasImportTest.doubles(expected.get("logProbabilities")), p.shape(), 'c');
        double top = e.maxNumber().doubleValue();
        // Log-probabilities where float32 has them (above e^-20; below, float32 softmax outputs are mostly rounding).
        INDArray kept = logE.gt(-20).castTo(DataType.DOUBLE);
        GradientCheck.Row logs = GradientCheck.outputRow("log-probabilities", log(p, kept), log(plain, kept), logE.mul(kept));
        GradientCheck.Row probabilities = GradientCheck.outputRow("probabilities", p, plain, e);
        System.out.printf("%s at %dx%d: top probability %.3f%n  %s%n  %s%n", m.info().properties().get("source"), size, size, top,
                probabilities, logs);
        assertTrue(top > 0.3, "the test needs a peaked softmax to mean anything, top probability " + top);
        assertTrue(probabilities.ok(), probabilities.toString());
        assertTrue(logs.ok(), logs.toString());
    }

    /** log p where kept is 1, 0 elsewhere. */
    private static INDArray log(INDArray p, INDArray kept) {
        return Transforms.log(p.castTo(DataType.DOUBLE).mul(kept).addi(kept.rsub(1)), false);
    }
}
