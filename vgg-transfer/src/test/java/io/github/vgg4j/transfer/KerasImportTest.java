package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.GradientCheck;
import io.github.vgg4j.core.PlainPath;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageFolder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Keras H5 import through DL4J's Keras importer. Keras itself is not packaged by Debian, so the
 * test files are written with h5py in the layout Keras 2.2.4 writes (a whole model, and a
 * weights-only no-top file like the applications' downloads), and the expected outputs are Keras'
 * channels-last computation done in torch, in float64 from the float32 weights: the imported network
 * must be within what float32 rounding allows of them ({@link GradientCheck#outputRow}: 16x the error
 * of DL4J's plain float32 path on the same network and input, or of storing the values in float32).
 * A wrong mapping (a transposed kernel, channels-last flattening missed) is off by O(1).
 */
class KerasImportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void wholeModelAndWeightsOnlyNoTopFilesComputeWhatKerasComputes() throws Exception {
        Python.assumeModules("h5py", "torch", "torchvision");
        Python.run("keras_vgg.py", dir, "vgg16", 16, 64, 5, 3);
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());

        for (String file : new String[] {"model.h5", "weights.h5"}) {
            assertSameProbabilities(Pretrained.keras(dir.resolve(file)), expected, file);
        }

        PretrainedModel notop = Pretrained.keras(dir.resolve("weights_notop.h5"));
        assertEquals("block5_pool", notop.layerNames().get(notop.layerNames().size() - 1));
        assertTrue(notop.info().architecture().endsWith("-notop"), notop.info().architecture());
        INDArray x = input(notop, 64);
        INDArray f = output(notop, x);
        INDArray e = Nd4j.create(doubles(expected.get("features")), f.shape(), 'c');
        GradientCheck.Row row = GradientCheck.outputRow("block5_pool features", f, plainOutput(notop, x), e);
        System.out.println("keras weights-only no-top: " + row);
        assertTrue(e.amaxNumber().doubleValue() > 0 && row.ok(), row.toString());
    }

    @Test
    void aFileThatIsNotHdf5IsRefusedByName() throws Exception {
        Path bogus = Files.writeString(dir.resolve("vgg16.h5"), "not hdf5");
        WeightsFileException e = assertThrows(WeightsFileException.class, () -> Pretrained.keras(bogus));
        assertTrue(e.getMessage().contains("vgg16.h5") && e.getMessage().contains("not an HDF5 file"), e.getMessage());
    }

    @Test
    void aDamagedHdf5FileIsOneErrorNamingItWithoutHdf5sDiagnostics() throws Exception {
        // HDF5's signature, then garbage (and, second, nothing): past vgg4j's signature check, into the library
        byte[] signature = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
        byte[] garbage = new byte[4096];
        new java.util.Random(16).nextBytes(garbage);
        System.arraycopy(signature, 0, garbage, 0, signature.length);
        for (byte[] content : List.of(garbage, signature)) {
            Path bad = Files.write(dir.resolve("damaged.h5"), content);
            // in a JVM of its own, whose native stderr (where HDF5 prints) can be read
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), LoadKeras.class.getName(), bad.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "the import did not end");
            String message = Files.readString(out).trim();
            String stderr = Files.readString(err);
            assertTrue(message.startsWith(WeightsFileException.class.getSimpleName() + ": " + bad) && !message.contains("\n"), message);
            assertFalse(stderr.contains("HDF5-DIAG"), "HDF5 printed its error stack:\n" + stderr);
        }
    }

    /** Imports the file named and prints the exception's class and message (one line), or "loaded". */
    public static final class LoadKeras {
        public static void main(String[] args) {
            try {
                Pretrained.keras(Path.of(args[0]));
                System.out.println("loaded");
            } catch (Exception e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private void assertSameProbabilities(PretrainedModel whole, JsonNode expected, String file) throws Exception {
        assertEquals(Preprocessing.caffeImagenet(), whole.preprocessing());
        assertArrayEquals(new int[] {3, 64, 64}, whole.inputShape());
        assertEquals(5, whole.info().labels().size());
        assertTrue(whole.layerNames().containsAll(java.util.List.of("block1_conv1", "block5_conv3", "block5_pool", "fc1", "fc2", "predictions")));
        INDArray x = input(whole, 64);
        INDArray p = output(whole, x);
        INDArray e = Nd4j.create(doubles(expected.get("probabilities")), p.shape(), 'c');
        double top = e.maxNumber().doubleValue();
        GradientCheck.Row row = GradientCheck.outputRow("probabilities", p, plainOutput(whole, x), e);
        System.out.printf("keras %s: top probability %.3f, %s%n", file, top, row);
        assertTrue(top > 0.3, "the test needs a peaked softmax, top " + top);
        assertTrue(row.ok(), row.toString());

    }

    /** The test image through vgg4j's own pipeline with the preprocessing the import attached. */
    private INDArray input(PretrainedModel m, int size) throws Exception {
        try (ImageBatches batches = ImageBatches.builder(ImageFolder.unlabeled(dir.resolve("image")))
                .fit(Fit.eval(3, size, size, 1.0)).preprocessing(m.preprocessing()).batchSize(1).build()) {
            return batches.next().getFeatures();
        }
    }

    private static INDArray output(PretrainedModel m, INDArray x) {
        return ((MultiLayerNetwork) m.network()).output(x, false);
    }

    /** The same network on DL4J's plain float32 path: what float32 rounding does to this computation. */
    static INDArray plainOutput(PretrainedModel m, INDArray x) {
        MultiLayerNetwork net = (MultiLayerNetwork) m.network();
        return PlainPath.init(net.getLayerWiseConfigurations(), net.params().dup()).output(x, false);
    }

    static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }
}
