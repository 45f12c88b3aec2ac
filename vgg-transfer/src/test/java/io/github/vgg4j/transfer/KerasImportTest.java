package io.github.vgg4j.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageFolder;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Keras H5 import through DL4J's Keras importer. Keras itself is not packaged by Debian, so the
 * test files are written with h5py in the layout Keras 2.2.4 writes (a whole model, and a
 * weights-only no-top file like the applications' downloads), and the expected outputs are Keras'
 * channels-last computation done in torch.
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
        INDArray f = output(notop, 64).reshape(-1);
        double maxF = 0;
        double scale = 0;
        for (int i = 0; i < f.length(); i++) {
            double e = expected.get("features").get(i).asDouble();
            scale = Math.max(scale, Math.abs(e));
            maxF = Math.max(maxF, Math.abs(f.getDouble(i) - e));
        }
        System.out.printf("keras weights-only no-top: max |feature - keras| = %.3g (features up to %.3g)%n", maxF, scale);
        assertTrue(scale > 0 && maxF < 1e-4 * scale, "block5_pool features differ by " + maxF);
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
        INDArray p = output(whole, 64);
        double maxDiff = 0;
        double top = 0;
        for (int c = 0; c < 5; c++) {
            double e = expected.get("probabilities").get(c).asDouble();
            top = Math.max(top, e);
            maxDiff = Math.max(maxDiff, Math.abs(p.getDouble(0, c) - e));
        }
        System.out.printf("keras " + file + ": top probability %.3f, max |p - p_keras| = %.3g%n", top, maxDiff);
        assertTrue(top > 0.3, "the test needs a peaked softmax, top " + top);
        assertTrue(maxDiff < 1e-4, "probabilities differ by " + maxDiff);

    }

    private INDArray output(PretrainedModel m, int size) throws Exception {
        try (ImageBatches batches = ImageBatches.builder(ImageFolder.unlabeled(dir.resolve("image")))
                .fit(Fit.eval(3, size, size, 1.0)).preprocessing(m.preprocessing()).batchSize(1).build()) {
            return ((MultiLayerNetwork) m.network()).output(batches.next().getFeatures(), false);
        }
    }
}
