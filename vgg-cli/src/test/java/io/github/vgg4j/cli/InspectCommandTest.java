package io.github.vgg4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class InspectCommandTest {
    @TempDir
    Path dir;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path model() throws Exception {
        Path file = dir.resolve("shapes.zip");
        var net = VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(2).head(Head.cifar()).widthMultiplier(0.125).buildNetwork();
        ModelFiles.save(net, file, new ModelInfo("vgg11", new int[] {3, 32, 32}, List.of("bars", "boxes"), Preprocessing.unitScale()));
        return file;
    }

    /** A class-per-folder set: horizontal bars and boxes, at varying positions. */
    private Path data() throws Exception {
        Path root = dir.resolve("data");
        for (String c : List.of("bars", "boxes")) {
            Files.createDirectories(root.resolve(c));
            for (int i = 0; i < 12; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(Color.WHITE);
                if (c.equals("bars")) {
                    g.fillRect(0, 4 + i, 32, 4);
                } else {
                    g.drawRect(4 + i / 2, 4 + i / 3, 12, 12);
                }
                g.dispose();
                ImageIO.write(img, "png", root.resolve(c).resolve(i + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void writesTheProjectionOfFc2AndTheFeatureMapsOfALayer() throws Exception {
        Path out = dir.resolve("inspect");
        CliRun run = CliRun.of("inspect", "--model", model().toString(), "--data", data().toString(), "--out", out.toString(),
                "--channels", "6", "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode r = JSON.readTree(run.out());
        assertEquals("fc2", r.get("projection").get("layer").asText());
        assertEquals(24, r.get("projection").get("examples").asInt());
        double pc1 = r.get("projection").get("explainedVariance").get(0).asDouble();
        double pc2 = r.get("projection").get("explainedVariance").get(1).asDouble();
        assertTrue(pc1 >= pc2 && pc2 >= 0 && pc1 + pc2 <= 1 + 1e-9, pc1 + " " + pc2);
        assertTrue(ImageIO.read(out.resolve("projection-fc2.png").toFile()).getWidth() > 100);
        List<String> csv = Files.readAllLines(out.resolve("projection-fc2.csv"));
        assertEquals("x,y,label", csv.get(0));
        assertEquals(25, csv.size());
        assertEquals(6, r.get("featureMaps").get("channels").asInt());
        assertNotNull(ImageIO.read(out.resolve("feature-maps-block1_conv1.png").toFile()));
    }

    @Test
    void anUnknownLayerIsNamedWithTheValidOnes() throws Exception {
        CliRun run = CliRun.of("inspect", "--model", model().toString(), "--data", data().toString(), "--out",
                dir.resolve("o").toString(), "--layer", "fc7");
        assertEquals(2, run.exit(), "a layer that does not exist is a usage error");
        assertTrue(run.err().contains("'fc7'") && run.err().contains("block1_conv1") && run.err().contains("predictions"), run.err());
        CliRun dense = CliRun.of("inspect", "--model", model().toString(), "--data", data().toString(), "--out",
                dir.resolve("o2").toString(), "--feature-maps", "fc1");
        assertEquals(2, dense.exit());
        assertTrue(dense.err().contains("convolution or pooling layer"), dense.err());
    }
}
