import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelFiles;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one checkpoint costs (weights + updater state + training state, written atomically) for
 * VGG16 with the CIFAR head and at 224x224; set against an epoch's time to give the overhead of
 * checkpointing every epoch. Run: java -cp <./vgg's classpath> benchmarks/CheckpointBench.java
 */
public class CheckpointBench {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vgg4j-checkpoint-bench");
        for (boolean imagenet : new boolean[] {false, true}) {
            VGGBuilder b = imagenet ? VGGBuilder.vgg16() : VGGBuilder.vgg16().inputShape(3, 32, 32).numClasses(10).head(Head.cifar());
            MultiLayerNetwork net = b.buildNetwork();
            int n = 2;
            net.fit(Nd4j.rand(new int[] {n, 3, imagenet ? 224 : 32, imagenet ? 224 : 32}), Nd4j.eye(imagenet ? 1000 : 10).getRows(0, 1));
            ModelInfo info = new ModelInfo(b.name(), new int[] {3, 32, 32}, List.of(), Preprocessing.unitScale());
            Path file = dir.resolve("checkpoint.zip");
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                ModelFiles.save(net, file, info, true, Map.of("vgg4j-training-state.json", "{}".getBytes()));
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("%s: %,d parameters, checkpoint %.1f MB written in %.2f s%n", imagenet ? "VGG16-224" : "VGG16-CIFAR",
                    net.numParams(), Files.size(file) / 1e6, best);
        }
    }
}
