import io.github.vgg4j.core.FastPath;
import io.github.vgg4j.core.Head;
import io.github.vgg4j.core.VGGBuilder;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * VGG16 (CIFAR head, 32x32x3, batch 64) training and inference throughput on two paths,
 * alternating in one JVM so that both see the same machine load: vgg4j (FastPath.apply: vgg4j's
 * oneDNN 2.5 kernels) and stock (DL4J's own layers and defaults, what a plain DL4J user gets).
 * Run: benchmarks/fastpath.sh
 */
public class FastPathBench {
    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        MultiLayerConfiguration conf = VGGBuilder.vgg16().inputShape(3, 32, 32).numClasses(10)
                .head(Head.cifar()).build();
        MultiLayerNetwork fast = new MultiLayerNetwork(conf.clone());
        fast.init();
        FastPath.apply(fast);
        MultiLayerNetwork stock = stock(conf);
        INDArray x = Nd4j.rand(new int[] {batch, 3, 32, 32});
        INDArray y = Nd4j.zeros(batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 10, 1);
        }
        System.out.printf("%s%nVGG16-CIFAR, batch %d, images/s%n", FastPath.status(), batch);
        System.out.printf("%-8s %12s %12s%n", "path", "train", "inference");
        for (int r = 0; r < rounds; r++) {
            for (MultiLayerNetwork net : new MultiLayerNetwork[] {fast, stock}) {
                double train = throughput(() -> net.fit(x, y), batch, r == 0 ? 7 : 3, 8);
                double infer = throughput(() -> net.output(x), batch, r == 0 ? 7 : 3, 12);
                System.out.printf("%-8s %12.1f %12.1f%n", net == fast ? "vgg4j" : "stock",
                        train, infer);
            }
        }
    }

    /** DL4J's defaults: its own layers, CacheMode.NONE (what a plain DL4J user gets). */
    static MultiLayerNetwork stock(MultiLayerConfiguration conf) {
        MultiLayerConfiguration c = conf.clone();
        c.setCacheMode(org.deeplearning4j.nn.conf.CacheMode.NONE);
        for (var layer : c.getConfs()) {
            layer.setCacheMode(org.deeplearning4j.nn.conf.CacheMode.NONE);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(c);
        net.init();
        return net;
    }

    static double throughput(Runnable step, int batch, int warmup, int iterations) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            step.run();
        }
        return batch * iterations / ((System.nanoTime() - t0) / 1e9);
    }
}
