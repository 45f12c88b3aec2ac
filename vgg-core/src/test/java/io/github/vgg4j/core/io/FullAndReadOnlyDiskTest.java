package io.github.vgg4j.core.io;

import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.train.DivergenceGuard;
import io.github.vgg4j.core.train.Trainer;
import io.github.vgg4j.core.train.TrainingOptions;
import io.github.vgg4j.core.train.TrainingProgress;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A full disk and a read-only folder, for real: a small tmpfs mounted for the test (needs root, as
 * in CI; skipped with a message otherwise). The previous model must survive either failure.
 */
class FullAndReadOnlyDiskTest {
    @TempDir
    Path dir;
    private Path mount;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        mount = Files.createDirectory(dir.resolve("disk"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString()),
                "skipped: cannot mount a tmpfs here (needs root, as CI has)");
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", mount.toString());
    }

    private static MultiLayerNetwork net(double width) {
        return VGGBuilder.vgg11().inputShape(1, 32, 32).numClasses(3).head(Head.cifar()).widthMultiplier(width).buildNetwork();
    }

    private static final ModelInfo INFO = new ModelInfo("vgg11", new int[] {1, 32, 32}, List.of("a", "b", "c"),
            Preprocessing.unitScale());

    @Test
    void aFullDiskGivesAClearErrorAndKeepsThePreviousModel() throws Exception {
        Path model = mount.resolve("model.zip");
        ModelFiles.save(net(1 / 64.0), model, INFO);                         // ~10 KB: fits
        byte[] before = Files.readAllBytes(model);
        IOException e = assertThrows(IOException.class, () -> ModelFiles.save(net(0.25), model, INFO)); // ~4 MB: does not
        assertTrue(e.getMessage().toLowerCase().contains("space") || String.valueOf(e.getCause()).toLowerCase().contains("space"),
                "the error says the disk is full: " + e);
        assertArrayEquals(before, Files.readAllBytes(model));
        try (Stream<Path> files = Files.list(mount)) {
            assertEquals(List.of(model), files.toList(), "no temporary file is left to fill the disk");
        }
    }

    @Test
    void aReadOnlyFolderGivesAClearErrorAndKeepsThePreviousModel() throws Exception {
        Path model = mount.resolve("model.zip");
        ModelFiles.save(net(1 / 64.0), model, INFO);
        byte[] before = Files.readAllBytes(model);
        assertTrue(run("mount", "-o", "remount,ro", mount.toString()), "remount read-only");
        IOException e = assertThrows(IOException.class, () -> ModelFiles.save(net(1 / 64.0), model, INFO));
        assertTrue(e.getMessage().contains("not writable") && e.getMessage().contains(mount.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(model));
    }

    @Test
    void aCheckpointDiskThatFillsUpAfterTheLastEpochDoesNotCostTheTrainedModel() throws Exception {
        // the checkpoint folder is the full 256 KB disk; the model goes to a healthy one
        MultiLayerNetwork net = net(0.25);
        DataSet data = new DataSet(Nd4j.rand(new int[] {8, 1, 32, 32}), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1));
        Trainer.TrainingResult r = new Trainer(TrainingOptions.epochs(1).withGuard(DivergenceGuard.off())
                .withCheckpoints(mount, 0, INFO)).fit(net, new ListDataSetIterator<>(data.asList(), 4), null, INFO.labels(),
                TrainingProgress.NONE);
        assertNotNull(r.checkpointProblem(), "the checkpoint could not be written");
        assertTrue(r.checkpointProblem().contains(mount.resolve("checkpoint.zip").toString())
                && r.checkpointProblem().toLowerCase().contains("space"), r.checkpointProblem());
        Path out = dir.resolve("model.zip");
        ModelFiles.save(net, out, INFO);
        assertEquals(net.params(), ModelFiles.load(out).network().params());
        try (Stream<Path> files = Files.list(mount)) {
            assertEquals(List.of(), files.toList(), "no partial checkpoint is left on the full disk");
        }
    }

    private static boolean run(String... command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
