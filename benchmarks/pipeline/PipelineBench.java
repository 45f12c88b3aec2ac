import io.github.vgg4j.core.io.Preprocessing;
import io.github.vgg4j.datavec.Augmentation;
import io.github.vgg4j.datavec.Fit;
import io.github.vgg4j.datavec.ImageBatches;
import io.github.vgg4j.datavec.ImageFolder;

import java.nio.file.Path;
import java.util.Locale;

/**
 * vgg4j's folder pipeline (decode with OpenCV, resize, crop, flip, normalise, batch, prefetch)
 * on the same files and transforms as benchmarks/pipeline/torch_pipeline.py. One JSON line.
 * Usage (see pipeline.sh): PipelineBench DIR eval|train [BATCH] [WORKERS]
 */
public class PipelineBench {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String mode = args[1];
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        ImageFolder folder = ImageFolder.open(root);
        Fit fit = mode.equals("eval") ? Fit.eval(3, 224, 224) : Fit.train(3, 224, 224).withScaleJitter(256, 512);
        Augmentation aug = mode.equals("eval") ? Augmentation.none() : new Augmentation(0, true);
        try (ImageBatches it = ImageBatches.builder(folder).fit(fit).augmentation(aug)
                .preprocessing(Preprocessing.torchvisionImagenet()).batchSize(batch).shuffle(mode.equals("train"))
                .workers(workers).build()) {
            long n = 0;
            long t0 = 0;
            for (int i = 0; it.hasNext(); i++) {
                var ds = it.next();
                if (i == 1) {
                    t0 = System.nanoTime();
                } else if (i > 1) {
                    n += ds.numExamples();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "{\"peer\": \"vgg4j\", \"mode\": \"%s\", \"images\": %d, \"seconds\": %.3f, \"imagesPerSecond\": %.1f}%n",
                    mode, n, seconds, n / seconds);
        }
    }
}
