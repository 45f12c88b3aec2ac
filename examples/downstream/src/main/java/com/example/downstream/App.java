package com.example.downstream;

import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An application that uses vgg4j as README tells a user to: builds a small VGG, trains it on one
 * batch, saves and loads it, and checks the loaded model predicts what the trained one does. With
 * {@code -Ddownstream.expectKernels=true} (the CPU profile sets it) it also fails unless the network
 * ran on vgg4j's own kernels. Exit 0 when all holds, 1 with a one-line reason otherwise.
 */
public final class App {
    private static final List<String> LABELS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private App() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("vgg4j-downstream"));
        } catch (IllegalStateException e) {
            System.err.println("downstream: " + e.getMessage());
            System.exit(1);
        }
    }

    static void run(Path dir) throws Exception {
        System.out.println("vgg4j from " + Path.of(VGGBuilder.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        FastPath.Status status = FastPath.status();
        System.out.println("backend " + status.backend() + ", vgg4j kernels " + status.kernels() + ": " + status.detail());
        if (Boolean.getBoolean("downstream.expectKernels") && !status.kernels()) {
            throw new IllegalStateException("expected vgg4j's kernels (vgg-onednn on the classpath), got: " + status.detail());
        }

        VGGBuilder builder = VGGBuilder.vgg11()
                .batchNorm(true)
                .inputShape(1, 32, 32)
                .numClasses(LABELS.size())
                .head(Head.cifar())
                .widthMultiplier(0.125)
                .seed(7);
        MultiLayerNetwork net = builder.buildNetwork();

        // One batch of 16 random images, each labelled with its own class: the loss on it must fall.
        Nd4j.getRandom().setSeed(7);
        INDArray features = Nd4j.rand(DataType.FLOAT, 16, 1, 32, 32);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 16, LABELS.size());
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, i % LABELS.size(), 1f);
        }
        DataSet batch = new DataSet(features, labels);
        double before = net.score(batch);
        for (int step = 0; step < 10; step++) {
            net.fit(batch);
        }
        double after = net.score(batch);
        System.out.printf("trained %s (%,d parameters) on one batch: loss %.4f -> %.4f%n",
                builder.name(), net.numParams(), before, after);
        if (!(after < before)) {
            throw new IllegalStateException("the loss did not fall: " + before + " -> " + after);
        }
        List<String> kernels = FastPath.implementations(net);
        kernels.forEach(line -> System.out.println("  " + line));
        if (status.kernels() && kernels.isEmpty()) {
            throw new IllegalStateException("vgg4j's kernels are available but no layer of " + builder.name() + " runs them");
        }

        Path file = dir.resolve("model.zip");
        ModelFiles.save(net, file, new ModelInfo(builder.name(), new int[] {1, 32, 32}, LABELS, Preprocessing.unitScale()));
        ModelFiles.LoadedModel loaded = ModelFiles.load(file);
        INDArray expected = net.output(features);
        INDArray actual = loaded.multiLayerNetwork().output(features);
        if (!expected.equalsWithEps(actual, 1e-5)) {
            throw new IllegalStateException("the model loaded from " + file + " predicts differently from the one saved");
        }
        System.out.println("saved and loaded " + file + " (" + Files.size(file) + " bytes, labels " + loaded.info().labels() + ")");
        System.out.println("downstream OK");
    }
}
