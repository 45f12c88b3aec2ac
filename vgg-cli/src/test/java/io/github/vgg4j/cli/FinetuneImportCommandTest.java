package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.VggConfiguration;
import io.github.vgg4j.core.internal.Downloads;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.common.resources.DL4JResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class FinetuneImportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void importTorchvisionWeightsKeepsTheirPreprocessing() throws Exception {
        Path weights = torchvisionConvolutions(dir.resolve("vgg11-features.safetensors"));
        Path imported = dir.resolve("vgg11.zip");
        CliRun imp = CliRun.of("import", "--torchvision", weights.toString(), "--config", "A", "--input", "3x32x32",
                "--out", imported.toString(), "--json");
        assertEquals(0, imp.exit(), imp.err());
        JsonNode i = JSON.readTree(imp.out());
        assertEquals("vgg11-notop", i.get("architecture").asText());
        assertEquals("torchvision-imagenet", i.get("preprocessing").asText());
        assertEquals(9_220_480, i.get("params").asLong(), "VGG11's convolutions");
        assertEquals(List.of(3, 32, 32), List.of(i.get("inputShape").get(0).asInt(), i.get("inputShape").get(1).asInt(),
                i.get("inputShape").get(2).asInt()));
        assertEquals(Preprocessing.torchvisionImagenet(), ModelFiles.readInfo(imported).preprocessing());
        assertTrue(ModelFiles.load(imported, false).multiLayerNetwork().getLayerWiseConfigurations().getConfs().stream()
                .anyMatch(c -> "block5_pool".equals(c.getLayer().getLayerName())));
    }

    @Test
    void finetuneTwiceReusesTheFeaturesThenEvaluateAndResume() throws Exception {
        Path base = tinyBase(dir.resolve("base.zip"));
        Path data = shapes(dir.resolve("shapes"), 3, 10);
        Path tuned = dir.resolve("tuned.zip");
        String[] args = {"finetune", "--base", base.toString(), "--data", data.toString(), "--fc", "16", "--epochs", "3",
                "--batch", "8", "--lr", "0.01", "--cache-dir", dir.resolve("cache").toString(), "--out", tuned.toString(), "--json"};
        CliRun first = CliRun.of(args);
        assertEquals(0, first.exit(), first.err());
        JsonNode r = JSON.readTree(first.out()); // exactly one JSON object on stdout
        assertEquals(3, r.get("epochs").size());
        assertFalse(r.get("featurize").get("cacheHit").asBoolean());
        assertTrue(r.get("valAccuracy").isNumber(), "a 10% validation split without a test set");
        assertEquals("block5_pool", r.get("freezeThrough").asText());
        ModelInfo info = ModelFiles.readInfo(tuned);
        assertEquals(List.of("bar", "disc", "square"), info.labels());
        assertEquals(Preprocessing.caffeImagenet(), info.preprocessing(), "the base's preprocessing travels on");
        assertTrue(first.err().contains("epoch 3"), first.err());

        CliRun second = CliRun.of(args);
        assertEquals(0, second.exit(), second.err());
        assertTrue(JSON.readTree(second.out()).get("featurize").get("cacheHit").asBoolean());

        CliRun evaluate = CliRun.of("evaluate", "--model", tuned.toString(), "--data", data.toString(), "--json");
        assertEquals(0, evaluate.exit(), evaluate.err());
        assertEquals(3, JSON.readTree(evaluate.out()).get("perClassAccuracy").size());

        CliRun resumed = CliRun.of("finetune", "--base", tuned.toString(), "--data", data.toString(), "--resume", "--epochs", "1",
                "--no-featurize", "--out", dir.resolve("resumed.zip").toString(), "--json");
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(JSON.readTree(resumed.out()).get("featurize").isNull());

        // continuing needs the same classes: the model and the data disagree, a failure (exit 1), not a usage error
        Path fewer = shapes(dir.resolve("fewer"), 2, 4);
        CliRun mismatch = CliRun.of("finetune", "--base", tuned.toString(), "--data", fewer.toString(), "--resume", "--epochs", "1",
                "--cache-dir", dir.resolve("cache").toString(), "--out", dir.resolve("r.zip").toString());
        assertEquals(1, mismatch.exit());
        assertTrue(mismatch.err().contains("3 classes [bar, disc, square]") && mismatch.err().contains("2 classes [bar, disc]"),
                mismatch.err());
        assertEquals(1, mismatch.err().strip().lines().filter(l -> l.contains("classes")).count());
    }

    @Test
    void badLayersFilesAndDataExitWithOneLineNamingThem() throws Exception {
        Path weights = torchvisionConvolutions(dir.resolve("w.safetensors"));
        Path imported = tinyBase(dir.resolve("m.zip"));
        Path data = shapes(dir.resolve("shapes"), 2, 4);

        CliRun layer = CliRun.of("finetune", "--base", imported.toString(), "--data", data.toString(), "--freeze-through", "block7_pool");
        assertEquals(2, layer.exit());
        assertTrue(layer.err().contains("no layer 'block7_pool'") && layer.err().contains("block1_conv2, block1_pool"), layer.err());
        assertEquals(1, layer.err().strip().lines().count(), "one line: " + layer.err());

        Path one = shapes(dir.resolve("one"), 1, 4);
        CliRun oneClass = CliRun.of("finetune", "--base", imported.toString(), "--data", one.toString());
        assertEquals(1, oneClass.exit());
        assertTrue(oneClass.err().contains("only one class"), oneClass.err());

        Path bogus = Files.writeString(dir.resolve("vgg16.h5"), "no");
        CliRun keras = CliRun.of("import", "--keras", bogus.toString(), "--out", dir.resolve("k.zip").toString());
        assertEquals(1, keras.exit());
        assertTrue(keras.err().contains("vgg16.h5") && keras.err().contains("not an HDF5 file"), keras.err());

        Path truncated = dir.resolve("cut.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(weights), 5000));
        CliRun cut = CliRun.of("import", "--torchvision", truncated.toString(), "--config", "A", "--out", dir.resolve("c.zip").toString());
        assertEquals(1, cut.exit());
        assertTrue(cut.err().contains("cut.safetensors") && cut.err().contains("truncated"), cut.err());

        CliRun wrongConfig = CliRun.of("import", "--torchvision", weights.toString(), "--config", "D", "--input", "3x32x32",
                "--out", dir.resolve("d.zip").toString());
        assertEquals(1, wrongConfig.exit());
        assertTrue(wrongConfig.err().contains("features.2.weight"), wrongConfig.err());

        CliRun both = CliRun.of("import", "--torchvision", weights.toString(), "--keras", bogus.toString(), "--out", "x.zip");
        assertEquals(2, both.exit());
        CliRun augment = CliRun.of("finetune", "--base", imported.toString(), "--data", data.toString(), "--augment");
        assertEquals(2, augment.exit());
        assertTrue(augment.err().contains("--no-featurize"), augment.err());
    }

    @Test
    void theZooBaseOfflineNamesTheFileToDownload() throws Exception {
        Path data = shapes(dir.resolve("shapes"), 2, 2);
        DL4JResources.setBaseDirectory(Files.createDirectories(dir.resolve("dl4j")).toFile());
        System.setProperty(Downloads.OFFLINE, "true");
        try {
            CliRun zoo = CliRun.of("finetune", "--base", "zoo:vgg16", "--data", data.toString());
            assertEquals(1, zoo.exit());
            assertTrue(zoo.err().contains("vgg16_dl4j_inference.zip") && zoo.err().contains(dir.resolve("dl4j").toString()), zoo.err());
        } finally {
            System.clearProperty(Downloads.OFFLINE);
            DL4JResources.resetBaseDirectoryLocation();
        }
    }

    /** A small VGG16 (1/8 width, 3x32x32) saved as a pretrained base with caffe preprocessing. */
    private static Path tinyBase(Path file) throws IOException {
        var net = VGGBuilder.vgg16().inputShape(3, 32, 32).numClasses(10).head(Head.cifar()).widthMultiplier(0.125).seed(1)
                .buildNetwork();
        ModelFiles.save(net, file, new ModelInfo("vgg16", new int[] {3, 32, 32}, List.of(), Preprocessing.caffeImagenet()), false);
        return file;
    }

    /** torchvision VGG11 features (no classifier) with random weights, in the safetensors layout. */
    private static Path torchvisionConvolutions(Path file) throws IOException {
        StringBuilder header = new StringBuilder("{");
        List<long[]> shapes = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        int k = 0;
        int in = 3;
        for (var block : VggConfiguration.A.blocks()) {
            for (int i = 0; i < block.numConvs(); i++) {
                names.add("features." + k + ".weight");
                shapes.add(new long[] {block.channels(), in, 3, 3});
                names.add("features." + k + ".bias");
                shapes.add(new long[] {block.channels()});
                in = block.channels();
                k += 2;
            }
            k++;
        }
        long offset = 0;
        for (int t = 0; t < names.size(); t++) {
            long n = 1;
            StringBuilder s = new StringBuilder();
            for (long d : shapes.get(t)) {
                n *= d;
                s.append(s.length() == 0 ? "" : ",").append(d);
            }
            header.append(t == 0 ? "" : ",").append('"').append(names.get(t)).append("\":{\"dtype\":\"F32\",\"shape\":[").append(s)
                    .append("],\"data_offsets\":[").append(offset).append(',').append(offset + 4 * n).append("]}");
            offset += 4 * n;
        }
        byte[] h = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        Random r = new Random(1);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length));
            ch.write(ByteBuffer.wrap(h));
            ByteBuffer data = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < offset / 4; i++) {
                if (!data.hasRemaining()) {
                    ch.write(data.flip());
                    data.clear();
                }
                data.putFloat((float) (r.nextGaussian() * 0.05));
            }
            ch.write(data.flip());
        }
        return file;
    }

    private static Path shapes(Path dir, int classes, int perClass) throws IOException {
        String[] names = {"bar", "disc", "square"};
        Random r = new Random(classes * 31L + perClass);
        for (int c = 0; c < classes; c++) {
            Path folder = Files.createDirectories(dir.resolve(names[c]));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(36, 36, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(r.nextInt(80), r.nextInt(80), r.nextInt(80)));
                g.fillRect(0, 0, 36, 36);
                g.setColor(Color.WHITE);
                int x = 4 + r.nextInt(10), y = 4 + r.nextInt(10);
                switch (c) {
                    case 0 -> g.fillRect(x, y + 6, 18, 5);
                    case 1 -> g.fillOval(x, y, 16, 16);
                    default -> g.fillRect(x, y, 16, 16);
                }
                g.dispose();
                ImageIO.write(img, "png", folder.resolve(names[c] + i + ".png").toFile());
            }
        }
        return dir;
    }
}
