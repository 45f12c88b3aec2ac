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
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PredictCommandTest {
    @TempDir
    Path dir;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path model() throws Exception {
        Path file = dir.resolve("cats.zip");
        var net = VGGBuilder.vgg11().inputShape(3, 32, 32).numClasses(2).head(Head.cifar()).widthMultiplier(0.0625).buildNetwork();
        ModelFiles.save(net, file, new ModelInfo("vgg11", new int[] {3, 32, 32}, List.of("cat", "dog"), Preprocessing.unitScale()));
        return file;
    }

    private Path image(Path file, int size) throws Exception {
        Files.createDirectories(file.getParent());
        ImageIO.write(new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
        return file;
    }

    @Test
    void jsonHasTheTopClassesOfEveryImage() throws Exception {
        Path a = image(dir.resolve("a.png"), 40);
        image(dir.resolve("more/b.png"), 64);
        CliRun run = CliRun.of("predict", "--model", model().toString(), "--top", "2", "--json", a.toString(),
                dir.resolve("more").toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode p = JSON.readTree(run.out()).get("predictions");
        assertEquals(2, p.size());
        assertEquals(a.toString(), p.get(0).get("file").asText());
        JsonNode top = p.get(0).get("top");
        assertEquals(2, top.size());
        assertEquals(1.0, top.get(0).get("probability").asDouble() + top.get(1).get("probability").asDouble(), 1e-5);
        assertTrue(List.of("cat", "dog").contains(top.get(0).get("label").asText()));
        assertTrue(top.get(0).get("probability").asDouble() >= top.get(1).get("probability").asDouble());
    }

    @Test
    void kaggleAndPlainCsvAreWritten() throws Exception {
        Path test1 = dir.resolve("test1");
        for (int id : new int[] {10, 2, 1}) {
            image(test1.resolve(id + ".png"), 32);
        }
        Path kaggle = dir.resolve("submission.csv");
        Path csv = dir.resolve("all.csv");
        CliRun run = CliRun.of("predict", "--model", model().toString(), "--kaggle-csv", kaggle.toString(), "--csv", csv.toString(),
                test1.toString());
        assertEquals(0, run.exit(), run.err());
        List<String> rows = Files.readAllLines(kaggle);
        assertEquals("id,label", rows.get(0));
        assertEquals(List.of("1", "2", "10"), rows.subList(1, 4).stream().map(r -> r.split(",")[0]).toList());
        for (String r : rows.subList(1, 4)) {
            double p = Double.parseDouble(r.split(",")[1]);
            assertTrue(p >= 0.005 && p <= 0.995, r);
        }
        assertEquals("file,label,probability,cat,dog", Files.readAllLines(csv).get(0));
        assertEquals(4, Files.readAllLines(csv).size());
    }

    @Test
    void badImagesAreReportedAndNonNumericKaggleIdsAreAnError() throws Exception {
        Path good = image(dir.resolve("cat.png"), 32);
        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        CliRun run = CliRun.of("predict", "--model", model().toString(), "--json", good.toString(), empty.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("empty.jpg") && run.out().contains("zero-byte"), run.out());
        CliRun kaggle = CliRun.of("predict", "--model", model().toString(), "--kaggle-csv", dir.resolve("k.csv").toString(),
                good.toString());
        assertEquals(2, kaggle.exit());
        assertTrue(kaggle.err().contains("--kaggle-csv") && kaggle.err().contains("'cat'"), kaggle.err());
        CliRun missing = CliRun.of("predict", "--model", model().toString(), dir.resolve("nope.png").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("nope.png"), missing.err());
    }
}
