import io.github.vgg4j.core.VGGBuilder;
import io.github.vgg4j.core.io.ModelInfo;
import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.core.train.EpochResult;
import io.github.vgg4j.datavec.DataBundle;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.Idx;
import io.github.vgg4j.datavec.ImageDataset;
import io.github.vgg4j.datavec.RawImage;
import io.github.vgg4j.transfer.FineTune;
import io.github.vgg4j.transfer.FineTuneResult;
import io.github.vgg4j.transfer.FineTuner;
import io.github.vgg4j.transfer.PretrainedModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Head training on cached features vs through the frozen layers: seconds per epoch and test
 * accuracy, for a VGG16 at 224x224 frozen through block5_pool (its head: fc1 25088x4096, fc2,
 * a new predictions; or through another layer, e.g. fc2: only the new predictions trains). Real images: Fashion-MNIST resized to 224x224 RGB. The two modes alternate
 * (featurized, through, featurized, through, ...) so both see the same machine load; the second
 * featurized run finds its features in the cache. The VGG16 is randomly initialised (no download
 * here): the frozen part's weights do not change the cost, and both modes train the same head on
 * the same features, so their accuracies must agree. Its inputs are normalised to mean 0, std 1
 * (torchvision's preprocessing): with caffe's 0-255 inputs a random VGG16's features are in the
 * hundreds and the head diverged.
 *
 * The process's peak resident memory is printed after each run (it only grows: the through run's
 * own peak shows when it runs alone, modes=through).
 *
 * Run: benchmarks/featurize.sh [trainImages] [testImages] [epochs] [rounds] [batch] [freezeThrough] [modes] [hidden]
 *      (modes: both | featurized | through; hidden: kept | widths such as 256 or 512,256)
 */
public class FeaturizeBench {
    public static void main(String[] args) throws Exception {
        int train = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int test = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        String freeze = args.length > 5 ? args[5] : "block5_pool";
        String modes = args.length > 6 ? args[6] : "both";
        // "kept": VGG16's own fc1/fc2 train; "256" or "512,256": new hidden layers of those widths
        String hidden = args.length > 7 ? args[7] : "kept";
        int[] widths = hidden.equals("kept") ? null : java.util.Arrays.stream(hidden.split(",")).mapToInt(Integer::parseInt).toArray();
        DataBundle fashion = Idx.open(Idx.locateFashionMnist());
        DataBundle data = new DataBundle(fashion.format(), fashion.source(), first(fashion.train(), train),
                first(fashion.test(), test), null, fashion.labels());
        Path cache = Files.createTempDirectory("vgg4j-featurize-bench");
        PretrainedModel base = new PretrainedModel(VGGBuilder.vgg16().seed(7).buildNetwork(),
                new ModelInfo("vgg16-random", new int[] {3, 224, 224}, List.of(), Preprocessing.torchvisionImagenet()));
        System.out.printf(Locale.ROOT, "VGG16 3x224x224 frozen through %s, hidden layers %s; %d training, %d test images of Fashion-MNIST; "
                + "batch %d, %d epochs per run%n", freeze, hidden, train, test, batch, epochs);
        System.out.printf(Locale.ROOT, "%-10s %12s %14s %12s %10s %14s%n", "mode", "featurize s", "s/epoch (head)", "test acc",
                "run s", "peak RSS MiB");
        boolean[] order = switch (modes) {
            case "featurized" -> new boolean[] {true};
            case "through" -> new boolean[] {false};
            default -> new boolean[] {true, false};
        };
        for (int r = 0; r < rounds; r++) {
            for (boolean featurize : order) {
                long t0 = System.nanoTime();
                FineTune spec = FineTune.of(base).freezeThrough(freeze).learningRate(0.001).seed(1);
                FineTuneResult result = FineTuner.of(widths == null ? spec : spec.hiddenLayers(widths)).featurize(featurize)
                        .epochs(epochs).batchSize(batch).validationFraction(0).cacheDirectory(cache).seed(1).fit(data);
                double perEpoch = result.headEpochs().stream().mapToDouble(EpochResult::seconds).average().orElse(Double.NaN);
                System.out.printf(Locale.ROOT, "%-10s %12s %14.2f %12.4f %10.1f %14d%n", featurize ? "featurized" : "through",
                        featurize ? String.format(Locale.ROOT, "%.1f%s", result.featurization().seconds(),
                                result.featurization().cacheHit() ? " (hit)" : "") : "-",
                        perEpoch, result.test().accuracy(), (System.nanoTime() - t0) / 1e9, peakRssMiB());
            }
        }
    }

    /** VmHWM: the process's peak resident memory so far. */
    static long peakRssMiB() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /** The first n examples (they are in Fashion-MNIST's own, shuffled order). */
    static ImageDataset first(ImageDataset data, int n) {
        int size = Math.min(n, data.size());
        return new ImageDataset() {
            public int size() {
                return size;
            }

            public List<String> labels() {
                return data.labels();
            }

            public int label(int i) {
                return data.label(i);
            }

            public String id(int i) {
                return data.id(i);
            }

            public RawImage read(int i, Fit fit, SplittableRandom random) throws BadImageException {
                return data.read(i, fit, random);
            }

            public String source() {
                return data.source() + " (first " + size + ")";
            }

            public int[] nativeShape() {
                return data.nativeShape();
            }
        };
    }
}
