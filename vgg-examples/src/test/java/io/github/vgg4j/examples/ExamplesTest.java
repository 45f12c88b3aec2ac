package io.github.vgg4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.TestImageFiles;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every example main runs, on tiny data, to its end: the examples are documentation, and
 * documentation that no longer runs is worse than none. (PrintSummaries has its own test, which
 * also checks the paper's numbers.) Each run is the example's own main with the arguments its
 * Javadoc documents, pointed at a temporary folder.
 */
class ExamplesTest {
    @TempDir
    Path dir;

    /** Runs a main with System.out captured. */
    private static String run(ThrowingMain main, String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            main.main(args);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return out;
    }

    private interface ThrowingMain {
        void main(String[] args) throws Exception;
    }

    @Test
    void everyExampleHasATest() throws IOException {
        List<String> tested = List.of("PrintSummaries", "TrainFashionMnist", "TrainCifar10", "FineTuneCatsVsDogs",
                "TuneLearningRate", "TuneHeadLearningRate", "ImportTorchvisionAndPredict");
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/github/vgg4j/examples"))) {
            List<String> examples = files.map(f -> f.getFileName().toString().replace(".java", "")).sorted().toList();
            assertEquals(tested.stream().sorted().toList(), examples, "an example without a test here");
        }
    }

    @Test
    void trainFashionMnist() throws Exception {
        Path data = TestImageFiles.idx(dir.resolve("idx"), 100, 40);
        String out = run(TrainFashionMnist::main, data.toString(), "1", dir.resolve("run").toString());
        assertTrue(out.contains("epoch 1:") && out.contains("test accuracy"), out);
        assertTrue(Files.isRegularFile(dir.resolve("run/model.zip")));
    }

    @Test
    void trainCifar10() throws Exception {
        Path data = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        Random r = new Random(2);
        for (String file : List.of("data_batch_1.bin", "test_batch.bin")) {
            byte[] batch = new byte[100 * 3073];
            for (int i = 0; i < 100; i++) {
                batch[i * 3073] = (byte) (i % 10);
                for (int p = 1; p < 3073; p++) {
                    batch[i * 3073 + p] = (byte) (i % 10 * 20 + r.nextInt(50));
                }
            }
            Files.write(data.resolve(file), batch);
        }
        String out = run(TrainCifar10::main, data.toString(), "1", dir.resolve("run").toString());
        assertTrue(out.contains("epoch 1:") && out.contains("test accuracy"), out);
        assertTrue(Files.isRegularFile(dir.resolve("run/model.zip")));
    }

    @Test
    void tuneLearningRate() throws Exception {
        Path data = TestImageFiles.idx(dir.resolve("idx"), 100, 0);
        Path out = dir.resolve("tune");
        String text = run(TuneLearningRate::main, out.toString(), data.toString());
        assertTrue(text.contains("candidate 1 ") && text.contains("best: "), text);
        assertTrue(Files.isRegularFile(out.resolve("results.csv")) && Files.isRegularFile(out.resolve("score-vs-lr.png")));
    }

    @Test
    void tuneHeadLearningRate() throws Exception {
        Path data = TestImageFiles.idx(dir.resolve("idx"), 100, 0);
        Path base = smallModel(dir.resolve("base.zip"), 1, List.of("a", "b"));
        Path out = dir.resolve("heads");
        String text = run(TuneHeadLearningRate::main, base.toString(), data.toString(), out.toString());
        assertTrue(text.contains("candidate 1 ") && text.contains("best: "), text);
        assertTrue(Files.isRegularFile(out.resolve("best-model.zip")));
    }

    @Test
    void fineTuneCatsVsDogs() throws Exception {
        Path train = dir.resolve("train");
        Path test1 = dir.resolve("test1");
        Random r = new Random(4);
        for (int i = 0; i < 20; i++) {
            TestImageFiles.shape(train.resolve("cat." + i + ".png"), true, r);
            TestImageFiles.shape(train.resolve("dog." + i + ".png"), false, r);
        }
        for (int i = 1; i <= 5; i++) {
            TestImageFiles.shape(test1.resolve(i + ".png"), i % 2 == 0, r);
        }
        Path base = smallModel(dir.resolve("base.zip"), 3, List.of("x", "y", "z"));
        Path out = Files.createDirectories(dir.resolve("out"));
        String text = run(FineTuneCatsVsDogs::main, train.toString(), test1.toString(), base.toString(), out.toString());
        assertTrue(text.contains("validation accuracy") && text.contains("submission.csv with 5 rows"), text);
        List<String> rows = Files.readAllLines(out.resolve("submission.csv"));
        assertEquals(List.of("id", "1", "2", "3", "4", "5"), rows.stream().map(row -> row.split(",")[0]).toList());
    }

    @Test
    void importTorchvisionAndPredict() throws Exception {
        Path weights = torchvisionVgg11(dir.resolve("vgg11.safetensors"), 3);
        Path image = dir.resolve("photo.png");
        TestImageFiles.shape(image, true, new Random(5));
        String text = run(ImportTorchvisionAndPredict::main, weights.toString(), image.toString());
        assertTrue(text.contains("vgg11, 3 classes -> " + dir.resolve("vgg11.zip")), text);
        assertTrue(text.contains(image.toString()) && text.contains("class0"), text);
        assertTrue(Files.isRegularFile(dir.resolve("vgg11.zip")));
    }

    // ---- tiny data -------------------------------------------------------------------------------

    /** A narrow VGG11 saved by vgg4j: a stand-in for a pretrained base. */
    private static Path smallModel(Path file, int channels, List<String> labels) throws IOException {
        var net = VGGBuilder.vgg11().inputShape(channels, 32, 32).numClasses(labels.size()).head(Head.cifar())
                .widthMultiplier(0.0625).buildNetwork();
        ModelFiles.save(net, file, new ModelInfo("vgg11", new int[] {channels, 32, 32}, labels, Preprocessing.unitScale()));
        return file;
    }

    /**
     * torchvision's VGG11 state dict as safetensors (its names and shapes), every weight zero, in
     * half precision: the importer's whole path without Python. The data are not written (a sparse
     * file of zeros), so the 129 million parameters cost no disk.
     */
    private static Path torchvisionVgg11(Path file, int classes) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int[] channels = {64, 128, 256, 256, 512, 512, 512, 512};
        int[] index = {0, 3, 6, 8, 11, 13, 16, 18};
        int in = 3;
        for (int i = 0; i < channels.length; i++) {
            shapes.put("features." + index[i] + ".weight", new long[] {channels[i], in, 3, 3});
            shapes.put("features." + index[i] + ".bias", new long[] {channels[i]});
            in = channels[i];
        }
        shapes.put("classifier.0.weight", new long[] {4096, 512 * 7 * 7});
        shapes.put("classifier.0.bias", new long[] {4096});
        shapes.put("classifier.3.weight", new long[] {4096, 4096});
        shapes.put("classifier.3.bias", new long[] {4096});
        shapes.put("classifier.6.weight", new long[] {classes, 4096});
        shapes.put("classifier.6.bias", new long[] {classes});
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (var e : shapes.entrySet()) {
            long elements = 1;
            for (long d : e.getValue()) {
                elements *= d;
            }
            header.put(e.getKey(), Map.of("dtype", "F16", "shape", e.getValue(), "data_offsets", new long[] {offset, offset + 2 * elements}));
            offset += 2 * elements;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            f.write(json);
            f.setLength(8 + json.length + offset);
        }
        return file;
    }
}
